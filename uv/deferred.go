package uv

/*
#include "uvgo.h"
*/
import "C"

// deferredCall is a callback that the binding owes the program but may not
// run from inside the call that earned it: libuv never calls back
// synchronously (libuv's callback_stack test), and neither does gouv. A
// write that uv_try_write finished at once is the common case.
type deferredCall struct {
	cb  func(error)
	err error
	seq uint64
}

// deferredQueue runs deferred callbacks from an idle handle of the loop's
// own (data 0, never seen by Walk), on the next iteration; the handle is
// started only while the queue is non-empty.
//
// They must also keep libuv's order: a write's callback runs before those
// of later writes, shutdowns and the close of its stream. libuv runs those
// from its own queues, some before the idle phase, so every call is
// numbered (seq) and every request and close (Loop.closing) remembers how
// many calls had been deferred when it started; before its callback, the
// deferred calls up to that number run.
type deferredQueue struct {
	q      []deferredCall
	head   int
	issued uint64 // seq of the last deferred call
	armed  bool
}

func (d *deferredQueue) pending() int { return len(d.q) - d.head }

// deferCall queues cb(err) for the next loop iteration.
func (l *Loop) deferCall(cb func(error), err error) {
	d := &l.deferred
	d.issued++
	d.q = append(d.q, deferredCall{cb, err, d.issued})
	if !d.armed {
		d.armed = true
		C.uvgo_defer_arm(l.ptr)
	}
}

// runDeferred runs the calls queued before it started (goUVDeferred);
// calls queued meanwhile wait for the next iteration.
func (l *Loop) runDeferred() {
	l.deferred.armed = false
	defer l.rearmDeferred()
	if n := len(l.deferred.q); n > 0 {
		l.flushDeferred(l.deferred.q[n-1].seq)
	}
}

// flushDeferred runs the waiting calls numbered up to seq, in order. A call
// that panics is gone; the rest stay queued.
func (l *Loop) flushDeferred(seq uint64) {
	d := &l.deferred
	for d.head < len(d.q) && d.q[d.head].seq <= seq {
		c := d.q[d.head]
		d.q[d.head] = deferredCall{}
		d.head++
		if d.head == len(d.q) {
			d.q, d.head = d.q[:0], 0
		}
		c.cb(c.err)
	}
}

// rearmDeferred starts the idle handle again when calls wait, those queued
// by the calls that ran or left by a panic.
func (l *Loop) rearmDeferred() {
	d := &l.deferred
	if d.pending() > 0 && !d.armed {
		d.armed = true
		C.uvgo_defer_arm(l.ptr)
	}
}
