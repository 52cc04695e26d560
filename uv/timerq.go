package uv

/*
#include "uvgo.h"
*/
import "C"

import "math"

// A loop's Timers are not in libuv's timer heap. Each Timer has its
// uv_timer_t (for Walk, Close and the close callback's place among the
// loop's other handles), but starting it puts it in timerQueue, a 4-ary
// min-heap in Go ordered as libuv orders timers (deadline, then start
// order), and the loop's one internal uv_timer_t is armed for the first
// deadline. When it fires, run does what libuv's uv__run_timers does for
// every Timer due, in one call from C instead of one per Timer.
//
// Why: libuv's heap is a pointer tree threaded through the handles, and a
// callback per Timer is a C->Go call plus two cache misses on the Go side;
// with a million timers that is 1.5x C libuv's time (bench/NOTES.md). The
// Go heap keeps its keys in one array and fires without crossings.
//
// A Timer's schedule is kept where libuv keeps it, in its uv_timer_t's
// timeout (the deadline), repeat and start_id fields, which libuv reads
// only for timers in its own heap; gouv's never are, libuv sees them as
// inactive timers. start_id is 0 while the Timer is not started. A heap
// entry whose seq no longer matches its Timer's start_id (stopped,
// restarted or closed since) is dead: it is dropped when it reaches the
// top, or when dead entries outnumber live ones.
type timerQueue struct {
	chunks   []*[timerChunk]timerEntry // the heap's array, in fixed chunks
	n        int                       // entries in the heap, dead ones included
	dead     int                       // entries whose Timer moved on
	seq      uint64                    // start order (libuv's timer_counter)
	live     int                       // started Timers
	refd     int                       // started Timers that keep the loop alive
	armed    bool                      // the loop's uv_timer_t is started...
	armedDue uint64                    // ...for this loop time (ms)
	armedRef bool                      // ...and referenced
	running  bool                      // run is firing Timers
}

// timerEntry is one start of a Timer: its deadline and start order, the
// heap's key.
type timerEntry struct {
	due, seq uint64
	t        *Timer
}

// timerChunk entries make one chunk (96 KiB): the heap grows without
// copying, and a million timers take no more than they need.
const timerChunk = 4096

func (q *timerQueue) at(i int) *timerEntry {
	return &q.chunks[i/timerChunk][i%timerChunk]
}

func (e *timerEntry) before(f *timerEntry) bool {
	return e.due < f.due || e.due == f.due && e.seq < f.seq
}

// alive reports whether e is its Timer's current start.
func (e *timerEntry) alive() bool {
	return e.t.ptr != nil && uint64(e.t.tp().start_id) == e.seq
}

// now is the loop's cached time in ms (uv_now), read from the C loop.
func (l *Loop) now() uint64 { return uint64(l.ptr.time) }

// start schedules t (uv_timer_start, without the checks): due is a loop
// time, repeat in ms. t must not be started.
func (q *timerQueue) start(l *Loop, t *Timer, due, repeat uint64) {
	q.seq++
	ct := t.tp()
	ct.timeout, ct.repeat, ct.start_id = C.uint64_t(due), C.uint64_t(repeat), C.uint64_t(q.seq)
	q.live++
	if t.aux&timerUnref == 0 {
		q.refd++
	}
	q.push(timerEntry{due, q.seq, t})
	if !q.running && (!q.armed || due < q.armedDue || q.armedRef != (q.refd > 0)) {
		q.sync(l)
	}
}

// stop unschedules a started t (uv_timer_stop): its entry is now dead.
func (q *timerQueue) stop(l *Loop, t *Timer) {
	q.unschedule(t)
	q.dead++
	if q.dead > 64 && q.dead > q.n/2 {
		q.compact()
	}
	if !q.running {
		q.sync(l)
	}
}

// unschedule marks a started t stopped and uncounts it; its entry is
// either popped already (run) or left dead (stop).
func (q *timerQueue) unschedule(t *Timer) {
	t.tp().start_id = 0
	q.live--
	if t.aux&timerUnref == 0 {
		q.refd--
	}
}

// setRef updates the count of Timers keeping the loop alive when a started
// Timer is referenced or unreferenced.
func (q *timerQueue) setRef(l *Loop, ref bool) {
	if ref {
		q.refd++
	} else {
		q.refd--
	}
	if !q.running {
		q.sync(l)
	}
}

// sync arms the loop's uv_timer_t for the first live deadline, referenced
// when a started Timer is, or stops it when no Timer is started: libuv
// then sees the loop alive, and blocks in its poll, exactly as it would
// with every Timer in its own heap.
func (q *timerQueue) sync(l *Loop) {
	for q.n > 0 && !q.at(0).alive() {
		q.pop()
		q.dead--
	}
	if q.n == 0 {
		if q.armed {
			q.armed = false
			C.uvgo_timers_stop(l.ptr)
		}
		return
	}
	due, ref := q.at(0).due, q.refd > 0
	if !q.armed || due != q.armedDue || ref != q.armedRef {
		q.armed, q.armedDue, q.armedRef = true, due, ref
		C.uvgo_timers_arm(l.ptr, C.uint64_t(due), cbool(ref))
	}
}

// run fires every Timer due, in order, as libuv's uv__run_timers does for
// its heap: each is stopped, restarted if it repeats, then called; Timers
// that a callback starts, stops or restarts are seen at once. It runs in
// the callback of the loop's uv_timer_t, which is then no longer started.
func (q *timerQueue) run(l *Loop) {
	q.armed = false
	q.running = true
	for q.n > 0 {
		e := q.at(0)
		if e.due > l.now() {
			break
		}
		t, live := e.t, e.alive()
		q.pop()
		if !live {
			q.dead--
			continue
		}
		q.unschedule(t)
		if r := uint64(t.tp().repeat); r != 0 {
			q.start(l, t, addMs(l.now(), r), r)
		}
		l.fireTimer(t)
	}
	q.running = false
	q.sync(l)
}

// fireTimer runs t's callback under the loop's panic trap: a panic stops
// the loop, the other Timers due still run, as libuv runs them.
func (l *Loop) fireTimer(t *Timer) {
	l.tick()
	defer l.trap()
	t.cb(t)
}

// addMs returns now+d, clamped as uv_timer_start clamps a deadline.
func addMs(now, d uint64) uint64 {
	if now+d < d {
		return math.MaxUint64
	}
	return now + d
}

func (q *timerQueue) push(e timerEntry) {
	if q.n == len(q.chunks)*timerChunk {
		q.chunks = append(q.chunks, new([timerChunk]timerEntry))
	}
	i := q.n
	q.n++
	for i > 0 {
		p := (i - 1) / 4
		pe := q.at(p)
		if !e.before(pe) {
			break
		}
		*q.at(i) = *pe
		i = p
	}
	*q.at(i) = e
}

// pop removes the first entry.
func (q *timerQueue) pop() {
	q.n--
	last := *q.at(q.n)
	*q.at(q.n) = timerEntry{}
	if q.n > 0 {
		q.down(0, last)
	}
	q.trimChunks()
}

// trimChunks gives back the chunks beyond the one spare the heap keeps.
func (q *timerQueue) trimChunks() {
	for len(q.chunks) > (q.n+timerChunk-1)/timerChunk+1 {
		q.chunks[len(q.chunks)-1] = nil
		q.chunks = q.chunks[:len(q.chunks)-1]
	}
}

// down puts e at i or below, moving smaller children up.
func (q *timerQueue) down(i int, e timerEntry) {
	for {
		c := 4*i + 1
		if c >= q.n {
			break
		}
		m, me := c, q.at(c)
		for j := c + 1; j < c+4 && j < q.n; j++ {
			if je := q.at(j); je.before(me) {
				m, me = j, je
			}
		}
		if !me.before(&e) {
			break
		}
		*q.at(i) = *me
		i = m
	}
	*q.at(i) = e
}

// compact drops the dead entries and rebuilds the heap.
func (q *timerQueue) compact() {
	n := 0
	for i := 0; i < q.n; i++ {
		if e := q.at(i); e.alive() {
			*q.at(n) = *e
			n++
		}
	}
	for i := n; i < q.n; i++ {
		*q.at(i) = timerEntry{}
	}
	q.n, q.dead = n, 0
	q.trimChunks()
	for i := (n - 2) / 4; n > 1 && i >= 0; i-- {
		q.down(i, *q.at(i))
	}
}
