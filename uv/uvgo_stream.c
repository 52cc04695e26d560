/* uvgo_stream.c: the stream, TCP and pipe shims (uvgo.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "uvgo.h"
#include "_cgo_export.h"

#define LOOP_ID(h) ((uintptr_t) (h)->loop->data)
#define HANDLE_ID(h) ((uintptr_t) (h)->data)

/* A queued write and the bytes uv_try_write could not send at once. */
typedef struct {
  uv_write_t req;
  uv_buf_t buf;
  char data[];
} uvgo_write_t;

static void uvgo_connection_cb(uv_stream_t* s, int status) {
  goUVConnection(LOOP_ID(s), HANDLE_ID(s), status);
}

int uvgo_listen(uv_stream_t* s, int backlog) {
  return uv_listen(s, backlog, uvgo_connection_cb);
}

/* Every stream reads into its loop's buffer: reads are handed to Go one at
 * a time and the slice is valid only during the callback. */
static void uvgo_alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  uvgo_loop_t* l = (uvgo_loop_t*) h->loop;
  (void) suggested;
  buf->base = l->rbuf;
  buf->len = l->rbuf_cap;
}

static void uvgo_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread == 0) /* EAGAIN: nothing to tell */
    return;
  goUVRead(LOOP_ID(s), HANDLE_ID(s), nread, nread > 0 ? buf->base : NULL);
}

int uvgo_read_start(uv_stream_t* s) {
  return uv_read_start(s, uvgo_alloc_cb, uvgo_read_cb);
}

/* Frees a finished request of stream s; Go hears of it only when it has a
 * callback (a non-zero ID in data). */
static void req_done(void* req, uintptr_t id, uv_stream_t* s, int status) {
  uintptr_t loop = LOOP_ID(s);
  free(req);
  if (id != 0)
    goUVRequest(loop, id, status);
}

static void uvgo_write_cb(uv_write_t* req, int status) {
  req_done(req, (uintptr_t) req->data, req->handle, status);
}

/* Queues bufs (whose first skip bytes were already written) as one request
 * owning a copy of the rest, with send (NULL for none) passed along as
 * uv_write2 does. */
static int queue_copy(uv_stream_t* s, const uv_buf_t* bufs,
                      unsigned int nbufs, size_t skip, size_t total,
                      uv_stream_t* send, uintptr_t id) {
  uvgo_write_t* w = uvgo_malloc(sizeof(*w) + (total - skip));
  size_t off = 0;
  unsigned int i;
  int err;
  if (w == NULL)
    return UV_ENOMEM;
  for (i = 0; i < nbufs; i++) {
    size_t len = bufs[i].len, from = 0;
    if (skip >= len) {
      skip -= len;
      continue;
    }
    from = skip;
    skip = 0;
    memcpy(w->data + off, bufs[i].base + from, len - from);
    off += len - from;
  }
  w->buf = uv_buf_init(w->data, (unsigned int) off);
  w->req.data = (void*) id;
  err = uv_write2(&w->req, s, &w->buf, 1, send, uvgo_write_cb);
  if (err != 0)
    free(w);
  return err;
}

/* Writes what the socket takes now (uv_try_write, when try_first) and
 * queues a copy of the rest (uv_write). Returns 0 when all was written, 1
 * when a request was queued, or a libuv error. */
int uvgo_writev(uv_stream_t* s, const uv_buf_t* bufs, unsigned int nbufs,
                uintptr_t id, int try_first) {
  size_t total = 0;
  unsigned int i;
  int r = 0;
  for (i = 0; i < nbufs; i++)
    total += bufs[i].len;
  if (try_first)
    r = uv_try_write(s, bufs, nbufs);
  if (r == UV_EAGAIN)
    r = 0;
  else if (r < 0)
    return r;
  if ((size_t) r == total && total > 0)
    return 0;
  r = queue_copy(s, bufs, nbufs, (size_t) r, total, NULL, id);
  return r < 0 ? r : 1;
}

/* Queues a copy of p with the handle send (uv_write2): handles are never
 * tried first, since the fd must travel with a queued request's bytes. */
int uvgo_write2(uv_stream_t* s, const char* p, size_t n, uv_stream_t* send,
                uintptr_t id) {
  uv_buf_t buf = uv_buf_init((char*) p, (unsigned int) n);
  return queue_copy(s, &buf, 1, 0, n, send, id);
}

int uvgo_write(uv_stream_t* s, const char* p, size_t n, uintptr_t id,
               int try_first) {
  uv_buf_t buf = uv_buf_init((char*) p, (unsigned int) n);
  return uvgo_writev(s, &buf, 1, id, try_first);
}

int uvgo_try_write(uv_stream_t* s, const char* p, size_t n) {
  uv_buf_t buf = uv_buf_init((char*) p, (unsigned int) n);
  return uv_try_write(s, &buf, 1);
}

uv_buf_t* uvgo_vec(uv_loop_t* loop) {
  return ((uvgo_loop_t*) loop)->vec;
}

static void uvgo_shutdown_cb(uv_shutdown_t* req, int status) {
  req_done(req, (uintptr_t) req->data, req->handle, status);
}

int uvgo_shutdown(uv_stream_t* s, uintptr_t id) {
  uv_shutdown_t* req = uvgo_malloc(sizeof(*req));
  int err;
  if (req == NULL)
    return UV_ENOMEM;
  req->data = (void*) id;
  err = uv_shutdown(req, s, uvgo_shutdown_cb);
  if (err != 0)
    free(req);
  return err;
}

/* Sets SO_REUSEPORT on the handle's socket, creating the socket first when
 * the handle has none (libuv 1.44 has no UV_TCP_REUSEPORT). */
static int set_reuseport(uv_tcp_t* t, int family) {
  uv_os_fd_t fd;
  int on = 1, err;
  if (uv_fileno((uv_handle_t*) t, &fd) != 0) {
    fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
      return -errno;
    err = uv_tcp_open(t, fd);
    if (err != 0) {
      close(fd);
      return err;
    }
  }
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
    return -errno;
  return 0;
}

int uvgo_tcp_bind(uv_tcp_t* t, int family, const uint8_t* ip, uint16_t port,
                  uint32_t scope, unsigned int flags, int reuseport) {
  struct sockaddr_storage ss;
  int err;
  if (reuseport) {
    err = set_reuseport(t, family);
    if (err != 0)
      return err;
  }
  uvgo_make_addr(&ss, family, ip, port, scope);
  return uv_tcp_bind(t, (struct sockaddr*) &ss, flags);
}

static void uvgo_connect_cb(uv_connect_t* req, int status) {
  req_done(req, (uintptr_t) req->data, req->handle, status);
}

int uvgo_tcp_connect(uv_tcp_t* t, int family, const uint8_t* ip,
                     uint16_t port, uint32_t scope, uintptr_t id) {
  struct sockaddr_storage ss;
  uv_connect_t* req = uvgo_malloc(sizeof(*req));
  int err;
  if (req == NULL)
    return UV_ENOMEM;
  uvgo_make_addr(&ss, family, ip, port, scope);
  req->data = (void*) id;
  err = uv_tcp_connect(req, t, (struct sockaddr*) &ss, uvgo_connect_cb);
  if (err != 0)
    free(req);
  return err;
}

uvgo_addr_t uvgo_tcp_addr(const uv_tcp_t* t, int peer) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  uvgo_addr_t a;
  int err = peer ? uv_tcp_getpeername(t, (struct sockaddr*) &ss, &len)
                 : uv_tcp_getsockname(t, (struct sockaddr*) &ss, &len);
  if (err == 0)
    return uvgo_sockaddr((struct sockaddr*) &ss);
  memset(&a, 0, sizeof(a));
  a.err = err;
  return a;
}

int uvgo_tcp_close_reset(uv_tcp_t* t) {
  return uv_tcp_close_reset(t, uvgo_close_cb);
}

int uvgo_pipe_connect(uv_pipe_t* p, const char* name, uintptr_t id) {
  uv_connect_t* req = uvgo_malloc(sizeof(*req));
  if (req == NULL)
    return UV_ENOMEM;
  req->data = (void*) id;
  uv_pipe_connect(req, p, name, uvgo_connect_cb);
  return 0;
}

int uvgo_pipe_name(const uv_pipe_t* p, int peer, char* buf, size_t cap) {
  size_t len = cap;
  int err = peer ? uv_pipe_getpeername(p, buf, &len)
                 : uv_pipe_getsockname(p, buf, &len);
  return err != 0 ? err : (int) len;
}
