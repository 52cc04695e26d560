package uv

/*
#include "uvgo.h"
*/
import "C"

import "sync"

// postQueue holds the functions posted to a loop from any goroutine. They
// are run on the loop's goroutine by one uv_async_t (created with the loop,
// unreferenced), in batches: one uv_async_send per batch, however many posts
// it holds.
//
// Post reads only what mu guards, never the Loop's own fields, which Close
// writes on the loop's goroutine: raw is the loop's C pointer, set by
// NewLoop before the Loop is shared and never changed, and closed is set
// by Close under mu once nothing can make it fail.
type postQueue struct {
	mu     sync.Mutex
	q      []func() // posted, not yet taken by the loop
	raw    *C.uv_loop_t
	closed bool

	// Owned by the loop's goroutine: the batch being run and how far.
	batch []func()
	pos   int
}

// Post queues f to run on the loop's goroutine, after the functions posted
// before it by the same goroutine. It is safe to call from any goroutine,
// and wakes the loop (uv_async_send). Posted functions keep the loop alive:
// Run does not return in RunDefault mode while some wait. Post returns
// ErrLoopClosed after Close.
//
// A panic in f stops the loop and is re-raised by Run; the functions
// posted after f still run, on the next Run.
func (l *Loop) Post(f func()) error {
	if f == nil {
		return ErrNilCallback
	}
	if l == nil {
		return errLoopNotCreated
	}
	p := &l.post
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return ErrLoopClosed
	case p.raw == nil:
		return errLoopNotCreated
	}
	p.q = append(p.q, f)
	if len(p.q) == 1 {
		// Under the lock, so that Close cannot free the handle meanwhile.
		C.uvgo_post_send(p.raw)
	}
	return nil
}

// pending reports whether posted functions wait to run.
func (p *postQueue) pending() bool {
	if p.pos < len(p.batch) {
		return true
	}
	p.mu.Lock()
	n := len(p.q)
	p.mu.Unlock()
	return n > 0
}

// runPosts runs the functions that were posted when it started, and the
// rest of a batch that a panic interrupted. Functions posted meanwhile wake
// the loop again, so a busy producer cannot starve it.
func (l *Loop) runPosts() {
	p := &l.post
	if p.pos >= len(p.batch) {
		p.mu.Lock()
		p.batch, p.q = p.q, p.batch[:0]
		p.pos = 0
		p.mu.Unlock()
	}
	for p.pos < len(p.batch) {
		f := p.batch[p.pos]
		p.batch[p.pos] = nil
		p.pos++
		f()
	}
}

// runPostsTrapped runs posts from Run itself, outside uv_run: a panic is
// recorded as in a callback, and Run re-raises it.
func (l *Loop) runPostsTrapped() {
	defer l.trap()
	l.runPosts()
}

// close refuses further posts; it fails while posted functions wait. Close
// calls it last of its checks, once nothing else can fail.
func (p *postQueue) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.q) + len(p.batch) - p.pos; n > 0 {
		return &Error{Op: "uv_loop_close", Code: EBUSY, Detail: itoa(n) + " posted functions have not run: run the loop"}
	}
	p.closed = true
	return nil
}
