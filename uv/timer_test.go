package uv

import (
	"errors"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// libuv145 reports whether the linked libuv runs its timers the 1.45 way
// (expired timers are collected before any runs, and UV_RUN_ONCE no longer
// runs them a second time after polling).
func libuv145() bool { return VersionHex() >= 0x012d00 }

// timer (test-timer.c): ten one-shot timers over 450 ms, a repeating timer
// that closes itself on its fifth call, and a started-then-stopped timer
// that never fires.
func TestTimer(t *testing.T) {
	l := newLoop(t)
	start := l.Now()
	assert.Greater(t, start, time.Duration(0))

	var onceCalls, onceClosed, repeatCalls, repeatClosed, neverCalls counter
	for i := range 10 {
		tm, err := NewTimer(l)
		require.NoError(t, err)
		require.NoError(t, tm.Start(time.Duration(i)*50*time.Millisecond, 0, func(tm *Timer) {
			assert.False(t, tm.IsActive(), "one-shot timer active in its callback")
			onceCalls.inc()
			assert.NoError(t, tm.Close(func() {
				assert.False(t, tm.IsActive())
				onceClosed.inc()
			}))
			tm.Loop().UpdateTime() // as libuv does, for coverage
		}))
	}

	repeat, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, repeat.Start(100*time.Millisecond, 100*time.Millisecond, func(tm *Timer) {
		assert.True(t, tm.IsActive(), "repeating timer inactive in its callback")
		repeatCalls.inc()
		if repeatCalls.n == 5 {
			assert.NoError(t, tm.Close(repeatClosed.inc))
		}
	}))

	never, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, never.Start(100*time.Millisecond, 100*time.Millisecond, func(*Timer) { neverCalls.inc() }))
	require.NoError(t, never.Stop())
	never.Unref()

	runLoop(t, l, RunDefault)

	assert.Equal(t, 10, onceCalls.n)
	assert.Equal(t, 10, onceClosed.n)
	assert.Equal(t, 5, repeatCalls.n)
	assert.Equal(t, 1, repeatClosed.n)
	assert.Zero(t, neverCalls.n)
	assert.GreaterOrEqual(t, l.Now()-start, 500*time.Millisecond)
}

// timer_init (test-timer.c): a fresh timer repeats 0, is due in 0 and is
// inactive.
func TestTimerInit(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	assert.Equal(t, time.Duration(0), tm.Repeat())
	assert.Equal(t, time.Duration(0), tm.DueIn())
	assert.False(t, tm.IsActive())
	assert.False(t, tm.IsClosing())
	assert.True(t, tm.HasRef())
	assert.Equal(t, TypeTimer, tm.Type())
	assert.Same(t, l, tm.Loop())
}

// timer_again (test-timer-again.c): Again fails with EINVAL on a timer
// never started; SetRepeat turns a one-shot timer into a repeating one;
// Again postpones a repeating timer by its interval; SetRepeat(0) takes
// effect on the next expiry only.
func TestTimerAgain(t *testing.T) {
	l := newLoop(t)
	start := l.Now()
	assert.Greater(t, start, time.Duration(0))

	dummy, err := NewTimer(l)
	require.NoError(t, err)
	err = dummy.Again()
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)
	assert.Equal(t, "uv_timer_again", e.Op)
	dummy.Unref()

	repeat1, err := NewTimer(l)
	require.NoError(t, err)
	repeat2, err := NewTimer(l)
	require.NoError(t, err)
	var closed, calls1, calls2 counter
	allowed2 := false

	require.NoError(t, repeat1.Start(50*time.Millisecond, 0, func(tm *Timer) {
		assert.Equal(t, 50*time.Millisecond, tm.Repeat())
		calls1.inc()
		assert.NoError(t, repeat2.Again())
		if calls1.n == 10 {
			assert.NoError(t, tm.Close(closed.inc))
			// repeat2 is no longer postponed: it may fire from now on.
			allowed2 = true
		}
	}))
	assert.Equal(t, time.Duration(0), repeat1.Repeat())
	repeat1.SetRepeat(50 * time.Millisecond)
	assert.Equal(t, 50*time.Millisecond, repeat1.Repeat())

	require.NoError(t, repeat2.Start(100*time.Millisecond, 100*time.Millisecond, func(tm *Timer) {
		assert.True(t, allowed2, "repeat2 fired while repeat1 kept postponing it")
		calls2.inc()
		if tm.Repeat() == 0 {
			assert.False(t, tm.IsActive())
			assert.NoError(t, tm.Close(closed.inc))
			return
		}
		assert.Equal(t, 100*time.Millisecond, tm.Repeat())
		// This must not take effect before the next expiry.
		tm.SetRepeat(0)
	}))
	assert.Equal(t, 100*time.Millisecond, repeat2.Repeat())

	runLoop(t, l, RunDefault)

	assert.Equal(t, 10, calls1.n)
	assert.Equal(t, 2, calls2.n)
	assert.Equal(t, 2, closed.n)
	// libuv logs "expected ~700 ms"; timers never fire early, so it is a
	// lower bound.
	assert.GreaterOrEqual(t, l.Now()-start, 700*time.Millisecond)
}

// timer_start_twice (test-timer.c): starting an active timer replaces its
// schedule and its callback.
func TestTimerStartTwice(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var never, twice, closed counter
	require.NoError(t, tm.Start(86400*time.Second, 0, func(*Timer) { never.inc() }))
	require.NoError(t, tm.Start(10*time.Millisecond, 0, func(tm *Timer) {
		assert.False(t, tm.IsActive())
		twice.inc()
		assert.NoError(t, tm.Close(func() {
			assert.False(t, tm.IsActive())
			closed.inc()
		}))
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, never.n)
	assert.Equal(t, 1, twice.n)
	assert.Equal(t, 1, closed.n)
}

// timer_order (test-timer.c): timers with the same deadline fire in the
// order they were started.
func TestTimerOrder(t *testing.T) {
	l := newLoop(t)
	a, err := NewTimer(l)
	require.NoError(t, err)
	b, err := NewTimer(l)
	require.NoError(t, err)
	var order []*Timer
	record := func(tm *Timer) { order = append(order, tm) }

	require.NoError(t, a.Start(0, 0, record))
	require.NoError(t, b.Start(0, 0, record))
	assert.False(t, runLoop(t, l, RunDefault))
	require.Len(t, order, 2)
	assert.Same(t, a, order[0])
	assert.Same(t, b, order[1])

	require.NoError(t, a.Stop())
	require.NoError(t, b.Stop())

	order = nil
	require.NoError(t, b.Start(0, 0, record))
	require.NoError(t, a.Start(0, 0, record))
	assert.False(t, runLoop(t, l, RunDefault))
	require.Len(t, order, 2)
	assert.Same(t, b, order[0])
	assert.Same(t, a, order[1])
}

// timer_zero_timeout (test-timer.c): a 0 ms timer that restarts itself and
// stops the loop fires exactly once; Run reports the loop alive because of
// the restarted timer.
//
// libuv 1.44.2 has no such test: its uv__run_timers keeps running a timer
// that a callback restarts with a 0 timeout, forever in the same iteration
// (the timer is due again at once, and the loop time is not updated inside
// the timer phase). libuv 1.45 collects the expired timers first and added
// this test. On 1.44 the callback restarts the timer 1 ms out instead, which
// keeps every assertion of the test.
func TestTimerZeroTimeout(t *testing.T) {
	rearm := time.Duration(0)
	if !libuv145() {
		rearm = time.Millisecond
	}
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var calls counter
	var cb func(*Timer)
	cb = func(tm *Timer) {
		assert.NoError(t, tm.Start(rearm, 0, cb))
		tm.Loop().Stop()
		calls.inc()
	}
	require.NoError(t, tm.Start(0, 0, cb))
	assert.True(t, runLoop(t, l, RunDefault), "alive because of the stop")
	assert.Equal(t, 1, calls.n)
	require.NoError(t, tm.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, calls.n)
}

// timer_huge_timeout (test-timer.c): huge timeouts do not overflow.
//
// libuv takes uint64 milliseconds and tests 0xffffffffffff ms and
// (uint64_t)-1 ms, which overflows loop->time + timeout (libuv clamps it).
// A time.Duration holds at most math.MaxInt64 ns, about 9.2e12 ms, so
// neither value can be expressed: the largest Durations stand in for them,
// and DueIn, which converts libuv's milliseconds back, saturates at
// math.MaxInt64.
func TestTimerHugeTimeout(t *testing.T) {
	l := newLoop(t)
	tiny, err := NewTimer(l)
	require.NoError(t, err)
	huge1, err := NewTimer(l)
	require.NoError(t, err)
	huge2, err := NewTimer(l)
	require.NoError(t, err)
	var calls counter
	cb := func(tm *Timer) {
		assert.Same(t, tiny, tm)
		calls.inc()
		assert.NoError(t, tiny.Close(nil))
		assert.NoError(t, huge1.Close(nil))
		assert.NoError(t, huge2.Close(nil))
	}
	require.NoError(t, tiny.Start(time.Millisecond, 0, cb))
	require.NoError(t, huge1.Start(math.MaxInt64/2, 0, cb))
	require.NoError(t, huge2.Start(math.MaxInt64, 0, cb))
	assert.Equal(t, time.Millisecond, tiny.DueIn())
	assert.Equal(t, time.Duration(math.MaxInt64/2/int64(time.Millisecond)+1)*time.Millisecond, huge1.DueIn())
	assert.Equal(t, time.Duration(math.MaxInt64), huge2.DueIn(), "saturated")
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, calls.n)
}

// timer_huge_repeat (test-timer.c): a huge repeat interval does not
// overflow: the timer fires once and then never again while a 2 ms timer
// fires nine times. libuv's (uint64_t)-1 ms repeat becomes the largest
// Duration (see TestTimerHugeTimeout).
func TestTimerHugeRepeat(t *testing.T) {
	l := newLoop(t)
	tiny, err := NewTimer(l)
	require.NoError(t, err)
	huge, err := NewTimer(l)
	require.NoError(t, err)
	var calls []*Timer
	cb := func(tm *Timer) {
		calls = append(calls, tm)
		if len(calls) == 10 {
			assert.NoError(t, tiny.Close(nil))
			assert.NoError(t, huge.Close(nil))
		}
	}
	require.NoError(t, tiny.Start(2*time.Millisecond, 2*time.Millisecond, cb))
	require.NoError(t, huge.Start(time.Millisecond, math.MaxInt64, cb))
	assert.Equal(t, time.Duration(math.MaxInt64), huge.Repeat(), "saturated")
	assert.False(t, runLoop(t, l, RunDefault))
	require.Len(t, calls, 10)
	assert.Same(t, huge, calls[0])
	for i, tm := range calls[1:] {
		assert.Same(t, tiny, tm, "call %d", i+1)
	}
}

// timer_run_once (test-timer.c): due timers fire under RunOnce, which
// blocks until a 1 ms timer is due.
func TestTimerRunOnce(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var calls counter
	cb := func(*Timer) { calls.inc() }
	require.NoError(t, tm.Start(0, 0, cb))
	assert.False(t, runLoop(t, l, RunOnce))
	assert.Equal(t, 1, calls.n)

	require.NoError(t, tm.Start(time.Millisecond, 0, cb))
	assert.False(t, runLoop(t, l, RunOnce))
	assert.Equal(t, 2, calls.n)

	require.NoError(t, tm.Close(nil))
	assert.False(t, runLoop(t, l, RunOnce))
}

// timer_from_check (test-timer-from-check.c): a timer restarted from a check
// callback fires on a later iteration, after a prepare callback started in
// the same check callback.
func TestTimerFromCheck(t *testing.T) {
	l := newLoop(t)
	prep, err := NewPrepare(l)
	require.NoError(t, err)
	chk, err := NewCheck(l)
	require.NoError(t, err)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var prepared, checked, fired counter

	prepareCB := func(*Prepare) {
		assert.NoError(t, prep.Stop())
		assert.Equal(t, 0, prepared.n)
		assert.Equal(t, 1, checked.n)
		assert.Equal(t, 0, fired.n)
		prepared.inc()
	}
	timerCB := func(*Timer) {
		assert.NoError(t, tm.Stop())
		assert.Equal(t, 1, prepared.n)
		assert.Equal(t, 1, checked.n)
		assert.Equal(t, 0, fired.n)
		fired.inc()
	}
	checkCB := func(*Check) {
		assert.NoError(t, chk.Stop())
		assert.NoError(t, tm.Stop()) // runs before timerCB
		assert.NoError(t, tm.Start(50*time.Millisecond, 0, timerCB))
		assert.NoError(t, prep.Start(prepareCB))
		assert.Equal(t, 0, prepared.n)
		assert.Equal(t, 0, checked.n)
		assert.Equal(t, 0, fired.n)
		checked.inc()
	}
	require.NoError(t, chk.Start(checkCB))
	require.NoError(t, tm.Start(50*time.Millisecond, 0, timerCB))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, prepared.n)
	assert.Equal(t, 1, checked.n)
	assert.Equal(t, 1, fired.n)

	require.NoError(t, prep.Close(nil))
	require.NoError(t, chk.Close(nil))
	require.NoError(t, tm.Close(nil))
	assert.False(t, runLoop(t, l, RunOnce))
}

// timer_is_closing (test-timer.c): Start on a closing timer is EINVAL.
func TestTimerIsClosing(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Close(nil))
	var calls counter
	err = tm.Start(100*time.Millisecond, 100*time.Millisecond, func(*Timer) { calls.inc() })
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)
	assert.Equal(t, "uv_timer_start", e.Op)
	assert.ErrorIs(t, err, syscall.EINVAL)
	runLoop(t, l, RunDefault)
	assert.Zero(t, calls.n)
}

// timer_null_callback (test-timer.c): Start with a nil callback is EINVAL.
func TestTimerNullCallback(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	err = tm.Start(100*time.Millisecond, 100*time.Millisecond, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)
	assert.False(t, tm.IsActive())
}

// timer_early_check (test-timer.c): a timer never fires before its
// deadline, measured on the monotonic clock.
func TestTimerEarlyCheck(t *testing.T) {
	const timeout = 10 * time.Millisecond
	l := newLoop(t)
	expected := l.Now() + timeout
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var at time.Duration
	require.NoError(t, tm.Start(timeout, 0, func(*Timer) {
		at = HRTime().Truncate(time.Millisecond)
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.GreaterOrEqual(t, at, expected)
	require.NoError(t, tm.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
}

// overdue starts a 10 ms repeating timer and blocks the goroutine, which
// owns the loop, for 20 ms: the timer is overdue when the loop next runs.
// The sleep is the scenario (libuv's uv_sleep), not a synchronisation.
func overdue(t *testing.T, l *Loop, calls *counter) {
	t.Helper()
	const timeout = 10 * time.Millisecond
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(timeout, timeout, func(*Timer) { calls.inc() }))
	time.Sleep(2 * timeout)
}

// timer_no_double_call_once (test-timer.c): an overdue repeating timer
// fires once per RunOnce.
//
// That holds from libuv 1.45 on. libuv 1.44.2's UV_RUN_ONCE runs the timers
// at the start of the iteration and again after polling ("forward
// progress"); the poll waits out the repeat interval, so the timer fires
// twice. The binding inherits it; the test pins the linked version's
// behaviour.
func TestTimerNoDoubleCallOnce(t *testing.T) {
	l := newLoop(t)
	var calls counter
	overdue(t, l, &calls)
	assert.True(t, runLoop(t, l, RunOnce))
	if libuv145() {
		assert.Equal(t, 1, calls.n)
	} else {
		assert.Equal(t, 2, calls.n, "libuv 1.44 runs timers twice per UV_RUN_ONCE")
	}
}

// timer_no_double_call_nowait (test-timer.c): an overdue repeating timer
// fires once per RunNoWait.
func TestTimerNoDoubleCallNowait(t *testing.T) {
	l := newLoop(t)
	var calls counter
	overdue(t, l, &calls)
	assert.True(t, runLoop(t, l, RunNoWait))
	assert.Equal(t, 1, calls.n)
}

// timer_no_run_on_unref (test-timer.c): a due but unreferenced timer does
// not run: the loop has nothing to do and returns.
func TestTimerNoRunOnUnref(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var calls counter
	require.NoError(t, tm.Start(0, 0, func(*Timer) { calls.inc() }))
	tm.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, calls.n)
}

// timer_ref (test-ref.c): an unreferenced, stopped timer does not keep the
// loop alive.
func TestTimerRef(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	tm.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	doClose(t, tm)
}

// timer_ref2 (test-ref.c): an unreferenced, started timer does not keep
// the loop alive and does not fire.
func TestTimerRef2(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var calls counter
	require.NoError(t, tm.Start(42*time.Millisecond, 42*time.Millisecond, func(*Timer) { calls.inc() }))
	tm.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, calls.n)
	doClose(t, tm)
	assert.Zero(t, calls.n)
}

// Durations are rounded up to whole milliseconds, so a timer never fires
// early; negative ones are EINVAL.
func TestTimerDurations(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	nop := func(*Timer) {}

	require.NoError(t, tm.Start(1500*time.Microsecond, time.Nanosecond, nop))
	assert.Equal(t, 2*time.Millisecond, tm.DueIn())
	assert.Equal(t, time.Millisecond, tm.Repeat())
	tm.SetRepeat(2*time.Millisecond + 1)
	assert.Equal(t, 3*time.Millisecond, tm.Repeat())

	for _, d := range [][2]time.Duration{{-1, 0}, {0, -1}, {-time.Second, -time.Second}} {
		err := tm.Start(d[0], d[1], nop)
		var e *Error
		require.ErrorAs(t, err, &e, "%v", d)
		assert.Equal(t, EINVAL, e.Code)
	}
	assert.PanicsWithValue(t, "uv: Timer.SetRepeat with a negative duration", func() { tm.SetRepeat(-1) })

	require.NoError(t, tm.Stop())
	assert.False(t, tm.IsActive())
	// libuv's uv_timer_get_due_in ignores whether the timer is active: a
	// stopped timer keeps reporting its old deadline.
	assert.Equal(t, 2*time.Millisecond, tm.DueIn(), "stopped")
	require.NoError(t, tm.Stop(), "stopping a stopped timer")

	var closed counter
	require.NoError(t, tm.Close(closed.inc))
	runLoop(t, l, RunDefault)
	require.Equal(t, 1, closed.n)
	assert.Equal(t, time.Duration(0), tm.Repeat(), "closed")
	assert.Equal(t, time.Duration(0), tm.DueIn(), "closed")
	assert.True(t, errors.Is(tm.Stop(), ErrClosed))
}
