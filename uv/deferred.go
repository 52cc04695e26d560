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
}

// deferredQueue runs deferred callbacks from an idle handle of the loop's
// own (data 0, never seen by Walk): on the next iteration, before the loop
// polls. The handle is started only while the queue is non-empty.
type deferredQueue struct {
	q     []deferredCall
	batch []deferredCall
	pos   int
	armed bool
}

// deferCall queues cb(err) for the next loop iteration.
func (l *Loop) deferCall(cb func(error), err error) {
	d := &l.deferred
	d.q = append(d.q, deferredCall{cb, err})
	if !d.armed {
		d.armed = true
		C.uvgo_defer_arm(l.ptr)
	}
}

// runDeferred runs the queued callbacks (goUVDeferred). Callbacks queued
// meanwhile wait for the next iteration; after a panic, the rest of the
// batch runs first next time.
func (l *Loop) runDeferred() {
	d := &l.deferred
	d.armed = false
	defer l.rearmDeferred()
	if d.pos >= len(d.batch) {
		d.batch, d.q = d.q, d.batch[:0]
		d.pos = 0
	}
	for d.pos < len(d.batch) {
		c := d.batch[d.pos]
		d.batch[d.pos] = deferredCall{}
		d.pos++
		c.cb(c.err)
	}
}

// rearmDeferred starts the idle handle again when callbacks wait, those
// queued by the batch or left by a panic.
func (l *Loop) rearmDeferred() {
	d := &l.deferred
	if d.pending() > 0 && !d.armed {
		d.armed = true
		C.uvgo_defer_arm(l.ptr)
	}
}

func (d *deferredQueue) pending() int { return len(d.q) + len(d.batch) - d.pos }
