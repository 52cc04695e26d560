package uv

// Every //export of the package: libuv calls the shims in uvgo.c, which
// call these with the loop's ID and the handle's or request's ID. Each one
// finds its objects in the loop's tables (a stale ID, from a callback that
// raced a close, finds nothing and returns) and runs the Go callback under
// the loop's panic trap.

/*
#include <stdint.h>
#include <sys/types.h>
*/
import "C"

import (
	"unsafe"

	"github.com/gouv/gouv/cbridge"
)

// lookup returns the loop and the handle for a callback. Each export then
// converts the handle to its type: the C shim that calls it is installed
// only on handles of that type, and the handle is the type's first field.
func lookup(lid, hid C.uintptr_t) (*Loop, *handle) {
	l := callbackLoop(lid)
	if l == nil {
		return nil, nil
	}
	h, _ := l.handles.Get(cbridge.ID(hid))
	return l, h
}

// callbackLoop returns the loop for a callback and counts the callback.
func callbackLoop(lid C.uintptr_t) *Loop {
	l := loopByID(uint64(lid))
	if l != nil {
		l.tick()
	}
	return l
}

//export goUVClose
func goUVClose(lid, hid C.uintptr_t) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	h.closed(cbridge.ID(hid))
}

//export goUVWalk
func goUVWalk(lid, hid C.uintptr_t, p unsafe.Pointer, typ, flags C.int) {
	l := loopByID(uint64(lid))
	if l == nil || l.walker == nil || l.walkErr != nil {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			l.walkErr = &CallbackPanic{Value: v, Stack: stack()}
		}
	}()
	l.walker(l.visit(uintptr(hid), p, HandleType(typ), int(flags)))
}

//export goUVForeignClosed
func goUVForeignClosed(lid C.uintptr_t, p unsafe.Pointer) {
	l := callbackLoop(lid)
	if l == nil {
		return
	}
	defer l.trap()
	l.foreignClosed(p)
}

//export goUVPost
func goUVPost(lid C.uintptr_t) {
	l := loopByID(uint64(lid))
	if l == nil {
		return
	}
	defer l.trap()
	l.runPosts()
}

//export goUVTimers
func goUVTimers(lid C.uintptr_t) {
	if l := loopByID(uint64(lid)); l != nil {
		l.timers.run(l)
	}
}

//export goUVIdle
func goUVIdle(lid, hid C.uintptr_t) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	i := (*Idle)(unsafe.Pointer(h))
	i.cb(i)
}

//export goUVPrepare
func goUVPrepare(lid, hid C.uintptr_t) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	p := (*Prepare)(unsafe.Pointer(h))
	p.cb(p)
}

//export goUVCheck
func goUVCheck(lid, hid C.uintptr_t) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	c := (*Check)(unsafe.Pointer(h))
	c.cb(c)
}

//export goUVAsync
func goUVAsync(lid, hid C.uintptr_t) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	a := (*Async)(unsafe.Pointer(h))
	a.cb(a)
}

//export goUVDeferred
func goUVDeferred(lid C.uintptr_t) {
	l := loopByID(uint64(lid))
	if l == nil {
		return
	}
	defer l.trap()
	l.runDeferred()
}

//export goUVRequest
func goUVRequest(lid, rid C.uintptr_t, status C.int) {
	l := callbackLoop(lid)
	if l == nil {
		return
	}
	defer l.trap()
	l.finishReq(rid, int(status))
}

//export goUVConnection
func goUVConnection(lid, hid C.uintptr_t, status C.int) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	(*stream)(unsafe.Pointer(h)).onConnection(statusErr(int(status)))
}

//export goUVRead
func goUVRead(lid, hid C.uintptr_t, nread C.ssize_t, base *C.char) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	(*stream)(unsafe.Pointer(h)).readCb(int(nread), unsafe.Pointer(base))
}

//export goUVReq
func goUVReq(lid, rid C.uintptr_t, status C.int) {
	l := callbackLoop(lid)
	if l == nil {
		return
	}
	defer l.trap()
	l.finishLoopReq(cbridge.ID(rid), int(status))
}

//export goUVSignal
func goUVSignal(lid, hid C.uintptr_t) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	(*Signal)(unsafe.Pointer(h)).deliver()
}

//export goUVPoll
func goUVPoll(lid, hid C.uintptr_t, status, events C.int) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	p := (*Poll)(unsafe.Pointer(h))
	p.cb(PollEvent(events), statusErr(int(status)))
}

//export goUVFSEvent
func goUVFSEvent(lid, hid C.uintptr_t, filename *C.char, events, status C.int) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	var name string
	if filename != nil {
		name = C.GoString(filename)
	}
	e := (*FSEvent)(unsafe.Pointer(h))
	e.cb(name, FSEventKind(events), statusErr(int(status)))
}

//export goUVFSPoll
func goUVFSPoll(lid, hid C.uintptr_t, status C.int, prev, curr unsafe.Pointer) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	(*FSPoll)(unsafe.Pointer(h)).onChange(int(status), prev, curr)
}

//export goUVWork
func goUVWork(key C.uintptr_t) {
	runWork(uint64(key))
}

//export goUVUDPRecv
func goUVUDPRecv(lid, hid C.uintptr_t, d unsafe.Pointer, n C.uint) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	(*UDP)(unsafe.Pointer(h)).recvCb(d, int(n))
}

//export goUVProcessExit
func goUVProcessExit(lid, hid C.uintptr_t) {
	l, h := lookup(lid, hid)
	if h == nil {
		return
	}
	defer l.trap()
	(*Process)(unsafe.Pointer(h)).exit()
}
