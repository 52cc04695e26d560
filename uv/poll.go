package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"strconv"
	"strings"
	"syscall"
)

// Poll is a poll handle (uv_poll_t): it watches a file descriptor that
// something else owns for readability, writability and the like, and calls
// its callback on the loop when the fd is ready. This is how a C library's
// fds (c-ares, libcurl, a database client, a pidfd) join the loop: the
// library does the I/O itself, the loop only says when to. The fd must
// support epoll: a socket, pipe, tty, eventfd, epoll fd...; a regular file
// or a directory gives EPERM.
//
// The fd stays the caller's: closing the handle does not close it. Stop or
// Close the handle before closing the fd (once Close has returned, the fd
// may be closed): Stop takes the fd out of the loop's epoll set, which
// closing the fd does not do when the file is still open elsewhere (a dup,
// a child process), and such a file would go on waking the loop. If the fd
// was closed anyway, the next Start is an EBADF *Error (libuv would
// abort). Only one poll handle per loop may be active on an fd (EEXIST),
// and the loop's own streams count too.
//
// As in libuv, readiness is level-triggered and may be spurious: the
// callback should do non-blocking I/O and expect EAGAIN now and then.
//
// https://docs.libuv.org/en/v1.x/poll.html
type Poll struct {
	handle
	cb func(events PollEvent, err error)
}

// PollEvent is a set of poll events (uv_poll_event).
type PollEvent int

// Poll events.
const (
	// PollReadable: the fd can be read (UV_READABLE).
	PollReadable PollEvent = C.UV_READABLE
	// PollWritable: the fd can be written (UV_WRITABLE).
	PollWritable PollEvent = C.UV_WRITABLE
	// PollDisconnect: the peer closed its end for writing (UV_DISCONNECT,
	// EPOLLRDHUP). Data may still be waiting to be read.
	PollDisconnect PollEvent = C.UV_DISCONNECT
	// PollPrioritized: urgent data is waiting, TCP out-of-band data for
	// one (UV_PRIORITIZED, EPOLLPRI).
	PollPrioritized PollEvent = C.UV_PRIORITIZED

	pollAll = PollReadable | PollWritable | PollDisconnect | PollPrioritized
)

// String returns the events' names joined by "|", "readable|writable";
// "0" for none.
func (e PollEvent) String() string {
	if e == 0 {
		return "0"
	}
	var parts []string
	for _, n := range [...]struct {
		ev   PollEvent
		name string
	}{
		{PollReadable, "readable"},
		{PollWritable, "writable"},
		{PollDisconnect, "disconnect"},
		{PollPrioritized, "prioritized"},
	} {
		if e&n.ev != 0 {
			parts = append(parts, n.name)
		}
	}
	if rest := e &^ pollAll; rest != 0 {
		parts = append(parts, "PollEvent(0x"+strconv.FormatInt(int64(rest), 16)+")")
	}
	return strings.Join(parts, "|")
}

// NewPoll creates a poll handle on l for the file descriptor fd
// (uv_poll_init). libuv puts fd in non-blocking mode. A negative or closed
// fd is an EBADF *Error, one epoll cannot watch (a regular file, a
// directory) EPERM, one that the loop already watches EEXIST; nothing is
// left allocated when it fails.
func NewPoll(l *Loop, fd int) (*Poll, error) {
	return newPoll(l, fd, false, "uv_poll_init")
}

// NewSocketPoll creates a poll handle on l for the socket fd
// (uv_poll_init_socket). It is NewPoll for sockets: on Unix libuv makes no
// difference, but gouv checks that fd is a socket (ENOTSOCK otherwise), so
// that the name means what it says on every platform.
func NewSocketPoll(l *Loop, fd int) (*Poll, error) {
	return newPoll(l, fd, true, "uv_poll_init_socket")
}

func newPoll(l *Loop, fd int, socket bool, op string) (*Poll, error) {
	if err := validFd(op, fd); err != nil {
		return nil, err
	}
	if socket {
		if _, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE); err != nil {
			code := EBADF
			if errno, ok := err.(syscall.Errno); ok {
				code = Errno(-int(errno))
			}
			return nil, &Error{Op: op, Code: code}
		}
	}
	flags := uint(fd)
	if socket {
		flags |= C.UVGO_POLL_SOCKET
	}
	p := &Poll{}
	if err := l.newHandle(p, TypePoll, flags, op); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Poll) pp() *C.uv_poll_t { return (*C.uv_poll_t)(p.ptr) }

// Start starts watching for events (uv_poll_start): cb runs on the loop's
// goroutine with the events that are ready (a subset of events), or with
// an error and no events (EBADF when the fd is in error, after which the
// handle is stopped). Starting an active handle changes its events and
// callback. events 0 stops it, as Stop does. Unknown event bits or a nil cb
// are an EINVAL *Error; so is a closing handle. A fd that was closed
// meanwhile is EBADF (libuv itself would abort).
func (p *Poll) Start(events PollEvent, cb func(events PollEvent, err error)) error {
	if err := p.startable("uv_poll_start"); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: "uv_poll_start", Code: EINVAL, Detail: "nil callback"}
	}
	if events&^pollAll != 0 {
		return &Error{Op: "uv_poll_start", Code: EINVAL, Detail: "unknown events " + events.String()}
	}
	if err := check("uv_poll_start", int(C.uvgo_poll_start(p.pp(), C.int(events)))); err != nil {
		return err
	}
	p.cb = cb
	return nil
}

// Stop stops watching the fd (uv_poll_stop); the callback will not run
// until Start is called again. It is a no-op on a stopped or closing
// handle, and returns ErrClosed once the handle is closed.
func (p *Poll) Stop() error {
	if err := p.live(); err != nil {
		return err
	}
	if p.state != stateOpen {
		return nil // uv_close stopped it; libuv asserts on a closing handle
	}
	p.loop.checkThread("Poll.Stop")
	return check("uv_poll_stop", int(C.uv_poll_stop(p.pp())))
}
