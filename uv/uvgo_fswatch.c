/* uvgo_fswatch.c: the poll, fs_event and fs_poll shims (uvgo.h). */
#include <errno.h>
#include <fcntl.h>

#include "uvgo.h"
#include "_cgo_export.h"

#define LOOP_ID(h) ((uintptr_t) (h)->loop->data)
#define HANDLE_ID(h) ((uintptr_t) (h)->data)

static void uvgo_poll_cb(uv_poll_t* h, int status, int events) {
  goUVPoll(LOOP_ID(h), HANDLE_ID(h), status, events);
}

/* Starts (or changes) polling. libuv 1.44 aborts in the next uv__io_poll
 * when epoll_ctl refuses the fd, which it does once the fd was closed:
 * check it is still open first, so that a closed fd is an EBADF error. */
int uvgo_poll_start(uv_poll_t* h, int events) {
  uv_os_fd_t fd;
  int err;

  err = uv_fileno((const uv_handle_t*) h, &fd);
  if (err != 0)
    return err;
  if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
    return UV_EBADF;
  return uv_poll_start(h, events, uvgo_poll_cb);
}

static void uvgo_fs_event_cb(uv_fs_event_t* h, const char* filename,
                             int events, int status) {
  goUVFSEvent(LOOP_ID(h), HANDLE_ID(h), (char*) filename, events, status);
}

int uvgo_fs_event_start(uv_fs_event_t* h, const char* path,
                        unsigned int flags) {
  return uv_fs_event_start(h, uvgo_fs_event_cb, path, flags);
}

static void uvgo_fs_poll_cb(uv_fs_poll_t* h, int status,
                            const uv_stat_t* prev, const uv_stat_t* curr) {
  goUVFSPoll(LOOP_ID(h), HANDLE_ID(h), status, (void*) prev, (void*) curr);
}

int uvgo_fs_poll_start(uv_fs_poll_t* h, const char* path,
                       unsigned int interval) {
  return uv_fs_poll_start(h, uvgo_fs_poll_cb, path, interval);
}
