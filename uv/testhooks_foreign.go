package uv

/*
#include <string.h>
#include <netinet/in.h>
#include "uvgo.h"

// A stand-in for a C library hosted on a gouv loop (foreign_test.go): it
// makes handles of its own on the loop, keeping in data whatever value
// the test asks for, as h2o and libwebsockets keep heap pointers there.
static void* uvgo_test_foreign_tcp(uv_loop_t* loop, uintptr_t data) {
  struct sockaddr_in sa;
  uv_tcp_t* t = calloc(1, sizeof(*t));
  if (t == NULL || uv_tcp_init(loop, t) != 0) {
    free(t);
    return NULL;
  }
  t->data = (void*) data;
  uv_ip4_addr("127.0.0.1", 0, &sa);
  if (uv_tcp_bind(t, (const struct sockaddr*) &sa, 0) != 0 ||
      uv_listen((uv_stream_t*) t, 8, NULL) != 0) {
    uv_close((uv_handle_t*) t, (uv_close_cb) free);
    return NULL;
  }
  return t;
}

static void* uvgo_test_foreign_async(uv_loop_t* loop, uintptr_t data) {
  uv_async_t* a = calloc(1, sizeof(*a));
  if (a == NULL || uv_async_init(loop, a, NULL) != 0) {
    free(a);
    return NULL;
  }
  a->data = (void*) data;
  return a;
}

static void uvgo_test_foreign_stat_cb(uv_fs_t* req) {
  uv_fs_req_cleanup(req);
  free(req);
}

static int uvgo_test_foreign_stat(uv_loop_t* loop, const char* path) {
  uv_fs_t* req = calloc(1, sizeof(*req));
  int err;
  if (req == NULL)
    return UV_ENOMEM;
  err = uv_fs_stat(loop, req, path, uvgo_test_foreign_stat_cb);
  if (err != 0)
    free(req);
  return err;
}
*/
import "C"

import "unsafe"

// newForeignTCP makes a listening TCP handle on l as a C library would,
// with data in its data field; nil when libuv failed. The test frees it
// with freeForeign after its close callback.
func newForeignTCP(l *Loop, data uintptr) unsafe.Pointer {
	return C.uvgo_test_foreign_tcp(l.ptr, C.uintptr_t(data))
}

// newForeignAsync makes an async handle (active and referenced) on l as
// a C library would.
func newForeignAsync(l *Loop, data uintptr) unsafe.Pointer {
	return C.uvgo_test_foreign_async(l.ptr, C.uintptr_t(data))
}

// startForeignStat starts a stat request on l's thread pool as a C
// library would; it frees itself in its callback.
func startForeignStat(l *Loop, path string) error {
	p := C.CString(path)
	defer C.free(unsafe.Pointer(p))
	return check("uv_fs_stat", int(C.uvgo_test_foreign_stat(l.ptr, p)))
}

// freeForeign frees a foreign handle's memory, as its library would.
func freeForeign(p unsafe.Pointer) { C.free(p) }
