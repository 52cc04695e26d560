/* uvgo_udp.c: the UDP shims (uvgo.h, udp.go). */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "uvgo.h"
#include "_cgo_export.h"

#define LOOP_ID(h) ((uintptr_t) (h)->loop->data)
#define HANDLE_ID(h) ((uintptr_t) (h)->data)

/* A loop's receive state, allocated by the first RecvStart on it. Received
 * datagrams are collected in d and handed to Go in one call: one per
 * datagram from recvmsg, one per batch from recvmmsg. */
typedef struct {
  char* mbuf;         /* UVGO_MMSG_CHUNKS chunks, for RECVMMSG handles */
  unsigned int n;     /* datagrams in d waiting for Go */
  uint64_t calls;     /* calls into Go, for the tests */
  int no_try;         /* tests: Send queues without trying first */
  uv_udp_t* batch;    /* the handle whose batch of datagrams Go handles */
  uvgo_dgram_t d[UVGO_MMSG_CHUNKS];
} uvgo_udp_loop_t;

/* A queued send and a copy of its datagram. */
typedef struct {
  uv_udp_send_t req;
  uv_buf_t buf;
  char data[];
} uvgo_udp_send_req_t;

static uvgo_udp_loop_t* udp_state(uv_loop_t* loop) {
  return ((uvgo_loop_t*) loop)->udp;
}

void uvgo_udp_loop_free(uv_loop_t* loop) {
  uvgo_udp_loop_t* s = udp_state(loop);
  if (s == NULL)
    return;
  free(s->mbuf);
  free(s);
  ((uvgo_loop_t*) loop)->udp = NULL;
}

/* Returns the loop's receive state, allocating it on first use. */
static uvgo_udp_loop_t* udp_state_new(uv_loop_t* loop) {
  uvgo_loop_t* l = (uvgo_loop_t*) loop;
  if (l->udp == NULL)
    l->udp = uvgo_calloc(1, sizeof(uvgo_udp_loop_t));
  return l->udp;
}

int uvgo_udp_set_try_first(uv_loop_t* loop, int on) {
  uvgo_udp_loop_t* s = udp_state_new(loop);
  if (s == NULL)
    return UV_ENOMEM;
  s->no_try = !on;
  return 0;
}

uint64_t uvgo_udp_recv_calls(uv_loop_t* loop) {
  uvgo_udp_loop_t* s = udp_state(loop);
  return s == NULL ? 0 : s->calls;
}

/* Converts a sockaddr to plain fields; family stays 0 for NULL or a family
 * other than AF_INET and AF_INET6. */
static void udp_addr_fields(const struct sockaddr* sa, uvgo_addr_t* a) {
  memset(a, 0, sizeof(*a));
  if (sa == NULL)
    return;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in* in = (const struct sockaddr_in*) sa;
    a->family = AF_INET;
    a->port = ntohs(in->sin_port);
    memcpy(a->ip, &in->sin_addr, 4);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6* in6 = (const struct sockaddr_in6*) sa;
    a->family = AF_INET6;
    a->port = ntohs(in6->sin6_port);
    a->scope = in6->sin6_scope_id;
    memcpy(a->ip, &in6->sin6_addr, 16);
  }
}

int uvgo_udp_bind(uv_udp_t* u, int family, const uint8_t* ip, uint16_t port,
                  uint32_t scope, unsigned int flags) {
  struct sockaddr_storage ss;
  return uv_udp_bind(u, uvgo_make_addr(&ss, family, ip, port, scope), flags);
}

/* Connects, or disconnects when family is 0. */
int uvgo_udp_connect(uv_udp_t* u, int family, const uint8_t* ip,
                     uint16_t port, uint32_t scope) {
  struct sockaddr_storage ss;
  return uv_udp_connect(u, uvgo_make_addr(&ss, family, ip, port, scope));
}

uvgo_addr_t uvgo_udp_addr(const uv_udp_t* u, int peer) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  uvgo_addr_t a;
  int err = peer ? uv_udp_getpeername(u, (struct sockaddr*) &ss, &len)
                 : uv_udp_getsockname(u, (struct sockaddr*) &ss, &len);
  udp_addr_fields(err == 0 ? (struct sockaddr*) &ss : NULL, &a);
  a.err = err;
  if (err == 0 && a.family == 0)
    a.family = ss.ss_family; /* fromAddr says EAFNOSUPPORT */
  return a;
}

static void uvgo_udp_send_cb(uv_udp_send_t* req, int status) {
  uintptr_t loop = LOOP_ID(req->handle);
  uintptr_t id = (uintptr_t) req->data;
  free(req);
  if (id != 0)
    goUVRequest(loop, id, status);
}

/* The errors uv_udp_send returns itself (bad address, connected or not,
 * the implicit bind): uv_udp_try_send returns the same before it sends. The
 * others come from sendmsg and are the send's result. */
static int send_refused(int err) {
  switch (err) {
  case UV_EINVAL:
  case UV_EISCONN:
  case UV_EDESTADDRREQ:
  case UV_EMFILE:
  case UV_ENFILE:
  case UV_ENOMEM:
    return 1;
  }
  return 0;
}

/* Sends the datagram now when the socket takes it (uv_udp_try_send), else
 * queues a copy of it (uv_udp_send). */
uvgo_send_t uvgo_udp_send(uv_udp_t* u, const char* p, size_t n, int family,
                          const uint8_t* ip, uint16_t port, uint32_t scope,
                          uintptr_t id) {
  struct sockaddr_storage ss;
  const struct sockaddr* sa = uvgo_make_addr(&ss, family, ip, port, scope);
  uv_buf_t buf = uv_buf_init((char*) p, (unsigned int) n);
  uvgo_udp_send_req_t* w;
  uvgo_send_t r = {0, 0};
  uvgo_udp_loop_t* s = udp_state(u->loop);
  /* A reply to a batch of datagrams (several from one recvmmsg) is queued
   * rather than tried: libuv sends the queue with one sendmmsg once the
   * batch is handled, as it does for uv_udp_send from a recv callback. */
  int queue = s != NULL && (s->no_try || s->batch == u);
  int err = queue ? UV_EAGAIN : uv_udp_try_send(u, &buf, 1, sa);
  if (err >= 0)
    return r;
  if (err != UV_EAGAIN) {
    r.r = send_refused(err) ? -1 : 0;
    r.status = err;
    return r;
  }
  w = uvgo_malloc(sizeof(*w) + n);
  if (w == NULL) {
    r.r = -1;
    r.status = UV_ENOMEM;
    return r;
  }
  if (n > 0)
    memcpy(w->data, p, n);
  w->buf = uv_buf_init(w->data, (unsigned int) n);
  w->req.data = (void*) id;
  err = uv_udp_send(&w->req, u, &w->buf, 1, sa, uvgo_udp_send_cb);
  if (err != 0) {
    free(w);
    r.r = -1;
    r.status = err;
    return r;
  }
  r.r = 1;
  return r;
}

int uvgo_udp_try_send(uv_udp_t* u, const char* p, size_t n, int family,
                      const uint8_t* ip, uint16_t port, uint32_t scope) {
  struct sockaddr_storage ss;
  uv_buf_t buf = uv_buf_init((char*) p, (unsigned int) n);
  return uv_udp_try_send(u, &buf, 1,
                         uvgo_make_addr(&ss, family, ip, port, scope));
}

/* Non-recvmmsg handles read into the loop's stream buffer, one datagram at
 * a time; recvmmsg handles into a buffer of UVGO_MMSG_CHUNKS chunks, where
 * one recvmmsg places up to that many datagrams. */
static void uvgo_udp_alloc_cb(uv_handle_t* h, size_t suggested,
                              uv_buf_t* buf) {
  uvgo_loop_t* l = (uvgo_loop_t*) h->loop;
  (void) suggested;
  if (l->rbuf_cap > 0 && uv_udp_using_recvmmsg((uv_udp_t*) h)) {
    buf->base = udp_state(h->loop)->mbuf;
    buf->len = UVGO_MMSG_CHUNKS * UVGO_DGRAM_MAX;
    return;
  }
  buf->base = l->rbuf;
  buf->len = l->rbuf_cap;
}

/* Hands the collected datagrams to Go in one call. */
static void udp_flush(uv_udp_t* u, uvgo_udp_loop_t* s) {
  unsigned int n = s->n;
  if (n == 0)
    return;
  s->n = 0;
  s->calls++;
  s->batch = n > 1 ? u : NULL;
  goUVUDPRecv(LOOP_ID(u), HANDLE_ID(u), s->d, n);
  s->batch = NULL;
}

/* Collects what libuv reports: a recvmmsg chunk (UV_UDP_MMSG_CHUNK) waits
 * for the batch's UV_UDP_MMSG_FREE, which sends the batch to Go; anything
 * else goes at once. "Nothing more" (nread 0 without an address) and the
 * MMSG flags stay here. */
static void uvgo_udp_recv_cb(uv_udp_t* u, ssize_t nread, const uv_buf_t* buf,
                             const struct sockaddr* addr, unsigned flags) {
  uvgo_udp_loop_t* s = udp_state(u->loop);
  uvgo_dgram_t* d;
  if (flags & UV_UDP_MMSG_FREE) {
    udp_flush(u, s);
    return;
  }
  if (nread == 0 && addr == NULL)
    return;
  if (s->n == UVGO_MMSG_CHUNKS)
    udp_flush(u, s);
  d = &s->d[s->n++];
  d->base = nread >= 0 ? buf->base : NULL;
  d->nread = nread;
  d->flags = flags & ~(UV_UDP_MMSG_CHUNK | UV_UDP_MMSG_FREE);
  udp_addr_fields(addr, &d->addr);
  if (!(flags & UV_UDP_MMSG_CHUNK))
    udp_flush(u, s);
}

int uvgo_udp_recv_start(uv_udp_t* u) {
  uvgo_udp_loop_t* s = udp_state_new(u->loop);
  if (s == NULL)
    return UV_ENOMEM;
  if (s->mbuf == NULL && uv_udp_using_recvmmsg(u)) {
    s->mbuf = uvgo_malloc(UVGO_MMSG_CHUNKS * UVGO_DGRAM_MAX);
    if (s->mbuf == NULL)
      return UV_ENOMEM;
  }
  return uv_udp_recv_start(u, uvgo_udp_alloc_cb, uvgo_udp_recv_cb);
}
