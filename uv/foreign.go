package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"unsafe"

	"github.com/gouv/gouv/cbridge"
)

// Foreign is a handle of a loop that gouv did not create: one that a C
// library made on the loop that Loop.Raw returned (uv_handle_t). Loop.Walk
// does not see such handles; Loop.WalkForeign does.
//
// gouv tells its own handles from foreign ones with certainty, not by the
// handle's data field (which belongs to whoever made the handle): a handle
// is gouv's when the loop's table holds a live handle at its address, and
// the binding's four internal handles are known by their addresses in the
// loop's own memory.
//
// A Foreign value names memory that the library owns and may free. Its
// methods first check, by walking the loop (O(handles)), that a foreign
// handle of the same type still lives at that address, so a value kept
// past the handle's end gives false or ErrClosed rather than touching
// freed memory; call them on the loop's goroutine.
type Foreign struct {
	loop *Loop
	ptr  unsafe.Pointer // the uv_handle_t, C memory
	typ  HandleType
}

// walkVisit is one handle seen by uvgo_walk: own for gouv's handles,
// foreign otherwise, with uv_is_active, uv_is_closing and uv_has_ref in
// bits 0, 1 and 2 of flags.
type walkVisit struct {
	own     *handle
	foreign Foreign
	flags   int
}

const (
	walkActive  = 1
	walkClosing = 2
	walkRef     = 4
)

// visit classifies the handle at p, whose data field holds hid, for
// goUVWalk. It is not on any hot path: only walks call it.
func (l *Loop) visit(hid uintptr, p unsafe.Pointer, typ HandleType, flags int) walkVisit {
	if h, ok := l.handles.Get(cbridge.ID(hid)); ok && h.ptr == p {
		return walkVisit{own: h, flags: flags}
	}
	return walkVisit{foreign: Foreign{loop: l, ptr: p, typ: typ}, flags: flags}
}

// walk runs f for every handle of the loop but the binding's internal
// ones (uv_walk), re-raising a panic of f once libuv's walk is done.
func (l *Loop) walk(f func(walkVisit)) {
	prev := l.walker
	l.walker = f
	C.uvgo_walk(l.ptr)
	l.walker = prev
	if p := l.walkErr; p != nil {
		l.walkErr = nil
		panic(p)
	}
}

// WalkForeign calls f for every handle of the loop that gouv did not
// create (uv_walk), closing ones included, in libuv's order; Walk gives
// gouv's own. libuv's internal handles (its thread pool's and signal
// watcher's) and gouv's are never given. f may close handles. A panic in
// f is re-raised once libuv's walk has finished.
func (l *Loop) WalkForeign(f func(Foreign)) {
	l.mustOpen("Loop.WalkForeign")
	l.checkThread("Loop.WalkForeign")
	l.walk(func(v walkVisit) {
		if v.own == nil {
			f(v.foreign)
		}
	})
}

// Type returns the handle's type (uv_handle_get_type), as seen by the walk
// that found it.
func (f Foreign) Type() HandleType { return f.typ }

// Ptr returns the handle's address, a uv_handle_t*: for the C code that
// owns it.
func (f Foreign) Ptr() unsafe.Pointer { return f.ptr }

// Loop returns the loop the handle belongs to (uv_handle_get_loop).
func (f Foreign) Loop() *Loop { return f.loop }

// state returns the handle's flags (walkActive...) and whether it is still
// a foreign handle of its type on the loop.
func (f Foreign) state(method string) (flags int, ok bool) {
	if f.loop == nil {
		return 0, false
	}
	f.loop.mustOpen("Foreign." + method)
	f.loop.checkThread("Foreign." + method)
	f.loop.walk(func(v walkVisit) {
		if v.own == nil && v.foreign.ptr == f.ptr && v.foreign.typ == f.typ {
			flags, ok = v.flags, true
		}
	})
	return flags, ok
}

// IsActive reports whether the handle is active (uv_is_active); false once
// it is gone from the loop.
func (f Foreign) IsActive() bool {
	flags, ok := f.state("IsActive")
	return ok && flags&walkActive != 0
}

// IsClosing reports whether the handle is closing (uv_is_closing); true
// once it is gone from the loop.
func (f Foreign) IsClosing() bool {
	flags, ok := f.state("IsClosing")
	return !ok || flags&walkClosing != 0
}

// HasRef reports whether the handle is referenced (uv_has_ref); false once
// it is gone from the loop.
func (f Foreign) HasRef() bool {
	flags, ok := f.state("HasRef")
	return ok && flags&walkRef != 0
}

// Close closes the handle (uv_close) with a close callback of gouv's,
// which calls cb, if not nil, on a later loop iteration. The memory stays
// the library's: gouv does not free it. Close only what the library has
// left behind (after disposing of its context, say): a library that closes
// the handle itself later makes libuv abort. Close returns ErrClosed when
// the handle is closing or gone.
func (f Foreign) Close(cb func()) error {
	flags, ok := f.state("Close")
	if !ok || flags&walkClosing != 0 {
		return ErrClosed
	}
	l := f.loop
	if cb != nil {
		if l.foreignClosing == nil {
			l.foreignClosing = map[unsafe.Pointer]func(){}
		}
		l.foreignClosing[f.ptr] = cb
	}
	C.uvgo_foreign_close((*C.uv_handle_t)(f.ptr))
	return nil
}

// foreignClosed runs the callback of a foreign handle that Foreign.Close
// closed (goUVForeignClosed).
func (l *Loop) foreignClosed(p unsafe.Pointer) {
	cb := l.foreignClosing[p]
	delete(l.foreignClosing, p)
	if cb != nil {
		cb()
	}
}

// describeForeign lists the foreign handles and requests that keep
// uv_loop_close from succeeding, for Close's error, as
// "2 foreign tcp (active), 1 foreign async", in the order of libuv's walk.
func (l *Loop) describeForeign() []string {
	counts := map[string]int{}
	var order []string // kinds as libuv's walk first gives them
	l.walk(func(v walkVisit) {
		if v.own != nil {
			return
		}
		s := v.foreign.typ.String()
		switch {
		case v.flags&walkClosing != 0:
			s += " (closing)"
		case v.flags&walkActive != 0:
			s += " (active)"
		}
		if counts[s] == 0 {
			order = append(order, s)
		}
		counts[s]++
	})
	parts := make([]string, 0, len(order)+1)
	for _, s := range order {
		parts = append(parts, itoa(counts[s])+" foreign "+s)
	}
	// libuv counts every active request; gouv's are in its tables. The
	// others are a library's, or libuv's own (an FSPoll's last stat).
	if n := int(C.uvgo_active_reqs(l.ptr)) - l.reqs.Len() - l.lreqs.Len(); n == 1 {
		parts = append(parts, "1 request gouv did not make")
	} else if n > 1 {
		parts = append(parts, itoa(n)+" requests gouv did not make")
	}
	return parts
}
