package uv

/*
#include <stdint.h>
*/
import "C"

import "github.com/gouv/gouv/cbridge"

// reqKind names a request type, for uvdebug's counts.
type reqKind uint8

const (
	reqWrite reqKind = iota
	reqConnect
	reqShutdown
)

var reqKindNames = [...]string{reqWrite: "write", reqConnect: "connect", reqShutdown: "shutdown"}

// reqEntry is an in-flight libuv request (uv_req_t: write, connect,
// shutdown) whose callback goes to Go. Its ID, in the loop's request table,
// is in req->data. The entry is deleted in the request's callback, or at
// once when the call that would start it fails, since libuv never calls
// back then. A request without a Go callback has ID 0 and no entry: C
// frees it without calling Go.
type reqEntry struct {
	cb    func(error)
	owner *stream // whose reqs counts it
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
		e.owner.reqs--
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
