package uvhttp

import (
	"sync"
	"time"
)

// DefaultHandlerGoroutines is the size of the pool that runs HTTPHandler
// when Server.HandlerGoroutines is 0, and DefaultHandlerQueue the length of
// its queue when Server.HandlerQueue is 0 (a negative HandlerQueue means
// no queue). Measured with BenchmarkPool and BenchmarkPoolMemory
// (nethttp_pool_test.go; 2-core EPYC, Go 1.26, 2026-12-03), per task
// submitted by one goroutine with the queue as long as the pool:
//
//	size              1      8     64    256   1024   4096
//	cpu (~1 µs) ns  453    205    158    156    382    886
//	io (~1 ms)  ns  1.2M   131k   9243   1121    649   1660
//
// Handlers that compute are served as well by 64 workers as by more (past
// 1024 the start of goroutines costs); handlers that block (a database, a
// slow client's body) need the pool to be as wide as the requests that
// block at once, and 1024 serves 1 ms handlers at about 1.5 M/s, the best
// of the sizes measured. A busy worker holds 8 KiB of stack (more if its
// handler grows it) and ~430 B of heap: 1024 busy workers, about 9 MiB.
// Workers start on demand and leave after poolIdleTimeout, so an idle
// server holds none, and the queue of 4096 holds requests already parsed
// (their heads) while all workers are busy.
const (
	DefaultHandlerGoroutines = 1024
	DefaultHandlerQueue      = 4096
)

// poolIdleTimeout is how long a worker waits for work before it exits.
const poolIdleTimeout = 10 * time.Second

// pool runs functions in at most size goroutines, with a queue of at most
// queue functions waiting for one. Workers start on demand and exit after
// poolIdleTimeout without work; the last idle worker is reused first (its
// stack is warm). When both are full, submit refuses: the caller (a
// connection) stops reading and registers a waiter, called once when a
// worker frees up, so nothing grows without bound.
type pool struct {
	mu      sync.Mutex
	size    int
	queue   int
	workers int
	idle    []*poolWorker // LIFO
	q       []func()      // FIFO, q[qhead:]
	qhead   int
	waiters []func()
	stopped bool
}

type poolWorker struct {
	ch chan func()
}

func newPool(size, queue int) *pool {
	if size <= 0 {
		size = DefaultHandlerGoroutines
	}
	if queue < 0 {
		queue = 0
	} else if queue == 0 {
		queue = DefaultHandlerQueue
	}
	return &pool{size: size, queue: queue}
}

// submit runs f in a worker, now or once one is free; it returns false
// when the pool and its queue are full.
func (p *pool) submit(f func()) bool { return p.submitOr(f, nil) }

// submitOr is submit that, when it refuses, registers onFree (if not nil)
// to be called once, from a worker, when a slot frees: refusing and
// registering under one lock, so that the slot cannot free in between.
func (p *pool) submitOr(f, onFree func()) bool {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.ch <- f // buffered, and the worker is idle: never blocks
		return true
	}
	if p.workers < p.size {
		p.workers++
		p.mu.Unlock()
		go p.work(&poolWorker{ch: make(chan func(), 1)}, f)
		return true
	}
	if len(p.q)-p.qhead >= p.queue {
		if onFree != nil {
			p.waiters = append(p.waiters, onFree)
		}
		p.mu.Unlock()
		return false
	}
	p.q = append(p.q, f)
	p.mu.Unlock()
	return true
}

// stop makes the idle workers exit, and busy ones once they are done (the
// server has shut down); submit still works, for a server's stragglers.
func (p *pool) stop() {
	p.mu.Lock()
	p.stopped = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, w := range idle {
		w.ch <- nil
	}
}

// work runs f, then queued functions, then waits idle for more.
func (p *pool) work(w *poolWorker, f func()) {
	t := time.NewTimer(poolIdleTimeout)
	defer t.Stop()
	for {
		f()
		p.mu.Lock()
		f = p.next()
		var wake func()
		if n := len(p.waiters); n > 0 {
			wake = p.waiters[0]
			p.waiters[0] = nil
			p.waiters = p.waiters[1:]
		}
		stop := f == nil && p.stopped
		if stop {
			p.workers--
		} else if f == nil {
			p.idle = append(p.idle, w)
		}
		p.mu.Unlock()
		if wake != nil {
			wake()
		}
		if stop {
			return
		}
		if f != nil {
			continue
		}
		if f = p.idleWait(w, t); f == nil {
			return
		}
	}
}

// next pops the queue's head; it is called with mu held.
func (p *pool) next() func() {
	if p.qhead == len(p.q) {
		return nil
	}
	f := p.q[p.qhead]
	p.q[p.qhead] = nil
	p.qhead++
	if p.qhead == len(p.q) {
		p.q, p.qhead = p.q[:0], 0
	}
	return f
}

// idleWait waits for work on an idle worker; nil means it timed out and
// has left the pool.
func (p *pool) idleWait(w *poolWorker, t *time.Timer) func() {
	t.Reset(poolIdleTimeout)
	select {
	case f := <-w.ch:
		if f == nil { // stop
			p.mu.Lock()
			p.workers--
			p.mu.Unlock()
		}
		return f
	case <-t.C:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, iw := range p.idle {
		if iw == w {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.workers--
			return nil
		}
	}
	// submit or stop took this worker just as the timer fired.
	p.mu.Unlock()
	f := <-w.ch
	p.mu.Lock()
	if f == nil {
		p.workers--
	}
	return f
}
