package uv

/*
#include "uvgo.h"
*/
import "C"

import "math"

// TranslateSysError returns the Errno for a system error code
// (uv_translate_sys_error): on Unix the negated errno, so
// TranslateSysError(int(syscall.EPIPE)) is EPIPE. A code that is already
// libuv's (negative) is returned unchanged, and 0 stays 0; one outside
// C's int is UNKNOWN. errors.Is matches an Errno against the
// syscall.Errno of the same name without it.
func TranslateSysError(code int) Errno {
	if code < math.MinInt32 || code > math.MaxInt32 {
		return UNKNOWN
	}
	return Errno(C.uv_translate_sys_error(C.int(code)))
}
