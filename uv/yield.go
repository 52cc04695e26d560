package uv

import (
	"runtime"
	"time"
)

// Go's sysmon takes the P of a goroutine that has not been rescheduled for
// 10 ms (forcePreemptNS) even while it is in a cgo call, hands it to
// another thread, and then polls every 20 µs for a millisecond or more: on
// the loop's own CPU when the loop is pinned to one, where each poll
// preempts the loop. The goroutine inside Run is rescheduled by nothing
// else, so the binding does it itself at least every yieldAfter: from
// callbacks (every yieldCheck of them it looks at the clock), and, for a
// loop that calls Go rarely, from Run when the loop's yield handle ends
// uv_run (uvgo.c, uvgo_yield_cb). A reschedule costs a few microseconds.
const (
	yieldAfter = 4 * time.Millisecond
	yieldCheck = 64
)

var monoEpoch = time.Now()

// tick counts a callback and reschedules the loop's goroutine when due.
func (l *Loop) tick() {
	l.ncb++
	if l.ncb%yieldCheck == 0 && time.Since(monoEpoch)-l.lastYield > yieldAfter {
		l.reschedule()
	}
}

// reschedule lets the scheduler run the loop's goroutine anew.
func (l *Loop) reschedule() {
	l.lastYield = time.Since(monoEpoch)
	runtime.Gosched()
}
