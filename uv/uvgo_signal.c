/* uvgo_signal.c: the C side of Signal (signal.go).
 *
 * uv_signal_t cannot be used in a Go program (DESIGN.md, section 9), so a
 * Signal's C handle is a uv_async_t: the goroutine that receives the signal
 * from os/signal calls uv_async_send on it, and its callback delivers the
 * signal on the loop. An async handle is active from its init; a Signal is
 * active only while started, so Go keeps the async handle referenced exactly
 * while the Signal is started and referenced. uv_fileno says EINVAL for it,
 * as for a uv_signal_t. */
#include "uvgo.h"
#include "_cgo_export.h"

#define LOOP_ID(h) ((uintptr_t) (h)->loop->data)
#define HANDLE_ID(h) ((uintptr_t) (h)->data)

/* uvgo_handle_new allocates uv_handle_size(UV_SIGNAL) bytes. */
_Static_assert(sizeof(uv_signal_t) >= sizeof(uv_async_t),
               "a Signal's uv_async_t must fit a uv_signal_t's memory");

static void uvgo_signal_cb(uv_async_t* h) {
  goUVSignal(LOOP_ID(h), HANDLE_ID(h));
}

int uvgo_signal_init(uv_loop_t* loop, uv_handle_t* h) {
  int err = uv_async_init(loop, (uv_async_t*) h, uvgo_signal_cb);
  if (err == 0)
    uv_unref(h);
  return err;
}
