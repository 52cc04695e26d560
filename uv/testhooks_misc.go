package uv

/*
#include "uvgo.h"
#include <sys/socket.h>

// Calls a double(*)(double) found with Lib.Sym (libm's cos, in dl_test.go).
static double uvgo_test_call_dd(void* f, double x) {
  return ((double (*)(double)) f)(x);
}
*/
import "C"

import (
	"net/netip"
	"unsafe"
)

// Hooks for the package's own tests (misc_libuv_test.go, dl_test.go).

// callDoubleFunc calls fn, a C function taking and returning a double.
func callDoubleFunc(fn unsafe.Pointer, x float64) float64 {
	return float64(C.uvgo_test_call_dd(fn, C.double(x)))
}

// cGetenv reads the C environment with getenv(3), as C libraries do; ok is
// false when name is not set.
func cGetenv(name string) (v string, ok bool) {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	p := C.getenv(cs)
	if p == nil {
		return "", false
	}
	return C.GoString(p), true
}

// sockaddrFamilyRoundTrip converts a sockaddr of the given family with
// fromAddr, as the binding does every address libuv hands back.
func sockaddrFamilyRoundTrip(family int) (netip.AddrPort, error) {
	var ss C.struct_sockaddr_storage
	ss.ss_family = C.sa_family_t(family)
	return fromAddr("roundtrip", C.uvgo_sockaddr((*C.struct_sockaddr)(unsafe.Pointer(&ss))))
}
