/* uvgo.h: the C side of gouv.
 *
 * libuv calls the static shims in uvgo.c; each shim reads two integers, the
 * loop's ID from loop->data and the handle's (or request's) ID from its data
 * field, and calls one Go export (export.go) with them. No Go pointer is
 * ever stored in C memory: every uv_*_t lives in memory from calloc, and the
 * IDs index per-loop tables on the Go side (package cbridge). A handle or
 * request whose data is 0 belongs to the binding itself and never reaches Go.
 *
 * The functions below are what Go calls. They pass the shims to libuv, so
 * that function pointers never travel through Go.
 */
#ifndef UVGO_H_
#define UVGO_H_

#include <stdint.h>
#include <stdlib.h>
#include <uv.h>

#if UV_VERSION_HEX < 0x012c00
#error "gouv needs libuv 1.44 or newer (third_party/libuv/install.sh)"
#endif

/* The size of the per-loop read buffer that alloc_cb lends to streams. */
#define UVGO_RBUF_SIZE 65536
/* The most buffers one WriteV takes (IOV_MAX on Linux). */
#define UVGO_MAX_VEC 1024

/* A loop allocated with the buffer its streams read into. loop.data holds
 * the Go Loop's ID. */
typedef struct {
  uv_loop_t loop;
  uv_async_t post;          /* wakes the loop for Loop.Post; data is 0 */
  uv_idle_t deferred;       /* runs deferred Go callbacks; data is 0 */
  uv_prepare_t yield;       /* ends uv_run now and then; data is 0 */
  uint64_t yield_at;        /* loop time (ms) after which it does */
  int yielded;              /* set when it did */
  size_t rbuf_cap;          /* 0 makes alloc_cb fail (tests) */
  uv_buf_t vec[UVGO_MAX_VEC]; /* WriteV fills it with pinned Go buffers */
  char rbuf[UVGO_RBUF_SIZE];
} uvgo_loop_t;

/* A pointer and a libuv status, returned by value so Go passes no pointer. */
typedef struct {
  void* ptr;
  int err;
} uvgo_new_t;

/* Every allocation the binding's C makes goes through these two (uvgo.c),
 * so that uvdebug builds can make them fail on demand (issue: allocation
 * faults). Free with free(). */
void* uvgo_malloc(size_t n);
void* uvgo_calloc(size_t n, size_t size);

uvgo_new_t uvgo_loop_new(uintptr_t id);
int uvgo_loop_close(uv_loop_t* loop);
int uvgo_run(uv_loop_t* loop, uv_run_mode mode);
void uvgo_internal_close(uv_loop_t* loop);
int uvgo_post_send(uv_loop_t* loop);
void uvgo_defer_arm(uv_loop_t* loop);
void uvgo_set_rbuf_cap(uv_loop_t* loop, size_t cap);
int uvgo_loop_block_signal(uv_loop_t* loop, int sig);
int uvgo_loop_idle_time_metrics(uv_loop_t* loop);
uv_thread_t uvgo_thread_self(void);

uvgo_new_t uvgo_handle_new(uv_loop_t* loop, uv_handle_type type,
                           uintptr_t id, unsigned int flags);
void uvgo_close(uv_handle_t* h);
void uvgo_close_cb(uv_handle_t* h);
void uvgo_walk(uv_loop_t* loop);

int uvgo_timer_start(uv_timer_t* t, uint64_t timeout, uint64_t repeat);
int uvgo_idle_start(uv_idle_t* h);
int uvgo_prepare_start(uv_prepare_t* h);
int uvgo_check_start(uv_check_t* h);

/* Streams (stream.go, tcp.go, pipe.go). */

/* A socket address in plain fields, returned by value to Go. */
typedef struct {
  int err;
  int family;
  uint16_t port;
  uint32_t scope;
  uint8_t ip[16];
} uvgo_addr_t;

int uvgo_listen(uv_stream_t* s, int backlog);
int uvgo_read_start(uv_stream_t* s);
int uvgo_write(uv_stream_t* s, const char* p, size_t n, uintptr_t id,
               int try_first);
int uvgo_writev(uv_stream_t* s, const uv_buf_t* bufs, unsigned int nbufs,
                uintptr_t id, int try_first);
int uvgo_try_write(uv_stream_t* s, const char* p, size_t n);
uv_buf_t* uvgo_vec(uv_loop_t* loop);
int uvgo_shutdown(uv_stream_t* s, uintptr_t id);

int uvgo_tcp_bind(uv_tcp_t* t, int family, const uint8_t* ip, uint16_t port,
                  uint32_t scope, unsigned int flags, int reuseport);
int uvgo_tcp_connect(uv_tcp_t* t, int family, const uint8_t* ip,
                     uint16_t port, uint32_t scope, uintptr_t id);
uvgo_addr_t uvgo_tcp_addr(const uv_tcp_t* t, int peer);
int uvgo_tcp_close_reset(uv_tcp_t* t);

int uvgo_pipe_connect(uv_pipe_t* p, const char* name, uintptr_t id);
int uvgo_pipe_name(const uv_pipe_t* p, int peer, char* buf, size_t cap);



/* Loop requests (request.go: fs, dns, work, random). Their shims call
 * goUVReq(LOOP_ID(req), req->data, status) and clean up and free the
 * request after it returns. */
#define UVGO_REQ_LOOP_ID(r) ((uintptr_t) (r)->loop->data)
#define UVGO_REQ_ID(r) ((uintptr_t) (r)->data)

/* Allocation faults (uvgo_fault.c, testhooks_debug.go): uvdebug builds
 * only, where a uvdebug-tagged Go file defines UVGO_DEBUG. */
#ifdef UVGO_DEBUG
int uvgo_alloc_fails(void);
void uvgo_alloc_fault(int64_t at, int after);
int64_t uvgo_alloc_count(void);
int64_t uvgo_alloc_failed(void);
#endif
#endif /* UVGO_H_ */
