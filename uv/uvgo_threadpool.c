/* uvgo_threadpool.c: queued work and random requests (threadpool.go,
 * random.go, uvgo.h), and the handle swap of TCP.ConnectHost. */
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "uvgo.h"
#include "_cgo_export.h"

/* A work request and the key of its Go function. */
typedef struct {
  uv_work_t req;
  uintptr_t key;
} uvgo_work_t;

/* Runs on a pool thread: Go finds the function by key, in a registry that
 * is safe to use from any thread (never the loop's tables). */
static void uvgo_work_cb(uv_work_t* req) {
  goUVWork(((uvgo_work_t*) req)->key);
}

static void uvgo_after_work_cb(uv_work_t* req, int status) {
  goUVReq(UVGO_REQ_LOOP_ID(req), UVGO_REQ_ID(req), status);
  free(req);
}

uvgo_new_t uvgo_queue_work(uv_loop_t* loop, uintptr_t id, uintptr_t key) {
  uvgo_new_t r = {NULL, 0};
  uvgo_work_t* w = uvgo_calloc(1, sizeof(*w));
  if (w == NULL) {
    r.err = UV_ENOMEM;
    return r;
  }
  w->key = key;
  w->req.data = (void*) id;
  r.err = uv_queue_work(loop, &w->req, uvgo_work_cb, uvgo_after_work_cb);
  if (r.err != 0) {
    free(w);
    return r;
  }
  r.ptr = w;
  return r;
}

/* A random request and the C buffer the pool fills; Go copies it out in
 * the callback. */
typedef struct {
  uv_random_t req;
  char data[];
} uvgo_random_t;

static void uvgo_random_cb(uv_random_t* req, int status, void* buf,
                           size_t len) {
  goUVReq(UVGO_REQ_LOOP_ID(req), UVGO_REQ_ID(req), status);
  free(req);
}

uvgo_new_t uvgo_random(uv_loop_t* loop, uintptr_t id, size_t n) {
  uvgo_new_t r = {NULL, 0};
  uvgo_random_t* q = uvgo_malloc(sizeof(*q) + n);
  if (q == NULL) {
    r.err = UV_ENOMEM;
    return r;
  }
  memset(&q->req, 0, sizeof(q->req));
  q->req.data = (void*) id;
  r.err = uv_random(loop, &q->req, q->data, n, 0, uvgo_random_cb);
  if (r.err != 0) {
    free(q);
    return r;
  }
  r.ptr = q;
  return r;
}

char* uvgo_random_data(uv_random_t* req) {
  return ((uvgo_random_t*) req)->data;
}

/* Replaces old, a TCP handle whose connect failed (libuv cannot connect a
 * handle twice), by a fresh handle of the same loop, with old's data (the
 * Go handle's ID), reference state and TCP_NODELAY and keep-alive settings;
 * libuv applies those when the next connect creates the socket. old is
 * closed, with data 0 so that Go never hears of it, and freed by
 * uvgo_close_cb. */
uvgo_new_t uvgo_tcp_renew(uv_tcp_t* old) {
  uvgo_new_t r = {NULL, 0};
  uv_tcp_t* t = uvgo_calloc(1, sizeof(*t) + UVGO_SLOT_SIZE);
  uv_os_fd_t fd;
  if (t == NULL) {
    r.err = UV_ENOMEM;
    return r;
  }
  r.err = uv_tcp_init(old->loop, t);
  if (r.err != 0) {
    free(t);
    return r;
  }
  if (uv_fileno((uv_handle_t*) old, &fd) == 0) {
    int on = 0, idle = 0;
    socklen_t len = sizeof(on);
    if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0 && on)
      uv_tcp_nodelay(t, 1);
    len = sizeof(on);
    on = 0;
    if (getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, &len) == 0 && on) {
      len = sizeof(idle);
      if (getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &len) != 0 ||
          idle < 1)
        idle = 1;
      uv_tcp_keepalive(t, 1, (unsigned int) idle);
    }
  }
  if (!uv_has_ref((uv_handle_t*) old))
    uv_unref((uv_handle_t*) t);
  t->data = old->data;
  old->data = NULL;
  uv_close((uv_handle_t*) old, uvgo_close_cb);
  r.ptr = t;
  return r;
}
