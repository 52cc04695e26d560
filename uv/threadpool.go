package uv

/*
#include "uvgo.h"
*/
import "C"

import "sync"

// QueueWork runs work on libuv's thread pool, then after on the loop
// (uv_queue_work). work runs on a pool thread, outside the loop: it must
// not touch the loop or its handles (Loop.Post is the way back, besides
// after), and a cgo callback from a thread that Go did not create carries
// it there. after runs on the loop's goroutine with nil once work has
// returned, or with ECANCELED, work never having run, when the request was
// cancelled while it waited in the pool's queue; after may be nil. The
// request keeps the loop alive until after has run.
//
// A panic in work is recovered on the pool thread and carried to the loop:
// Run panics with a *CallbackPanic holding the value and work's stack, in
// place of after, which does not run. work must not call runtime.Goexit
// (t.FailNow): it cannot be carried, and a pool thread cannot exit.
//
// The pool is shared by every loop of the process and serves fs, DNS and
// random requests too. It has 4 threads, or as many as the environment
// variable UV_THREADPOOL_SIZE says (1 to 1024) when it is set before the
// pool starts, which is at the first request of the process that needs it:
// set it before the program starts, or with os.Setenv before its first
// request. work functions that block hold a thread each, and keep the
// requests queued behind them waiting.
//
// QueueWork returns an EINVAL *Error for a nil work. Call it on the loop's
// goroutine.
//
// https://docs.libuv.org/en/v1.x/threadpool.html
func QueueWork(l *Loop, work func(), after func(err error)) (*Req, error) {
	const op = "uv_queue_work"
	if err := l.reqUsable(op); err != nil {
		return nil, err
	}
	if work == nil {
		return nil, &Error{Op: op, Code: EINVAL, Detail: "nil work function"}
	}
	key := works.add(work)
	r := l.newLoopReq(reqWork, func(r *Req, status int) {
		if p := works.take(key); p != nil {
			r.loop.carryPanic(p)
			return
		}
		if after != nil {
			after(statusErr(status))
		}
	})
	if err := r.started(C.uvgo_queue_work(l.ptr, C.uintptr_t(r.id), C.uintptr_t(key)), op, ""); err != nil {
		works.take(key)
		return nil, err
	}
	return r, nil
}

// workItem is a queued work function and, once it has run, the panic it
// raised, if any.
type workItem struct {
	fn       func()
	panicked *CallbackPanic
}

// workRegistry maps work keys to their functions. Pool threads read it, so
// it is guarded by a mutex, unlike the loop's tables; the mutex also orders
// what work wrote before the loop reads it, for the race detector.
type workRegistry struct {
	mu   sync.Mutex
	next uint64
	m    map[uint64]*workItem
}

var works workRegistry

func (w *workRegistry) add(fn func()) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[uint64]*workItem{}
	}
	w.next++
	w.m[w.next] = &workItem{fn: fn}
	return w.next
}

// take removes the item of key and returns the panic its work raised.
func (w *workRegistry) take(key uint64) *CallbackPanic {
	w.mu.Lock()
	defer w.mu.Unlock()
	it := w.m[key]
	delete(w.m, key)
	if it == nil {
		return nil
	}
	return it.panicked
}

// runWork runs the work function of key on the pool thread that called
// goUVWork, recovering a panic for the loop.
func runWork(key uint64) {
	works.mu.Lock()
	it := works.m[key]
	works.mu.Unlock()
	if it == nil {
		return
	}
	defer func() {
		v := recover()
		works.mu.Lock()
		if v != nil {
			it.panicked = &CallbackPanic{Value: v, Stack: stack()}
		}
		works.mu.Unlock()
	}()
	it.fn()
}

// carryPanic records a panic raised off the loop, with its own stack, as
// if a callback had raised it: Run re-raises it.
func (l *Loop) carryPanic(p *CallbackPanic) {
	if l.panicked == nil {
		l.panicked = p
	}
	if l.inUVRun {
		l.Stop()
	}
}

// reqUsable checks that a loop request may start on l: a nil loop is an
// EINVAL *Error naming op, a closed one ErrLoopClosed; uvdebug builds
// check the thread.
func (l *Loop) reqUsable(op string) error {
	if l == nil {
		return &Error{Op: op, Code: EINVAL, Detail: "nil loop"}
	}
	if l.closed {
		return ErrLoopClosed
	}
	l.checkThread(op)
	return nil
}
