/* gh2o.c: h2o's libuv build on a loop that gouv owns. Everything here runs on
 * the loop's thread, inside uv_run. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <h2o.h>
#include <h2o/socket/uv-binding.h>

#include "gh2o.h"
#include "_cgo_export.h"

struct gh2o_server {
  h2o_globalconf_t config;
  h2o_context_t ctx;
  h2o_accept_ctx_t accept;
  uv_tcp_t listener; /* data points at the server, as libraries do */
  int listening;     /* 1 until the listener's close callback */
  int conns;         /* accepted sockets not yet closed */
  int port;
  uintptr_t id;
  uint64_t served;
};

/* The handler of "/": a fixed body, from C. */
typedef struct {
  h2o_handler_t super;
  gh2o_server_t* s;
} gh2o_handler_t;

static int gh2o_hello(h2o_handler_t* self, h2o_req_t* req) {
  gh2o_server_t* s = ((gh2o_handler_t*) self)->s;
  s->served++;
  req->res.status = 200;
  req->res.reason = "OK";
  h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                 H2O_STRLIT("text/plain"));
  h2o_send_inline(req, H2O_STRLIT("hello from h2o\n"));
  return 0;
}

/* The handler of "/go": the body comes from a Go function (goH2ORoute),
 * called on the loop's thread like every gouv callback. */
static int gh2o_go(h2o_handler_t* self, h2o_req_t* req) {
  gh2o_server_t* s = ((gh2o_handler_t*) self)->s;
  char* body = goH2ORoute(s->id, req->input.path.base, req->input.path.len);
  if (body == NULL)
    return -1;
  s->served++;
  req->res.status = 200;
  req->res.reason = "OK";
  h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                 H2O_STRLIT("text/plain"));
  h2o_send_inline(req, body, strlen(body));
  free(body);
  return 0;
}

static void gh2o_add(gh2o_server_t* s, h2o_hostconf_t* host, const char* path,
                     int (*on_req)(h2o_handler_t*, h2o_req_t*)) {
  h2o_pathconf_t* pc = h2o_config_register_path(host, path, 0);
  gh2o_handler_t* h = (gh2o_handler_t*) h2o_create_handler(pc, sizeof(*h));
  h->super.on_req = on_req;
  h->s = s;
}

/* An accepted socket: its data holds the server until h2o takes it over,
 * so the close callback finds the count to decrement. h2o keeps its own
 * pointer in data from then on, so the count lives beside the handle. */
typedef struct {
  uv_tcp_t tcp;
  gh2o_server_t* s;
} gh2o_conn_t;

static void gh2o_conn_free(uv_handle_t* h) {
  gh2o_conn_t* c = (gh2o_conn_t*) h;
  c->s->conns--;
  free(c);
}

static void gh2o_on_accept(uv_stream_t* lis, int status) {
  gh2o_server_t* s = lis->data;
  gh2o_conn_t* c;
  if (status != 0)
    return;
  c = calloc(1, sizeof(*c));
  if (c == NULL)
    return;
  c->s = s;
  s->conns++;
  uv_tcp_init(lis->loop, &c->tcp);
  if (uv_accept(lis, (uv_stream_t*) &c->tcp) != 0) {
    uv_close((uv_handle_t*) &c->tcp, gh2o_conn_free);
    return;
  }
  h2o_accept(&s->accept,
             h2o_uv_socket_create((uv_stream_t*) &c->tcp, gh2o_conn_free));
}

/* The listener of a server whose start failed frees it when it closes. */
static void gh2o_free_failed(uv_handle_t* h) { free(h->data); }

gh2o_server_t* gh2o_start(uv_loop_t* loop, int port, uintptr_t id, int* err) {
  struct sockaddr_in sa;
  struct sockaddr_storage got;
  int n = sizeof(got);
  h2o_hostconf_t* host;
  gh2o_server_t* s = calloc(1, sizeof(*s));
  if (s == NULL) {
    *err = UV_ENOMEM;
    return NULL;
  }
  s->id = id;
  uv_tcp_init(loop, &s->listener);
  s->listener.data = s;
  uv_ip4_addr("127.0.0.1", port, &sa);
  if ((*err = uv_tcp_bind(&s->listener, (struct sockaddr*) &sa, 0)) != 0 ||
      (*err = uv_listen((uv_stream_t*) &s->listener, 128, gh2o_on_accept)) != 0 ||
      (*err = uv_tcp_getsockname(&s->listener, (struct sockaddr*) &got, &n)) != 0) {
    uv_close((uv_handle_t*) &s->listener, gh2o_free_failed);
    return NULL;
  }
  s->listening = 1;
  s->port = ntohs(((struct sockaddr_in*) &got)->sin_port);

  h2o_config_init(&s->config);
  host = h2o_config_register_host(&s->config,
                                  h2o_iovec_init(H2O_STRLIT("default")), 65535);
  gh2o_add(s, host, "/go", gh2o_go);
  gh2o_add(s, host, "/", gh2o_hello);
  h2o_context_init(&s->ctx, loop, &s->config);
  s->accept.ctx = &s->ctx;
  s->accept.hosts = s->config.hosts;
  return s;
}

int gh2o_port(const gh2o_server_t* s) { return s->port; }
uint64_t gh2o_served(const gh2o_server_t* s) { return s->served; }
int gh2o_conns(const gh2o_server_t* s) { return s->conns + s->listening; }

static void gh2o_listener_closed(uv_handle_t* h) {
  ((gh2o_server_t*) h->data)->listening = 0;
}

void gh2o_stop_listening(gh2o_server_t* s) {
  if (!uv_is_closing((uv_handle_t*) &s->listener))
    uv_close((uv_handle_t*) &s->listener, gh2o_listener_closed);
}

int gh2o_dispose(gh2o_server_t* s) {
  if (s->conns != 0 || s->listening)
    return UV_EBUSY;
  h2o_context_dispose(&s->ctx);
  h2o_config_dispose(&s->config);
  free(s);
  return 0;
}
