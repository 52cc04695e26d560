package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"math"
	"time"
	"unsafe"
)

// FSPoll is a file system poll handle (uv_fs_poll_t): it stats a path at
// an interval and calls its callback when the result changes. It is
// portable and works on file systems where FSEvent does not (network
// mounts), at the cost of a stat request on the thread pool per interval.
//
// https://docs.libuv.org/en/v1.x/fs_poll.html
type FSPoll struct {
	handle
	cb func(prev, curr Stat, err error)
}

// NewFSPoll creates a file system poll handle on l (uv_fs_poll_init).
func NewFSPoll(l *Loop) (*FSPoll, error) {
	p := &FSPoll{}
	if err := l.newHandle(p, TypeFSPoll, 0, "uv_fs_poll_init"); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *FSPoll) fp() *C.uv_fs_poll_t { return (*C.uv_fs_poll_t)(p.ptr) }

// Start stats path every interval (uv_fs_poll_start) and calls cb on the
// loop's goroutine when something changed: with the previous and the
// current Stat and a nil error when the stat succeeds and differs from the
// last one; with the last good Stat, a zero curr and the error (ENOENT...)
// when a stat fails with an error other than the previous one. The first
// successful stat is not reported, a first failing one is: watching a path
// that does not exist yet starts with an ENOENT callback, and the file's
// creation comes as a change from a zero Stat.
//
// libuv counts the interval in milliseconds, rounded up here; 0 is 1 ms.
// A negative interval, a nil cb, a path with a NUL byte or a closing handle
// is an EINVAL *Error, an empty path ENOENT. As in libuv, Start on an
// active handle does nothing and returns nil: Stop it first to change the
// path, interval or callback.
func (p *FSPoll) Start(path string, interval time.Duration, cb func(prev, curr Stat, err error)) error {
	const op = "uv_fs_poll_start"
	if err := p.startable(op); err != nil {
		return err
	}
	if cb == nil || interval < 0 {
		return &Error{Op: op, Path: path, Code: EINVAL, Detail: "nil callback or negative interval"}
	}
	if err := checkFSPath(op, path); err != nil {
		return err
	}
	if C.uv_is_active(p.hp()) != 0 {
		return nil
	}
	msec := ms(interval)
	if msec > math.MaxUint32 {
		msec = math.MaxUint32
	}
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	if r := int(C.uvgo_fs_poll_start(p.fp(), cs, C.uint(msec))); r < 0 {
		return &Error{Op: op, Path: path, Code: Errno(r)}
	}
	p.cb = cb
	return nil
}

// Stop stops polling (uv_fs_poll_stop); the callback will not run again,
// even for a stat already under way. It is a no-op on a stopped or closing
// handle, and returns ErrClosed once the handle is closed.
func (p *FSPoll) Stop() error {
	if err := p.live(); err != nil {
		return err
	}
	if p.state != stateOpen {
		return nil
	}
	p.loop.checkThread("FSPoll.Stop")
	return check("uv_fs_poll_stop", int(C.uv_fs_poll_stop(p.fp())))
}

// Path returns the path the handle polls, as given to Start
// (uv_fs_poll_getpath). It is an EINVAL *Error when the handle is not
// started.
func (p *FSPoll) Path() (string, error) {
	if err := p.live(); err != nil {
		return "", err
	}
	return getPath("uv_fs_poll_getpath", func(buf *C.char, n *C.size_t) C.int {
		return C.uv_fs_poll_getpath(p.fp(), buf, n)
	})
}

// onChange runs the callback with the two stats, copied from libuv's.
func (p *FSPoll) onChange(status int, prev, curr unsafe.Pointer) {
	var ps, cs Stat
	if prev != nil {
		ps = statFromC((*C.uv_stat_t)(prev))
	}
	if curr != nil {
		cs = statFromC((*C.uv_stat_t)(curr))
	}
	p.cb(ps, cs, statusErr(status))
}
