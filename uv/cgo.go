//go:build !uvshared

package uv

// libuv is linked statically from Debian's libuv1-dev (third_party/libuv):
// built programs need no libuv at run time. The uvshared build tag links
// the system's shared libuv instead (cgo_shared.go).

/*
#cgo pkg-config: libuv-static
#cgo CFLAGS: -O2 -Wall -Wno-unused-parameter
*/
import "C"
