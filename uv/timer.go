package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"math"
	"time"
)

// Timer is a timer handle (uv_timer_t): it calls its callback after a
// timeout, then, if it repeats, every repeat interval. libuv counts in
// milliseconds: durations are rounded up to the next millisecond, so a
// timer never fires early.
//
// Timers keep libuv's semantics and order (deadline, then start order;
// stopped, restarted and new timers seen at once by the timers due in the
// same iteration), but the loop schedules them in Go behind one libuv
// timer (timerq.go): a million timers cost no call from C each.
//
// https://docs.libuv.org/en/v1.x/timer.html
type Timer struct {
	handle
	cb func(*Timer)
}

// timerUnref, in handle.aux, is set while the Timer is unreferenced.
const timerUnref = 1

// NewTimer creates a timer on l (uv_timer_init).
func NewTimer(l *Loop) (*Timer, error) {
	t := &Timer{}
	if err := l.newHandle(t, TypeTimer, 0, "uv_timer_init"); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Timer) tp() *C.uv_timer_t { return (*C.uv_timer_t)(t.ptr) }

// started reports whether t is open and started.
func (t *Timer) started() bool { return t.ptr != nil && t.tp().start_id != 0 }

// Start arms the timer (uv_timer_start): cb runs timeout from now (from the
// loop's cached time, Loop.Now), then every repeat if repeat is not zero.
// Starting an active timer replaces its schedule. It returns an EINVAL
// *Error for a nil cb, a negative duration or a closing timer.
func (t *Timer) Start(timeout, repeat time.Duration, cb func(*Timer)) error {
	if err := t.startable("uv_timer_start"); err != nil {
		return err
	}
	if cb == nil || timeout < 0 || repeat < 0 {
		return &Error{Op: "uv_timer_start", Code: EINVAL, Detail: "nil callback or negative duration"}
	}
	t.cb = cb
	t.schedule(uint64(ms(timeout)), uint64(ms(repeat)))
	return nil
}

// schedule (re)starts t timeout ms from the loop's time, as uv_timer_start
// does once its checks pass.
func (t *Timer) schedule(timeout, repeat uint64) {
	l := t.loop
	if t.started() {
		l.timers.stop(l, t)
	}
	l.timers.start(l, t, addMs(l.now(), timeout), repeat)
}

// Stop stops the timer (uv_timer_stop); its callback will not run.
func (t *Timer) Stop() error {
	if err := t.live(); err != nil {
		return err
	}
	t.loop.checkThread("Timer.Stop")
	if t.started() {
		t.loop.timers.stop(t.loop, t)
	}
	return nil
}

// Again restarts a repeating timer with its repeat interval as the timeout
// (uv_timer_again); on a timer that does not repeat it does nothing, as in
// libuv. It returns EINVAL if the timer was never started.
func (t *Timer) Again() error {
	if err := t.startable("uv_timer_again"); err != nil {
		return err
	}
	if t.cb == nil {
		return &Error{Op: "uv_timer_again", Code: EINVAL, Detail: "timer never started"}
	}
	if r := uint64(t.tp().repeat); r != 0 {
		t.schedule(r, r)
	}
	return nil
}

// SetRepeat sets the repeat interval (uv_timer_set_repeat). It takes effect
// when the timer next fires or is restarted; 0 makes it one-shot. A
// negative d panics, as does a closed timer.
func (t *Timer) SetRepeat(d time.Duration) {
	t.mustLive("SetRepeat")
	if d < 0 {
		panic("uv: Timer.SetRepeat with a negative duration")
	}
	t.tp().repeat = ms(d)
}

// Repeat returns the repeat interval (uv_timer_get_repeat); 0 once closed.
func (t *Timer) Repeat() time.Duration {
	if t.ptr == nil {
		return 0
	}
	return fromMs(uint64(t.tp().repeat))
}

// DueIn returns the time until the timer's deadline, from the loop's cached
// time (uv_timer_get_due_in); 0 once the deadline has passed, and once the
// timer is closed. Like libuv, it does not look at whether the timer is
// active: a stopped timer still reports the deadline it had.
func (t *Timer) DueIn() time.Duration {
	if t.ptr == nil {
		return 0
	}
	now, due := t.loop.now(), uint64(t.tp().timeout)
	if now >= due {
		return 0
	}
	return fromMs(due - now)
}

// IsActive reports whether the timer is started (uv_is_active).
func (t *Timer) IsActive() bool { return t.started() }

// Ref makes a started timer keep the loop alive again (uv_ref). It panics
// on a closed timer.
func (t *Timer) Ref() {
	t.handle.Ref()
	if t.aux&timerUnref != 0 {
		t.aux &^= timerUnref
		if t.started() {
			t.loop.timers.setRef(t.loop, true)
		}
	}
}

// Unref makes the timer stop keeping the loop alive while started
// (uv_unref). It panics on a closed timer.
func (t *Timer) Unref() {
	t.handle.Unref()
	if t.aux&timerUnref == 0 {
		t.aux |= timerUnref
		if t.started() {
			t.loop.timers.setRef(t.loop, false)
		}
	}
}

// Close stops the timer and starts closing it (uv_close); see
// Handle.Close.
func (t *Timer) Close(cb func()) error {
	if t.state == stateOpen && t.started() {
		t.loop.checkThread("Close")
		t.loop.timers.stop(t.loop, t)
	}
	return t.handle.Close(cb)
}

// ms converts d to whole milliseconds, rounding up.
func ms(d time.Duration) C.uint64_t {
	n := d / time.Millisecond
	if d%time.Millisecond != 0 {
		n++
	}
	return C.uint64_t(n)
}

// fromMs converts milliseconds to a Duration, saturating.
func fromMs(n uint64) time.Duration {
	if n > math.MaxInt64/uint64(time.Millisecond) {
		return math.MaxInt64
	}
	return time.Duration(n) * time.Millisecond
}
