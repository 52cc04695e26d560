/* glws.h: libwebsockets (Debian's 4.1, its libuv plugin) on a gouv loop. */
#ifndef GOUV_EMBED_LWS_H_
#define GOUV_EMBED_LWS_H_

#include <stdint.h>
#include <uv.h>

typedef struct glws_server glws_server_t;

/* Creates an lws context on loop (a foreign loop to lws), serving HTTP on
 * 127.0.0.1:port (0 picks one). NULL when lws refused. */
glws_server_t* glws_start(uv_loop_t* loop, int port);
int glws_port(const glws_server_t* s);
uint64_t glws_served(const glws_server_t* s);
/* Starts destroying the context: lws closes its connections, listener and
 * handles while the loop runs. */
void glws_destroy(glws_server_t* s);
/* Whether the context is wholly destroyed. */
int glws_destroyed(const glws_server_t* s);
void glws_free(glws_server_t* s);

#endif
