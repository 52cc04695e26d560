package uv

// libuv is linked statically from Debian's libuv1-dev (third_party/libuv):
// built programs need no libuv at run time.

/*
#cgo pkg-config: libuv-static
#cgo CFLAGS: -O2 -Wall -Wno-unused-parameter
*/
import "C"
