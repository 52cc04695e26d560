package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// FSEvent is a file system event handle (uv_fs_event_t): it watches a file
// or a directory and calls its callback on the loop when it changes. On
// Linux it is built on inotify: one inotify fd per loop, one watch per
// path, shared by the handles watching it.
//
// https://docs.libuv.org/en/v1.x/fs_event.html
type FSEvent struct {
	handle
	cb func(name string, events FSEventKind, err error)
}

// FSEventKind is what happened to a watched file (uv_fs_event): a set of
// FSEventRename and FSEventChange.
type FSEventKind int

// File system event kinds.
const (
	// FSEventRename: the file was created, deleted, or renamed (UV_RENAME).
	FSEventRename FSEventKind = C.UV_RENAME
	// FSEventChange: the file's content or attributes changed (UV_CHANGE).
	FSEventChange FSEventKind = C.UV_CHANGE
)

// String returns "rename", "change", "rename|change", or "0" for none.
func (k FSEventKind) String() string {
	var parts []string
	if k&FSEventRename != 0 {
		parts = append(parts, "rename")
	}
	if k&FSEventChange != 0 {
		parts = append(parts, "change")
	}
	if rest := k &^ (FSEventRename | FSEventChange); rest != 0 {
		parts = append(parts, "FSEventKind("+itoa(int(rest))+")")
	}
	if parts == nil {
		return "0"
	}
	return strings.Join(parts, "|")
}

// FSEventFlags are the flags of FSEvent.Start (uv_fs_event_flags). libuv
// on Linux (inotify) ignores all three: a directory is watched one level
// deep, and events are reported as inotify gives them. Start therefore
// refuses FSEventRecursive (ENOSYS) rather than watch less than asked.
type FSEventFlags uint

// FSEvent flags.
const (
	// FSEventWatchEntry asks to watch only the entry itself, not a
	// directory's children (UV_FS_EVENT_WATCH_ENTRY). Not implemented by
	// libuv yet.
	FSEventWatchEntry FSEventFlags = C.UV_FS_EVENT_WATCH_ENTRY
	// FSEventStat asks backends that can to poll with stat instead of
	// the kernel's notification (UV_FS_EVENT_STAT). Not implemented by
	// libuv yet.
	FSEventStat FSEventFlags = C.UV_FS_EVENT_STAT
	// FSEventRecursive watches subdirectories too (UV_FS_EVENT_RECURSIVE).
	// Only macOS and Windows implement it. libuv 1.44 on Linux ignores it
	// and watches one level; Start returns ENOSYS instead, the code libuv
	// gives for what a platform lacks.
	FSEventRecursive FSEventFlags = C.UV_FS_EVENT_RECURSIVE
)

// NewFSEvent creates a file system event handle on l (uv_fs_event_init).
func NewFSEvent(l *Loop) (*FSEvent, error) {
	e := &FSEvent{}
	if err := l.newHandle(e, TypeFSEvent, 0, "uv_fs_event_init"); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *FSEvent) ep() *C.uv_fs_event_t { return (*C.uv_fs_event_t)(e.ptr) }

// Start watches path (uv_fs_event_start). cb runs on the loop's goroutine
// with the name of the file that changed and what happened: for a watched
// directory, the name of the entry in it; for a watched file, the file's
// base name. The path is as given, relative to the current directory at
// the time of the call.
//
// A path that does not exist is an ENOENT *Error with Path set, as is an
// empty one; a path with a NUL byte is EINVAL. Start on an active handle is
// EINVAL, as in libuv: Stop it first. A nil cb or a closing handle is
// EINVAL too. FSEventRecursive is ENOSYS: Linux cannot watch a tree.
// Running out of inotify watches or instances is ENOSPC or EMFILE.
func (e *FSEvent) Start(path string, flags FSEventFlags, cb func(name string, events FSEventKind, err error)) error {
	const op = "uv_fs_event_start"
	if err := e.startable(op); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: op, Path: path, Code: EINVAL, Detail: "nil callback"}
	}
	if err := checkFSPath(op, path); err != nil {
		return err
	}
	if flags&FSEventRecursive != 0 {
		return &Error{Op: op, Path: path, Code: ENOSYS, Detail: "recursive watching is not supported on Linux"}
	}
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	if r := int(C.uvgo_fs_event_start(e.ep(), cs, C.uint(flags))); r < 0 {
		return &Error{Op: op, Path: path, Code: Errno(r)}
	}
	e.cb = cb
	return nil
}

// checkFSPath rejects the paths no file can have: the empty path (ENOENT,
// as the system says) and a path with a NUL byte (EINVAL: C would see only
// what comes before it).
func checkFSPath(op, path string) error {
	if path == "" {
		return &Error{Op: op, Code: ENOENT, Detail: "empty path"}
	}
	if strings.IndexByte(path, 0) >= 0 {
		return &Error{Op: op, Path: path, Code: EINVAL, Detail: "path contains a NUL byte"}
	}
	return nil
}

// Stop stops watching (uv_fs_event_stop); the callback will not run again,
// even for an event already queued. It is a no-op on a stopped or closing
// handle, and returns ErrClosed once the handle is closed.
func (e *FSEvent) Stop() error {
	if err := e.live(); err != nil {
		return err
	}
	if e.state != stateOpen {
		return nil
	}
	e.loop.checkThread("FSEvent.Stop")
	return check("uv_fs_event_stop", int(C.uv_fs_event_stop(e.ep())))
}

// Path returns the path the handle watches, as given to Start
// (uv_fs_event_getpath). It is an EINVAL *Error when the handle is not
// started.
func (e *FSEvent) Path() (string, error) {
	if err := e.live(); err != nil {
		return "", err
	}
	return getPath("uv_fs_event_getpath", func(buf *C.char, n *C.size_t) C.int {
		return C.uv_fs_event_getpath(e.ep(), buf, n)
	})
}

// getPath calls a uv_*_getpath function, first with a buffer of PATH_MAX
// bytes, then with one of the size it asks for.
func getPath(op string, get func(buf *C.char, n *C.size_t) C.int) (string, error) {
	buf := make([]C.char, 4096)
	for range 2 {
		n := C.size_t(len(buf))
		r := int(get(&buf[0], &n))
		if Errno(r) == ENOBUFS && int(n) > len(buf) {
			buf = make([]C.char, n)
			continue
		}
		if r < 0 {
			return "", check(op, r)
		}
		return C.GoStringN(&buf[0], C.int(n)), nil
	}
	return "", check(op, int(ENOBUFS))
}
