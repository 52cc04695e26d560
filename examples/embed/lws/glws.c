/* glws.c: an lws context on a libuv loop that gouv owns. Everything runs on
 * the loop's thread, inside uv_run. */
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "glws.h"

struct glws_server {
  struct lws_context* ctx; /* lws writes NULL here once destroyed */
  int port;
  uint64_t served;
};

static const char glws_body[] = "hello from libwebsockets\n";

/* Answers every HTTP request with glws_body: the headers at once, the body
 * when the connection is writable. */
static int glws_http(struct lws* wsi, enum lws_callback_reasons reason,
                     void* user, void* in, size_t len) {
  unsigned char buf[LWS_PRE + 512];
  unsigned char *start = &buf[LWS_PRE], *p = start, *end = &buf[sizeof(buf) - 1];
  glws_server_t* s;

  switch (reason) {
  case LWS_CALLBACK_HTTP:
    if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "text/plain",
                                    sizeof(glws_body) - 1, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
      return 1;
    lws_callback_on_writable(wsi);
    return 0;
  case LWS_CALLBACK_HTTP_WRITEABLE:
    memcpy(start, glws_body, sizeof(glws_body) - 1);
    if (lws_write(wsi, start, sizeof(glws_body) - 1, LWS_WRITE_HTTP_FINAL) !=
        (int) sizeof(glws_body) - 1)
      return 1;
    s = lws_context_user(lws_get_context(wsi));
    s->served++;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
  default:
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

static const struct lws_protocols glws_protocols[] = {
    {"http", glws_http, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

glws_server_t* glws_start(uv_loop_t* loop, int port) {
  struct lws_context_creation_info info;
  void* loops[1] = {loop};
  struct lws_vhost* vh;
  glws_server_t* s = calloc(1, sizeof(*s));
  if (s == NULL)
    return NULL;
  lws_set_log_level(LLL_ERR, NULL);
  memset(&info, 0, sizeof(info));
  info.port = port;
  info.iface = "127.0.0.1";
  info.protocols = glws_protocols;
  info.options = LWS_SERVER_OPTION_LIBUV;
  info.foreign_loops = loops; /* read during lws_create_context only */
  info.user = s;
  info.pcontext = &s->ctx;
  s->ctx = lws_create_context(&info);
  if (s->ctx == NULL) {
    free(s);
    return NULL;
  }
  vh = lws_get_vhost_by_name(s->ctx, "default");
  s->port = vh != NULL ? lws_get_vhost_listen_port(vh) : -1;
  return s;
}

int glws_port(const glws_server_t* s) { return s->port; }
uint64_t glws_served(const glws_server_t* s) { return s->served; }

void glws_destroy(glws_server_t* s) {
  if (s->ctx != NULL)
    lws_context_destroy(s->ctx);
}

int glws_destroyed(const glws_server_t* s) { return s->ctx == NULL; }
void glws_free(glws_server_t* s) { free(s); }
