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
// https://docs.libuv.org/en/v1.x/timer.html
type Timer struct {
	handle
	cb func(*Timer)
}

// NewTimer creates a timer on l (uv_timer_init).
func NewTimer(l *Loop) (*Timer, error) {
	t := &Timer{}
	if err := l.newHandle(t, TypeTimer, 0, "uv_timer_init"); err != nil {
		return nil, err
	}
	return t, nil
}

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
	return check("uv_timer_start", int(C.uvgo_timer_start((*C.uv_timer_t)(t.ptr), ms(timeout), ms(repeat))))
}

// Stop stops the timer (uv_timer_stop); its callback will not run.
func (t *Timer) Stop() error {
	if err := t.live(); err != nil {
		return err
	}
	t.loop.checkThread("Timer.Stop")
	return check("uv_timer_stop", int(C.uv_timer_stop((*C.uv_timer_t)(t.ptr))))
}

// Again restarts a repeating timer with its repeat interval as the timeout
// (uv_timer_again); it stops a non-repeating one. It returns EINVAL if the
// timer was never started.
func (t *Timer) Again() error {
	if err := t.startable("uv_timer_again"); err != nil {
		return err
	}
	return check("uv_timer_again", int(C.uv_timer_again((*C.uv_timer_t)(t.ptr))))
}

// SetRepeat sets the repeat interval (uv_timer_set_repeat). It takes effect
// when the timer next fires or is restarted; 0 makes it one-shot. A
// negative d panics, as does a closed timer.
func (t *Timer) SetRepeat(d time.Duration) {
	t.mustLive("SetRepeat")
	if d < 0 {
		panic("uv: Timer.SetRepeat with a negative duration")
	}
	C.uv_timer_set_repeat((*C.uv_timer_t)(t.ptr), ms(d))
}

// Repeat returns the repeat interval (uv_timer_get_repeat); 0 once closed.
func (t *Timer) Repeat() time.Duration {
	if t.ptr == nil {
		return 0
	}
	return fromMs(uint64(C.uv_timer_get_repeat((*C.uv_timer_t)(t.ptr))))
}

// DueIn returns the time until the timer's deadline, from the loop's cached
// time (uv_timer_get_due_in); 0 once the deadline has passed, and once the
// timer is closed. Like libuv, it does not look at whether the timer is
// active: a stopped timer still reports the deadline it had.
func (t *Timer) DueIn() time.Duration {
	if t.ptr == nil {
		return 0
	}
	return fromMs(uint64(C.uv_timer_get_due_in((*C.uv_timer_t)(t.ptr))))
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
