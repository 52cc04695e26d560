package uv

/*
#include "uvgo.h"
*/
import "C"

// TranslateSysError returns the Errno for a system error code
// (uv_translate_sys_error): on Unix the negated errno, so
// TranslateSysError(int(syscall.EPIPE)) is EPIPE. A code that is already
// libuv's (negative) is returned unchanged, and 0 stays 0. errors.Is
// matches an Errno against the syscall.Errno directly, without it.
func TranslateSysError(code int) Errno {
	return Errno(C.uv_translate_sys_error(C.int(code)))
}
