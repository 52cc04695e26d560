package uv

/*
#include "uvgo.h"
*/
import "C"

import "math"

// TTY is a terminal handle (uv_tty_t): a stream over a terminal's file
// descriptor, with every Stream method (ReadStart, Write...) and the
// terminal's mode and window size.
//
// https://docs.libuv.org/en/v1.x/tty.html
type TTY struct {
	stream
}

// TTYMode is a terminal mode for SetMode (uv_tty_mode_t).
type TTYMode int

// Terminal modes.
const (
	// TTYModeNormal is the initial mode: line-buffered, echoing input
	// (UV_TTY_MODE_NORMAL).
	TTYModeNormal TTYMode = C.UV_TTY_MODE_NORMAL
	// TTYModeRaw reads byte by byte without echo or signal keys
	// (UV_TTY_MODE_RAW).
	TTYModeRaw TTYMode = C.UV_TTY_MODE_RAW
	// TTYModeIO is binary-safe I/O mode for IPC, Unix only
	// (UV_TTY_MODE_IO).
	TTYModeIO TTYMode = C.UV_TTY_MODE_IO
)

// NewTTY creates a terminal handle on l for the terminal open as fd
// (uv_tty_init). An fd that is not a terminal (a regular file, /dev/null,
// a socket) or not open at all is an EINVAL *Error, as libuv says.
//
// On Unix readable is ignored: the handle is readable and writable as fd
// was opened. libuv reopens a terminal's device (a pty slave, /dev/tty) so
// that it can make it non-blocking without affecting other processes:
// the handle then uses a descriptor of its own and fd stays the caller's
// to close. Otherwise (a pty master, or when reopening fails) the handle
// takes fd over, writes to it blocking, and closes it on Close unless it
// is 0, 1 or 2. Fd tells which descriptor the handle uses.
func NewTTY(l *Loop, fd int, readable bool) (*TTY, error) {
	// The fd travels in the flags of uvgo_handle_new with readable in bit 0.
	if fd < 0 || fd > math.MaxInt32>>1 {
		return nil, &Error{Op: "uv_tty_init", Code: EINVAL, Detail: "bad file descriptor " + itoa(fd)}
	}
	t := &TTY{}
	flags := uint(fd) << 1
	if readable {
		flags |= 1
	}
	if err := l.newHandle(t, TypeTTY, flags, "uv_tty_init"); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *TTY) tp() *C.uv_tty_t { return (*C.uv_tty_t)(t.ptr) }

// SetMode sets the terminal's mode (uv_tty_set_mode). The first handle set
// to a mode other than TTYModeNormal records the terminal's original
// attributes, which TTYResetMode restores. An unknown mode is EINVAL.
func (t *TTY) SetMode(mode TTYMode) error {
	if err := t.live(); err != nil {
		return err
	}
	t.loop.checkThread("uv_tty_set_mode")
	switch mode {
	case TTYModeNormal, TTYModeRaw, TTYModeIO:
	default:
		return &Error{Op: "uv_tty_set_mode", Code: EINVAL, Detail: "unknown mode " + itoa(int(mode))}
	}
	return check("uv_tty_set_mode", int(C.uv_tty_set_mode(t.tp(), C.uv_tty_mode_t(mode))))
}

// WinSize returns the terminal's window size in columns and rows
// (uv_tty_get_winsize).
func (t *TTY) WinSize() (width, height int, err error) {
	if err := t.live(); err != nil {
		return 0, 0, err
	}
	t.loop.checkThread("uv_tty_get_winsize")
	var w, h C.int
	if err := check("uv_tty_get_winsize", int(C.uv_tty_get_winsize(t.tp(), &w, &h))); err != nil {
		return 0, 0, err
	}
	return int(w), int(h), nil
}

// TTYResetMode restores the attributes of the terminal that was first set
// to a mode other than TTYModeNormal (uv_tty_reset_mode); a program calls
// it before it exits. It does nothing when no terminal's mode was changed.
// It is safe to call from any goroutine and from a signal handling
// goroutine; it returns EBUSY while a SetMode runs on another.
func TTYResetMode() error {
	return check("uv_tty_reset_mode", int(C.uv_tty_reset_mode()))
}
