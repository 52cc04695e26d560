package uv

/*
#include "uvgo.h"
*/
import "C"

import "unsafe"

// This file is the low-level face that add-on packages with C code of their
// own (package uv/uvhttp) build on: the C handle behind a gouv handle, a
// word of C memory beside it for the add-on's state, and the way an
// add-on's own //export reports a panic as gouv's callbacks do. Ordinary
// programs need none of it.

// Raw returns the uv_tcp_t* behind t, for C code that drives the handle
// itself (uv_read_start with its own callbacks, say); it is nil once the
// handle is closed. The memory is gouv's: it stays valid until the close
// callback, and C code must not close or free it, nor change its data
// field (it holds gouv's ID). Right past the uv_tcp_t, at
// sizeof(uv_tcp_t) bytes from Raw, gouv keeps one pointer-sized word,
// zeroed and never touched by gouv, for the add-on's per-handle state: its
// C callbacks find their state there from the handle they are given.
// Everything else gouv keeps (Walk, Stats, Close, the write queue) works
// as for any TCP. Call it on the loop's goroutine.
func (t *TCP) Raw() unsafe.Pointer {
	return t.ptr
}

// Recover is for an add-on's //export functions that libuv reaches through
// the add-on's own C callbacks: deferred at the top of such a function
// (defer l.Recover()), it does what gouv's own callbacks do with a panic
// (DESIGN.md 5): the panic is recovered there, so that it never unwinds
// through uv_run, the loop is stopped (uv_stop), and Run re-panics with a
// *CallbackPanic once uv_run has returned. Without a panic it does
// nothing. It must be deferred directly, as recover requires.
func (l *Loop) Recover() {
	if v := recover(); v != nil {
		l.recordPanic(v)
	}
}

// tcpSize is sizeof(uv_tcp_t): where the add-on slot is.
func tcpSize() uintptr { return C.sizeof_uv_tcp_t }
