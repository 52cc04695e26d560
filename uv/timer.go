package uv

/*
#include "uvgo.h"

uvgo_new_t uvgo_timer_new_start(uv_loop_t* loop, uintptr_t id,
                                uint64_t timeout, uint64_t repeat);
*/
import "C"

import (
	"math"
	"time"
	"unsafe"
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
//
// The C side of the newest timer is created by its first Start, in the
// same call into C as uv_timer_start (a million timers cost a million
// crossings fewer), or by whatever else needs it first: any other method
// of the timer, a new handle, Loop.Walk, Loop.Raw (Loop.flushLazy). libuv
// sees the same handles in the same order.
func NewTimer(l *Loop) (*Timer, error) {
	if l.closed {
		return nil, ErrLoopClosed
	}
	l.checkThread("uv_timer_init")
	l.flushLazy()
	t := &Timer{}
	t.loop, t.typ = l, uint8(TypeTimer)
	id := l.handles.New(&t.handle)
	l.dbg.opened(id, TypeTimer)
	l.lazy, l.lazyID = t, id
	return t, nil
}

// flushLazy creates the C side of the loop's lazy timer, if any (NewTimer).
func (l *Loop) flushLazy() {
	t := l.lazy
	if t == nil {
		return
	}
	r := C.uvgo_handle_new(l.ptr, C.UV_TIMER, C.uintptr_t(l.lazyID), 0)
	if r.err != 0 {
		panic(check("uv_timer_init", int(r.err)))
	}
	l.lazy = nil
	t.ptr = r.ptr
}

func (t *Timer) tp() *C.uv_timer_t { return (*C.uv_timer_t)(unsafe.Pointer(t.hp())) }

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
	if t.ptr == nil { // the loop's lazy timer: init and start in one call
		l := t.loop
		r := C.uvgo_timer_new_start(l.ptr, C.uintptr_t(l.lazyID), ms(timeout), ms(repeat))
		if r.err != 0 {
			return check("uv_timer_start", int(r.err))
		}
		t.cb, t.ptr, l.lazy = cb, r.ptr, nil
		return nil
	}
	t.cb = cb
	return check("uv_timer_start", int(C.uvgo_timer_start(t.tp(), ms(timeout), ms(repeat))))
}

// Stop stops the timer (uv_timer_stop); its callback will not run.
func (t *Timer) Stop() error {
	if err := t.live(); err != nil {
		return err
	}
	t.loop.checkThread("Timer.Stop")
	return check("uv_timer_stop", int(C.uv_timer_stop(t.tp())))
}

// Again restarts a repeating timer with its repeat interval as the timeout
// (uv_timer_again); it stops a non-repeating one. It returns EINVAL if the
// timer was never started.
func (t *Timer) Again() error {
	if err := t.startable("uv_timer_again"); err != nil {
		return err
	}
	return check("uv_timer_again", int(C.uv_timer_again(t.tp())))
}

// SetRepeat sets the repeat interval (uv_timer_set_repeat). It takes effect
// when the timer next fires or is restarted; 0 makes it one-shot. A
// negative d panics, as does a closed timer.
func (t *Timer) SetRepeat(d time.Duration) {
	t.mustLive("SetRepeat")
	if d < 0 {
		panic("uv: Timer.SetRepeat with a negative duration")
	}
	C.uv_timer_set_repeat(t.tp(), ms(d))
}

// Repeat returns the repeat interval (uv_timer_get_repeat); 0 once closed.
func (t *Timer) Repeat() time.Duration {
	if t.ptr == nil {
		return 0
	}
	return fromMs(uint64(C.uv_timer_get_repeat(t.tp())))
}

// DueIn returns the time until the timer's deadline, from the loop's cached
// time (uv_timer_get_due_in); 0 once the deadline has passed, and once the
// timer is closed. Like libuv, it does not look at whether the timer is
// active: a stopped timer still reports the deadline it had.
func (t *Timer) DueIn() time.Duration {
	if t.ptr == nil {
		return 0
	}
	return fromMs(uint64(C.uv_timer_get_due_in(t.tp())))
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
