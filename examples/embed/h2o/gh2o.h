/* gh2o.h: h2o (Debian's libh2o, the libuv build) hosted on a gouv loop. */
#ifndef GOUV_EMBED_H2O_H_
#define GOUV_EMBED_H2O_H_

#include <stdint.h>
#include <uv.h>

typedef struct gh2o_server gh2o_server_t;

/* Starts h2o on loop, listening on 127.0.0.1:port (0 picks one). id is
 * what the Go route's export gets back. NULL with *err set on failure. */
gh2o_server_t* gh2o_start(uv_loop_t* loop, int port, uintptr_t id, int* err);
int gh2o_port(const gh2o_server_t* s);
uint64_t gh2o_served(const gh2o_server_t* s);
int gh2o_conns(const gh2o_server_t* s);
/* Closes the listener; connections go on until their clients leave. */
void gh2o_stop_listening(gh2o_server_t* s);
/* Disposes of h2o's context and configuration once no connection is left
 * and the listener has closed, then frees s: 0, or UV_EBUSY. */
int gh2o_dispose(gh2o_server_t* s);

#endif
