package uv

//go:generate go run ./internal/mkerrors

import (
	"errors"
	"io"
	"net"
	"strconv"
)

// Errno is a libuv error code (UV_E*), negative as in libuv: on Unix it is
// the negated errno, so [Errno.Is] matches the [syscall.Errno] of the same
// name. [EOF] matches [io.EOF]. The constants and texts are generated from
// uv.h's UV_ERRNO_MAP (zerrors_linux.go).
type Errno int

// Error returns libuv's message for e, as uv_strerror does.
func (e Errno) Error() string {
	if m, ok := errnoMessages[e]; ok {
		return m
	}
	return "Unknown system error " + strconv.Itoa(int(e))
}

// Name returns the code's name, "ECONNRESET", as uv_err_name does.
func (e Errno) Name() string {
	if n, ok := errnoNames[e]; ok {
		return n
	}
	return "Unknown system error " + strconv.Itoa(int(e))
}

// Error is a libuv call that failed synchronously: Op names the libuv
// function ("uv_tcp_bind"), Code is what it returned. Path, when set, is
// the file system path the call was about ("uv_fs_open"). Detail, when
// set, adds what the binding knows about the failure (the handles that
// keep a loop busy, say).
type Error struct {
	Op     string
	Path   string
	Code   Errno
	Detail string
}

// Error returns "op path: NAME: message", then the detail in parentheses.
func (e *Error) Error() string {
	s := e.Op
	if e.Path != "" {
		s += " " + e.Path
	}
	s += ": " + e.Code.Name() + ": " + e.Code.Error()
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap returns the Errno, so errors.Is(err, syscall.EADDRINUSE) and
// errors.As(err, &errno) see through an *Error.
func (e *Error) Unwrap() error { return e.Code }

// check returns nil for a libuv status of 0 or more and an *Error naming op
// for a negative one.
func check(op string, status int) error {
	if status >= 0 {
		return nil
	}
	return &Error{Op: op, Code: Errno(status)}
}

// Pre-boxed codes: turning a negative integer into an interface allocates,
// and these arrive on the hot path.
var (
	errEAGAIN     error = EAGAIN
	errECANCELED  error = ECANCELED
	errECONNRESET error = ECONNRESET
	errEPIPE      error = EPIPE
	errENOBUFS    error = ENOBUFS
)

// statusErr turns an asynchronous libuv status (a callback's argument) into
// the error a Go callback receives: nil for success, io.EOF for UV_EOF, an
// Errno otherwise. The common codes do not allocate.
func statusErr(status int) error {
	switch Errno(status) {
	case 0:
		return nil
	case EOF:
		return io.EOF
	case EAGAIN:
		return errEAGAIN
	case ECANCELED:
		return errECANCELED
	case ECONNRESET:
		return errECONNRESET
	case EPIPE:
		return errEPIPE
	case ENOBUFS:
		return errENOBUFS
	}
	if status > 0 {
		return nil
	}
	return Errno(status)
}

// misuseError is a binding-level error: the call was wrong whatever libuv
// would have said.
type misuseError string

// Error returns the message.
func (e misuseError) Error() string { return string(e) }

// Is makes ErrClosed match net.ErrClosed, as a closed net.Conn's does.
func (e misuseError) Is(target error) bool {
	return e == ErrClosed && target == net.ErrClosed
}

// Errors for misuse of the binding.
var (
	// ErrClosed is returned by a method of a handle whose close callback
	// has run, and by Close on a handle that is closing or closed. It
	// matches net.ErrClosed.
	ErrClosed error = misuseError("uv: use of closed handle")

	// ErrLoopClosed is returned by Loop methods, Post among them, after
	// Loop.Close succeeded.
	ErrLoopClosed error = misuseError("uv: use of closed loop")

	// ErrRunning is returned by Run on a loop that is already running: from
	// one of its own callbacks (libuv's uv_run is not reentrant) or from
	// another goroutine. It is also returned by Close while the loop runs.
	ErrRunning error = misuseError("uv: loop is already running (uv_run is not reentrant)")

	// ErrNilCallback is returned where libuv needs a callback and got nil.
	ErrNilCallback error = misuseError("uv: nil callback")
)

// errIsEOF lets errors.Is(EOF, io.EOF) hold (errors_unix.go calls it).
func errIsEOF(e Errno, target error) bool {
	return e == EOF && errors.Is(target, io.EOF)
}
