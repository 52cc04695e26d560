//go:build uvshared

package uv

// With the uvshared build tag, gouv links the system's shared libuv
// (libuv.so.1, pkg-config libuv) instead of the static archive: for a
// program that also loads a C library linked against libuv.so (h2o,
// libwebsockets' libuv plugin...), so that one libuv serves both (README,
// "Hosting C libraries on a gouv loop"). The headers must be libuv 1.44
// (uvgo.h), and so must the library found at run time: init checks it,
// since the .so can change under a built program.

/*
#cgo pkg-config: libuv
#cgo CFLAGS: -O2 -Wall -Wno-unused-parameter -DUVGO_SHARED
#include <uv.h>
*/
import "C"

func init() {
	if v := uint(C.uv_version()); v>>8 != C.UV_VERSION_HEX>>8 {
		panic("uv: the shared libuv loaded at run time is " + C.GoString(C.uv_version_string()) +
			"; gouv's uvshared build needs libuv 1.44.x, the version it was built with")
	}
}
