package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"runtime"
	"unsafe"

	"github.com/gouv/gouv/cbridge"
)

// reqKind names a request type, for uvdebug's counts.
type reqKind uint8

const (
	reqWrite reqKind = iota
	reqConnect
	reqShutdown
	reqSend // udp send
	reqFS
	reqGetAddrInfo
	reqGetNameInfo
	reqWork
	reqRandom
)

var reqKindNames = [...]string{
	reqWrite: "write", reqConnect: "connect", reqShutdown: "shutdown", reqSend: "udp_send",
	reqFS: "fs", reqGetAddrInfo: "getaddrinfo", reqGetNameInfo: "getnameinfo", reqWork: "work", reqRandom: "random",
}

// reqEntry is an in-flight libuv request (uv_req_t: write, connect,
// shutdown) whose callback goes to Go. Its ID, in the loop's request table,
// is in req->data. The entry is deleted in the request's callback, or at
// once when the call that would start it fails, since libuv never calls
// back then. A request without a Go callback has ID 0 and no entry: C
// frees it without calling Go.
type reqEntry struct {
	cb    func(error)
	owner *stream // whose reqs counts it; nil for UDP sends
	seq   uint64  // deferred calls up to this one run before cb
	kind  reqKind
}

// newReq registers a request of s with a callback and returns the ID for
// req->data; 0 when cb is nil.
func (s *stream) newReq(cb func(error), kind reqKind) C.uintptr_t {
	if cb == nil {
		return 0
	}
	l := s.loop
	l.dbg.reqStarted(reqKindNames[kind])
	s.reqs++
	return C.uintptr_t(l.reqs.New(reqEntry{cb: cb, owner: s, seq: l.deferred.issued, kind: kind}))
}

// takeReq removes the request's entry and returns it.
func (l *Loop) takeReq(id C.uintptr_t) (reqEntry, bool) {
	e, ok := l.reqs.Get(cbridge.ID(id))
	if ok {
		l.reqs.Delete(cbridge.ID(id))
		l.dbg.reqDone(reqKindNames[e.kind])
		if e.owner != nil { // UDP sends have none
			e.owner.reqs--
		}
	}
	return e, ok
}

// dropReq forgets a request whose call failed: libuv will not call back.
func (l *Loop) dropReq(id C.uintptr_t) { l.takeReq(id) }

// finishReq runs in a request's callback: the entry goes, the deferred
// calls issued before the request run, then its Go callback with libuv's
// status.
func (l *Loop) finishReq(id C.uintptr_t, status int) {
	if e, ok := l.takeReq(id); ok {
		l.flushDeferred(e.seq)
		e.cb(statusErr(status))
	}
}

// Req is an in-flight request that belongs to the loop rather than to a
// stream (uv_req_t): fs, getaddrinfo, getnameinfo, work and random
// requests. Its C memory (the uv_*_t) lives from the call that starts it
// until its callback; its ID, in the loop's lreqs table, is in req->data.
// Cancel is the one method every such request has; the calls that start
// one return it.
//
// https://docs.libuv.org/en/v1.x/request.html
type Req struct {
	ptr  unsafe.Pointer // the uv_*_t, nil once finished
	loop *Loop
	id   cbridge.ID
	kind reqKind
	// done runs on the loop from the request's callback, with the C
	// request still valid at ptr (it reads the results there); C frees
	// the request when it returns.
	done func(r *Req, status int)
	// pin holds Go memory the thread pool may touch (fs buffers) until the
	// callback; it is unpinned when done returns.
	pin runtime.Pinner
}

// newLoopReq registers a request of kind whose callback will run done. The
// caller starts the C request with r.id in its data field, then calls
// started with what the start returned.
func (l *Loop) newLoopReq(kind reqKind, done func(r *Req, status int)) *Req {
	r := &Req{loop: l, kind: kind, done: done}
	r.id = l.lreqs.New(r)
	l.dbg.reqStarted(reqKindNames[kind])
	return r
}

// started settles the start of r: with a C request in res.ptr it is in
// flight; when res.err says the start failed (libuv will not call back) the
// entry goes and the error names op and path.
func (r *Req) started(res C.uvgo_new_t, op, path string) error {
	if res.err != 0 {
		r.forget()
		return &Error{Op: op, Path: path, Code: Errno(res.err)}
	}
	r.ptr = res.ptr
	return nil
}

// forget removes r from the table without a callback.
func (r *Req) forget() {
	l := r.loop
	if _, ok := l.lreqs.Get(r.id); ok {
		l.lreqs.Delete(r.id)
		l.dbg.reqDone(reqKindNames[r.kind])
	}
	r.pin.Unpin()
	r.ptr = nil
}

// finishLoopReq runs in the callback of a loop request (goUVReq).
func (l *Loop) finishLoopReq(id cbridge.ID, status int) {
	r, ok := l.lreqs.Get(id)
	if !ok {
		return
	}
	defer r.forget()
	r.done(r, status)
}

// Cancel cancels the request (uv_cancel). It succeeds only while the
// request waits in the thread pool's queue: its callback then runs, later
// and once, with ECANCELED. A request that is running or has finished
// cannot be cancelled: EBUSY. Call it on the loop's goroutine.
func (r *Req) Cancel() error {
	if r == nil {
		return &Error{Op: "uv_cancel", Code: EINVAL, Detail: "nil request"}
	}
	if r.ptr == nil {
		return &Error{Op: "uv_cancel", Code: EBUSY, Detail: "request has finished"}
	}
	r.loop.checkThread("uv_cancel")
	return check("uv_cancel", int(C.uv_cancel((*C.uv_req_t)(r.ptr))))
}
