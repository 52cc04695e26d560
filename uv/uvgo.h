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
/* The shared build (tag uvshared, cgo_shared.go) takes 1.44.x only, since
 * the libuv.so.1 found at run time is the one the headers describe. */
#if defined(UVGO_SHARED) && (UV_VERSION_MAJOR != 1 || UV_VERSION_MINOR != 44)
#error "gouv's uvshared build needs libuv 1.44.x (third_party/libuv/VERSION)"
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
  uv_timer_t timers;        /* due when the loop's first Timer is (timer.go,
                               timerq.go); data is 0 */
  uint64_t yield_at;        /* loop time (ms) after which it does */
  int yielded;              /* set when it did */
  size_t rbuf_cap;          /* 0 makes alloc_cb fail (tests) */
  void* udp;                /* uvgo_udp.c's receive state, from the first
                               UDP RecvStart; freed with the loop */
  uv_buf_t vec[UVGO_MAX_VEC]; /* WriteV fills it with pinned Go buffers */
  char rbuf[UVGO_RBUF_SIZE];
} uvgo_loop_t;

/* Every handle's memory has one pointer-sized word past its uv_*_t (at
 * uv_handle_size(type) bytes), zeroed and never used by gouv: the slot that
 * add-on packages' C code keeps its per-handle state in (addon.go). */
#define UVGO_SLOT_SIZE sizeof(void*)

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
void uvgo_foreign_close(uv_handle_t* h);
unsigned int uvgo_active_reqs(const uv_loop_t* loop);

void uvgo_timers_arm(uv_loop_t* loop, uint64_t due, int ref);
void uvgo_timers_stop(uv_loop_t* loop);
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

/* Socket addresses to and from plain fields (uvgo.c). */
const struct sockaddr* uvgo_make_addr(struct sockaddr_storage* ss, int family,
                                      const uint8_t* ip, uint16_t port,
                                      uint32_t scope);
uvgo_addr_t uvgo_sockaddr(const struct sockaddr* sa);

int uvgo_listen(uv_stream_t* s, int backlog);
int uvgo_read_start(uv_stream_t* s);
int uvgo_write(uv_stream_t* s, const char* p, size_t n, uintptr_t id,
               int try_first);
int uvgo_writev(uv_stream_t* s, const uv_buf_t* bufs, unsigned int nbufs,
                uintptr_t id, int try_first);
int uvgo_try_write(uv_stream_t* s, const char* p, size_t n);
int uvgo_write2(uv_stream_t* s, const char* p, size_t n, uv_stream_t* send,
                uintptr_t id);
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
/* Signals (signal.go, uvgo_signal.c): a Signal's C handle is a uv_async_t,
 * unreferenced until started, in memory the size of a uv_signal_t. */
int uvgo_signal_init(uv_loop_t* loop, uv_handle_t* h);

/* Poll, FSEvent and FSPoll (poll.go, fs_event.go, fs_poll.go;
 * uvgo_fswatch.c). handle_init (uvgo.c) takes a poll handle's fd in its
 * flags, with UVGO_POLL_SOCKET set for uv_poll_init_socket. */
#define UVGO_POLL_SOCKET 0x80000000u
int uvgo_poll_start(uv_poll_t* h, int events);
int uvgo_fs_event_start(uv_fs_event_t* h, const char* path,
                        unsigned int flags);
int uvgo_fs_poll_start(uv_fs_poll_t* h, const char* path,
                       unsigned int interval);

/* DNS, thread-pool work and random (dns.go, threadpool.go, random.go;
 * uvgo_dns.c, uvgo_threadpool.c). With async set, the request goes to the
 * thread pool and its shim calls goUVReq, then frees it; without, libuv
 * runs it inline and ptr is the finished request, for Go to read and free
 * (uvgo_getaddrinfo_free, free). */
uvgo_new_t uvgo_getaddrinfo(uv_loop_t* loop, uintptr_t id, const char* node,
                            const char* service, int has_hints, int family,
                            int socktype, int protocol, int flags, int async);
void uvgo_getaddrinfo_free(uv_getaddrinfo_t* req);
uvgo_new_t uvgo_getnameinfo(uv_loop_t* loop, uintptr_t id, int family,
                            const uint8_t* ip, uint16_t port, uint32_t scope,
                            int flags, int async);
/* key finds the work's Go function in threadpool.go's registry. */
uvgo_new_t uvgo_queue_work(uv_loop_t* loop, uintptr_t id, uintptr_t key);
uvgo_new_t uvgo_random(uv_loop_t* loop, uintptr_t id, size_t n);
char* uvgo_random_data(uv_random_t* req);
/* Replaces a TCP handle whose connect failed by a fresh one (tcp_host.go). */
uvgo_new_t uvgo_tcp_renew(uv_tcp_t* old);


/* UDP (udp.go, uvgo_udp.c). */

/* How many 64 KiB chunks the buffer of a UV_UDP_RECVMMSG handle holds:
 * libuv 1.44 reads at most 20 datagrams per recvmmsg (UV__MMSG_MAXWIDTH)
 * and passes each chunk's datagram to recv_cb. */
#define UVGO_MMSG_CHUNKS 20
#define UVGO_DGRAM_MAX 65536

/* A received datagram (or error) as Go reads it: base points into the
 * loop's read buffer, valid during the Go callback only. */
typedef struct {
  char* base;
  ssize_t nread;
  unsigned int flags;
  uvgo_addr_t addr;
} uvgo_dgram_t;

/* The result of a send: r is 0 when it is done (status is its result), 1
 * when a request was queued, -1 when uv_udp_send refused it (status). */
typedef struct {
  int r;
  int status;
} uvgo_send_t;

int uvgo_udp_bind(uv_udp_t* u, int family, const uint8_t* ip, uint16_t port,
                  uint32_t scope, unsigned int flags);
int uvgo_udp_connect(uv_udp_t* u, int family, const uint8_t* ip,
                     uint16_t port, uint32_t scope);
uvgo_addr_t uvgo_udp_addr(const uv_udp_t* u, int peer);
uvgo_send_t uvgo_udp_send(uv_udp_t* u, const char* p, size_t n, int family,
                          const uint8_t* ip, uint16_t port, uint32_t scope,
                          uintptr_t id);
int uvgo_udp_try_send(uv_udp_t* u, const char* p, size_t n, int family,
                      const uint8_t* ip, uint16_t port, uint32_t scope);
int uvgo_udp_recv_start(uv_udp_t* u);
uint64_t uvgo_udp_recv_calls(uv_loop_t* loop);
int uvgo_udp_set_try_first(uv_loop_t* loop, int on);
void uvgo_udp_loop_free(uv_loop_t* loop);
/* Processes (process.go, uvgo_process.c): the handle is a uv_poll_t on the
 * child's pidfd, started. */
uvgo_new_t uvgo_process_new(uv_loop_t* loop, uintptr_t id, int pidfd);


/* File system requests (fs.go, fs_attr.go, fs_dir.go, uvgo_fs.c). With
 * a non-zero id each starts its request and returns it in ptr (NULL and
 * the error when the start failed); with id 0 it runs synchronously and
 * returns the finished request, which Go releases with uvgo_fs_free. */
void uvgo_fs_free(uv_fs_t* req);
void uvgo_fs_readdir_done(uv_fs_t* req);
uvgo_new_t uvgo_fs_open(uv_loop_t* l, uintptr_t id, const char* path,
                        int flags, int mode);
uvgo_new_t uvgo_fs_close(uv_loop_t* l, uintptr_t id, int fd);
uvgo_new_t uvgo_fs_read(uv_loop_t* l, uintptr_t id, int fd,
                        const uv_buf_t* bufs, unsigned int nbufs,
                        int64_t off);
uvgo_new_t uvgo_fs_write(uv_loop_t* l, uintptr_t id, int fd,
                         const uv_buf_t* bufs, unsigned int nbufs,
                         int64_t off);
uvgo_new_t uvgo_fs_unlink(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_mkdir(uv_loop_t* l, uintptr_t id, const char* path,
                         int mode);
uvgo_new_t uvgo_fs_mkdtemp(uv_loop_t* l, uintptr_t id, const char* tpl);
uvgo_new_t uvgo_fs_mkstemp(uv_loop_t* l, uintptr_t id, const char* tpl);
uvgo_new_t uvgo_fs_rmdir(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_opendir(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_closedir(uv_loop_t* l, uintptr_t id, uv_dir_t* dir);
uvgo_new_t uvgo_fs_readdir(uv_loop_t* l, uintptr_t id, uv_dir_t* dir,
                           size_t n);
uvgo_new_t uvgo_fs_scandir(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_stat(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_fstat(uv_loop_t* l, uintptr_t id, int fd);
uvgo_new_t uvgo_fs_lstat(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_statfs(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_rename(uv_loop_t* l, uintptr_t id, const char* path,
                          const char* new_path);
uvgo_new_t uvgo_fs_fsync(uv_loop_t* l, uintptr_t id, int fd);
uvgo_new_t uvgo_fs_fdatasync(uv_loop_t* l, uintptr_t id, int fd);
uvgo_new_t uvgo_fs_ftruncate(uv_loop_t* l, uintptr_t id, int fd,
                             int64_t off);
uvgo_new_t uvgo_fs_copyfile(uv_loop_t* l, uintptr_t id, const char* path,
                            const char* new_path, int flags);
uvgo_new_t uvgo_fs_sendfile(uv_loop_t* l, uintptr_t id, int out_fd,
                            int in_fd, int64_t in_off, size_t length);
uvgo_new_t uvgo_fs_access(uv_loop_t* l, uintptr_t id, const char* path,
                          int mode);
uvgo_new_t uvgo_fs_chmod(uv_loop_t* l, uintptr_t id, const char* path,
                         int mode);
uvgo_new_t uvgo_fs_fchmod(uv_loop_t* l, uintptr_t id, int fd, int mode);
uvgo_new_t uvgo_fs_utime(uv_loop_t* l, uintptr_t id, const char* path,
                         double atime, double mtime);
uvgo_new_t uvgo_fs_futime(uv_loop_t* l, uintptr_t id, int fd, double atime,
                          double mtime);
uvgo_new_t uvgo_fs_lutime(uv_loop_t* l, uintptr_t id, const char* path,
                          double atime, double mtime);
uvgo_new_t uvgo_fs_link(uv_loop_t* l, uintptr_t id, const char* path,
                        const char* new_path);
uvgo_new_t uvgo_fs_symlink(uv_loop_t* l, uintptr_t id, const char* path,
                           const char* new_path, int flags);
uvgo_new_t uvgo_fs_readlink(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_realpath(uv_loop_t* l, uintptr_t id, const char* path);
uvgo_new_t uvgo_fs_chown(uv_loop_t* l, uintptr_t id, const char* path,
                         uint32_t uid, uint32_t gid);
uvgo_new_t uvgo_fs_fchown(uv_loop_t* l, uintptr_t id, int fd, uint32_t uid,
                          uint32_t gid);
uvgo_new_t uvgo_fs_lchown(uv_loop_t* l, uintptr_t id, const char* path,
                          uint32_t uid, uint32_t gid);

/* Allocation faults (uvgo_fault.c, testhooks_debug.go): uvdebug builds
 * only, where a uvdebug-tagged Go file defines UVGO_DEBUG. */
#ifdef UVGO_DEBUG
int uvgo_alloc_fails(void);
void uvgo_alloc_fault(int64_t at, int after);
int64_t uvgo_alloc_count(void);
int64_t uvgo_alloc_failed(void);
#endif
#endif /* UVGO_H_ */
