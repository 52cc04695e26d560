//go:build unix

package uv

import "syscall"

// Is reports whether e matches target: the syscall.Errno of the same code
// (libuv's codes are negated errnos on Unix, so errors.Is(err,
// syscall.ECONNREFUSED) works), whatever that Errno matches in turn
// (fs.ErrNotExist, fs.ErrPermission, errors.ErrUnsupported...), and io.EOF
// for EOF. libuv's own codes (EOF, EAI_*, UNKNOWN) match no errno.
func (e Errno) Is(target error) bool {
	if errIsEOF(e, target) {
		return true
	}
	if e >= 0 || e <= -3000 {
		return false
	}
	se := syscall.Errno(-e)
	return se == target || se.Is(target)
}

// Timeout reports whether e is a timeout (ETIMEDOUT), as syscall.Errno does.
func (e Errno) Timeout() bool {
	return e < 0 && e > -3000 && syscall.Errno(-e).Timeout()
}

// Temporary reports whether e is worth retrying, as syscall.Errno does.
func (e Errno) Temporary() bool {
	return e < 0 && e > -3000 && syscall.Errno(-e).Temporary()
}
