//go:build !uvshared

package uv

// libuv is linked statically from Debian's libuv1-dev (third_party/libuv):
// built programs need no libuv at run time. The uvshared build tag links
// the system's shared libuv instead (cgo_shared.go).
//
// --export-dynamic puts the program's libuv functions in its dynamic
// symbol table, so that a C library linked against libuv.so.1 and hosted
// on a gouv loop binds to gouv's copy, the one that runs the loop, rather
// than to a second copy: libraries linked into the program did so without
// it (the linker exports what they import), but one loaded later by dlopen
// (libwebsockets' libuv plugin) bound to libuv.so.1. examples/embed checks
// every libuv function such a library imports.

/*
#cgo pkg-config: libuv-static
#cgo LDFLAGS: -Wl,--export-dynamic
#cgo CFLAGS: -O2 -Wall -Wno-unused-parameter
*/
import "C"
