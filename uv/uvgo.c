/* uvgo.c: the shims libuv calls and the entry points Go calls (uvgo.h). */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "uvgo.h"
#include "_cgo_export.h"

#define LOOP_ID(h) ((uintptr_t) (h)->loop->data)
#define HANDLE_ID(h) ((uintptr_t) (h)->data)

void* uvgo_malloc(size_t n) {
#ifdef UVGO_DEBUG
  if (uvgo_alloc_fails())
    return NULL;
#endif
  return malloc(n);
}

void* uvgo_calloc(size_t n, size_t size) {
#ifdef UVGO_DEBUG
  if (uvgo_alloc_fails())
    return NULL;
#endif
  return calloc(n, size);
}

static void uvgo_post_cb(uv_async_t* h) {
  goUVPost(LOOP_ID(h));
}

/* Stops itself first: Go re-arms it if its callbacks defer more. */
static void uvgo_deferred_cb(uv_idle_t* h) {
  uv_idle_stop(h);
  goUVDeferred(LOOP_ID(h));
}

/* How long uv_run(UV_RUN_DEFAULT) runs before it returns to Go to yield. */
#define UVGO_YIELD_MS 5

/* Ends a long uv_run so that Go can reschedule the goroutine running the
 * loop (loop.go, Run), when callbacks are too rare to do it (yield.go). Go's
 * sysmon takes the P of a goroutine that has not been rescheduled for 10 ms,
 * then polls every 20 us for a millisecond, on the loop's own CPU. */
static void uvgo_yield_cb(uv_prepare_t* h) {
  uvgo_loop_t* l = (uvgo_loop_t*) h->loop;
  if (uv_now(h->loop) >= l->yield_at) {
    l->yielded = 1;
    uv_stop(h->loop);
  }
}

int uvgo_run(uv_loop_t* loop, uv_run_mode mode) {
  uvgo_loop_t* l = (uvgo_loop_t*) loop;
  l->yielded = 0;
  l->yield_at = mode == UV_RUN_DEFAULT ? uv_now(loop) + UVGO_YIELD_MS
                                       : UINT64_MAX;
  return uv_run(loop, mode);
}

uvgo_new_t uvgo_loop_new(uintptr_t id) {
  uvgo_new_t r = {NULL, 0};
  uvgo_loop_t* l = uvgo_malloc(sizeof(*l));
  if (l == NULL) {
    r.err = UV_ENOMEM;
    return r;
  }
  memset(l, 0, offsetof(uvgo_loop_t, rbuf));
  r.err = uv_loop_init(&l->loop);
  if (r.err != 0) {
    free(l);
    return r;
  }
  r.err = uv_async_init(&l->loop, &l->post, uvgo_post_cb);
  if (r.err != 0) {
    uv_loop_close(&l->loop);
    free(l);
    return r;
  }
  uv_unref((uv_handle_t*) &l->post);
  uv_idle_init(&l->loop, &l->deferred); /* cannot fail */
  uv_timer_init(&l->loop, &l->timers);  /* cannot fail */
  uv_prepare_init(&l->loop, &l->yield);
  uv_prepare_start(&l->yield, uvgo_yield_cb);
  uv_unref((uv_handle_t*) &l->yield);
  l->loop.data = (void*) id;
  l->rbuf_cap = UVGO_RBUF_SIZE;
  r.ptr = l;
  return r;
}

/* Closes the binding's own handles; the caller runs the loop to finish. */
void uvgo_internal_close(uv_loop_t* loop) {
  uvgo_loop_t* l = (uvgo_loop_t*) loop;
  loop->stop_flag = 0; /* a pending uv_stop would keep uv_run from closing */
  if (!uv_is_closing((uv_handle_t*) &l->post))
    uv_close((uv_handle_t*) &l->post, NULL);
  if (!uv_is_closing((uv_handle_t*) &l->deferred))
    uv_close((uv_handle_t*) &l->deferred, NULL);
  if (!uv_is_closing((uv_handle_t*) &l->yield))
    uv_close((uv_handle_t*) &l->yield, NULL);
  if (!uv_is_closing((uv_handle_t*) &l->timers))
    uv_close((uv_handle_t*) &l->timers, NULL);
}

void uvgo_defer_arm(uv_loop_t* loop) {
  uv_idle_start(&((uvgo_loop_t*) loop)->deferred, uvgo_deferred_cb);
}

void uvgo_set_rbuf_cap(uv_loop_t* loop, size_t cap) {
  ((uvgo_loop_t*) loop)->rbuf_cap = cap < UVGO_RBUF_SIZE ? cap : UVGO_RBUF_SIZE;
}

int uvgo_post_send(uv_loop_t* loop) {
  return uv_async_send(&((uvgo_loop_t*) loop)->post);
}

int uvgo_loop_close(uv_loop_t* loop) {
  int err = uv_loop_close(loop);
  if (err == 0) {
    uvgo_udp_loop_free(loop);
    free(loop);
  }
  return err;
}

int uvgo_loop_block_signal(uv_loop_t* loop, int sig) {
  return uv_loop_configure(loop, UV_LOOP_BLOCK_SIGNAL, sig);
}

int uvgo_loop_idle_time_metrics(uv_loop_t* loop) {
  return uv_loop_configure(loop, UV_METRICS_IDLE_TIME);
}

uv_thread_t uvgo_thread_self(void) {
  return uv_thread_self();
}

void uvgo_close_cb(uv_handle_t* h) {
  if (HANDLE_ID(h) != 0)
    goUVClose(LOOP_ID(h), HANDLE_ID(h));
  free(h);
}

void uvgo_close(uv_handle_t* h) {
  uv_close(h, uvgo_close_cb);
}

/* Whether h is the binding's own and never Go's: one of the handles
 * uvgo_loop_t holds, known by its address, or a TCP handle that
 * uvgo_tcp_renew retired (data 0), closing with the binding's close
 * callback. Neither test reads a foreign handle's data. */
static int uvgo_is_internal(const uv_handle_t* h) {
  const uvgo_loop_t* l = (const uvgo_loop_t*) h->loop;
  return h == (const uv_handle_t*) &l->post ||
         h == (const uv_handle_t*) &l->deferred ||
         h == (const uv_handle_t*) &l->yield ||
         h == (const uv_handle_t*) &l->timers ||
         (h->close_cb == uvgo_close_cb && h->data == NULL);
}

/* Passes Go every handle but the binding's internal ones, with its address:
 * Go tells its own from foreign ones by its table (loop.go, owner). */
static void uvgo_walk_cb(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uvgo_is_internal(h))
    goUVWalk(LOOP_ID(h), HANDLE_ID(h), h, h->type,
             uv_is_active(h) | uv_is_closing(h) << 1 | uv_has_ref(h) << 2);
}

void uvgo_walk(uv_loop_t* loop) {
  uv_walk(loop, uvgo_walk_cb, NULL);
}

/* Closes a foreign handle (foreign.go): Go hears of the end by its
 * address, since its data is not the binding's. */
static void uvgo_foreign_close_cb(uv_handle_t* h) {
  goUVForeignClosed(LOOP_ID(h), h);
}

void uvgo_foreign_close(uv_handle_t* h) {
  uv_close(h, uvgo_foreign_close_cb);
}

unsigned int uvgo_active_reqs(const uv_loop_t* loop) {
  return loop->active_reqs.count;
}

static void uvgo_async_cb(uv_async_t* h) {
  goUVAsync(LOOP_ID(h), HANDLE_ID(h));
}

static int handle_init(uv_loop_t* loop, uv_handle_t* h, uv_handle_type type,
                       unsigned int flags) {
  switch (type) {
  case UV_TIMER:
    return uv_timer_init(loop, (uv_timer_t*) h);
  case UV_IDLE:
    return uv_idle_init(loop, (uv_idle_t*) h);
  case UV_PREPARE:
    return uv_prepare_init(loop, (uv_prepare_t*) h);
  case UV_CHECK:
    return uv_check_init(loop, (uv_check_t*) h);
  case UV_ASYNC:
    return uv_async_init(loop, (uv_async_t*) h, flags ? uvgo_async_cb : NULL);
  case UV_TCP:
    return uv_tcp_init_ex(loop, (uv_tcp_t*) h, flags);
  case UV_NAMED_PIPE:
    return uv_pipe_init(loop, (uv_pipe_t*) h, (int) flags);
  case UV_TTY: /* the fd, then readable in bit 0 (tty.go) */
    return uv_tty_init(loop, (uv_tty_t*) h, (int) (flags >> 1),
                       (int) (flags & 1));
  case UV_SIGNAL: /* a uv_async_t in disguise (signal.go) */
    return uvgo_signal_init(loop, h);
  case UV_POLL:
    if (flags & UVGO_POLL_SOCKET)
      return uv_poll_init_socket(loop, (uv_poll_t*) h,
                                 (int) (flags & ~UVGO_POLL_SOCKET));
    return uv_poll_init(loop, (uv_poll_t*) h, (int) flags);
  case UV_FS_EVENT:
    return uv_fs_event_init(loop, (uv_fs_event_t*) h);
  case UV_FS_POLL:
    return uv_fs_poll_init(loop, (uv_fs_poll_t*) h);
  case UV_UDP:
    return uv_udp_init_ex(loop, (uv_udp_t*) h, flags);
  default:
    return UV_EINVAL;
  }
}

/* Allocates and initialises a handle of the given type and stores id in its
 * data field. On failure nothing is left allocated. */
uvgo_new_t uvgo_handle_new(uv_loop_t* loop, uv_handle_type type,
                           uintptr_t id, unsigned int flags) {
  uvgo_new_t r = {NULL, 0};
  uv_handle_t* h = uvgo_calloc(1, uv_handle_size(type) + UVGO_SLOT_SIZE);
  if (h == NULL) {
    r.err = UV_ENOMEM;
    return r;
  }
  r.err = handle_init(loop, h, type, flags);
  if (r.err != 0) {
    free(h);
    return r;
  }
  h->data = (void*) id;
  r.ptr = h;
  return r;
}

/* The loop's one libuv timer fires when its first Timer is due: Go then
 * runs every Timer due, in libuv's order, in one call (timerq.go). */
static void uvgo_timers_cb(uv_timer_t* h) {
  goUVTimers(LOOP_ID(h));
}

/* Arms the loop's timer for the loop time due (ms) and makes it keep the
 * loop alive or not, as the Timers it stands for do. */
void uvgo_timers_arm(uv_loop_t* loop, uint64_t due, int ref) {
  uv_timer_t* t = &((uvgo_loop_t*) loop)->timers;
  uv_timer_start(t, uvgo_timers_cb, due > loop->time ? due - loop->time : 0, 0);
  if (ref)
    uv_ref((uv_handle_t*) t);
  else
    uv_unref((uv_handle_t*) t);
}

void uvgo_timers_stop(uv_loop_t* loop) {
  uv_timer_stop(&((uvgo_loop_t*) loop)->timers);
}

static void uvgo_idle_cb(uv_idle_t* h) {
  goUVIdle(LOOP_ID(h), HANDLE_ID(h));
}

int uvgo_idle_start(uv_idle_t* h) {
  return uv_idle_start(h, uvgo_idle_cb);
}

static void uvgo_prepare_cb(uv_prepare_t* h) {
  goUVPrepare(LOOP_ID(h), HANDLE_ID(h));
}

int uvgo_prepare_start(uv_prepare_t* h) {
  return uv_prepare_start(h, uvgo_prepare_cb);
}

static void uvgo_check_cb(uv_check_t* h) {
  goUVCheck(LOOP_ID(h), HANDLE_ID(h));
}

int uvgo_check_start(uv_check_t* h) {
  return uv_check_start(h, uvgo_check_cb);
}

/* Fills a sockaddr from plain fields (what Go passes, addr.go); NULL for a
 * family other than AF_INET and AF_INET6 (UDP's "no address"). */
const struct sockaddr* uvgo_make_addr(struct sockaddr_storage* ss, int family,
                                      const uint8_t* ip, uint16_t port,
                                      uint32_t scope) {
  memset(ss, 0, sizeof(*ss));
  if (family == AF_INET) {
    struct sockaddr_in* a = (struct sockaddr_in*) ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    memcpy(&a->sin_addr, ip, 4);
  } else if (family == AF_INET6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*) ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_scope_id = scope;
    memcpy(&a->sin6_addr, ip, 16);
  } else {
    return NULL;
  }
  return (const struct sockaddr*) ss;
}

/* Converts a sockaddr to plain fields: EINVAL for NULL, EAFNOSUPPORT for a
 * family other than AF_INET and AF_INET6 (family is still set). */
uvgo_addr_t uvgo_sockaddr(const struct sockaddr* sa) {
  uvgo_addr_t a;
  memset(&a, 0, sizeof(a));
  if (sa == NULL) {
    a.err = UV_EINVAL;
    return a;
  }
  a.family = sa->sa_family;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in* in = (const struct sockaddr_in*) sa;
    a.port = ntohs(in->sin_port);
    memcpy(a.ip, &in->sin_addr, 4);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6* in6 = (const struct sockaddr_in6*) sa;
    a.port = ntohs(in6->sin6_port);
    a.scope = in6->sin6_scope_id;
    memcpy(a.ip, &in6->sin6_addr, 16);
  } else {
    a.err = UV_EAFNOSUPPORT;
  }
  return a;
}
