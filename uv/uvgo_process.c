/* uvgo_process.c: the process handle's C side (process.go).
 *
 * A Process is a uv_poll_t on the child's pidfd: the pidfd becomes readable
 * when the child exits, and the shim tells Go, which reaps the child. */
#include "uvgo.h"
#include "_cgo_export.h"

#define LOOP_ID(h) ((uintptr_t) (h)->loop->data)
#define HANDLE_ID(h) ((uintptr_t) (h)->data)

static void uvgo_process_cb(uv_poll_t* h, int status, int events) {
  (void) status;
  (void) events;
  goUVProcessExit(LOOP_ID(h), HANDLE_ID(h));
}

/* Allocates a uv_poll_t on pidfd, starts it and stores id in its data
 * field. On failure nothing is left allocated; pidfd stays open. */
uvgo_new_t uvgo_process_new(uv_loop_t* loop, uintptr_t id, int pidfd) {
  uvgo_new_t r = {NULL, 0};
  uv_poll_t* h = uvgo_calloc(1, sizeof(*h));
  if (h == NULL) {
    r.err = UV_ENOMEM;
    return r;
  }
  r.err = uv_poll_init(loop, h, pidfd);
  if (r.err != 0) {
    free(h);
    return r;
  }
  h->data = (void*) id;
  r.err = uv_poll_start(h, UV_READABLE, uvgo_process_cb);
  if (r.err != 0) {
    /* uv_poll_init took no resource but the loop's handle queue: close
     * it without telling Go (data 0) and let the loop free it. */
    h->data = NULL;
    uv_close((uv_handle_t*) h, uvgo_close_cb);
    return r;
  }
  r.ptr = h;
  return r;
}
