package uv

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run_once (test-run-once.c): each RunOnce call is one loop iteration, and
// reports whether the loop is still alive.
func TestRunOnce(t *testing.T) {
	const numTicks = 64
	l := newLoop(t)
	idle, err := NewIdle(l)
	require.NoError(t, err)
	var ticks counter
	require.NoError(t, idle.Start(func(h *Idle) {
		ticks.inc()
		if ticks.n == numTicks {
			assert.NoError(t, h.Stop())
		}
	}))
	runs := 1
	for runLoop(t, l, RunOnce) {
		runs++
		require.LessOrEqual(t, runs, numTicks, "RunOnce kept reporting alive")
	}
	assert.Equal(t, numTicks, ticks.n)
	assert.Equal(t, numTicks, runs, "one idle tick per RunOnce")
}

// run_nowait (test-run-nowait.c): RunNoWait does not block for a pending
// timer and reports the loop alive.
func TestRunNowait(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, tm.Start(100*time.Millisecond, 100*time.Millisecond, func(*Timer) { fired.inc() }))
	assert.True(t, runLoop(t, l, RunNoWait))
	assert.Zero(t, fired.n)
}

// loop_alive (test-loop-alive.c): a loop is alive with an active timer, and
// with queued work, and not once they are done. libuv queues a
// uv_queue_work request; the binding's queued work is a posted function.
func TestLoopAlive(t *testing.T) {
	l := newLoop(t)
	assert.False(t, l.Alive())

	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, tm.Start(100*time.Millisecond, 0, func(*Timer) { fired.inc() }))
	assert.True(t, l.Alive())
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, fired.n)
	assert.False(t, l.Alive())

	var ran counter
	require.NoError(t, l.Post(ran.inc))
	assert.True(t, l.Alive())
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, ran.n)
	assert.False(t, l.Alive())
}

// loop_close (test-loop-close.c): Close is EBUSY while a handle is open and
// leaves the loop usable; it succeeds once the handle is closed.
func TestLoopClose(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(100*time.Millisecond, 100*time.Millisecond, func(tm *Timer) {
		tm.Loop().Stop()
	}))

	err = l.Close()
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EBUSY, e.Code)
	assert.Equal(t, "uv_loop_close", e.Op)
	assert.ErrorIs(t, err, syscall.EBUSY)
	assert.Contains(t, err.Error(), "timer (active)")

	runLoop(t, l, RunDefault) // stopped by the timer
	require.NoError(t, tm.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
	require.NoError(t, l.Close())
	assert.ErrorIs(t, l.Close(), ErrLoopClosed)
}

// loop_instant_close (test-loop-close.c): libuv queues a uv_queue_work
// request on a fresh loop and tears the loop down (MAKE_VALGRIND_HAPPY:
// close every handle, run, close the loop) without ever running it. The
// binding has no work requests: here the queued work is a posted function,
// plus one started handle of every bound type (timer, idle, prepare, check,
// async with a pending send). None of the handles' callbacks may run; the
// posted function runs while the loop drains.
func TestLoopInstantClose(t *testing.T) {
	t.Run("posted", func(t *testing.T) {
		l := newLoop(t)
		var ran counter
		require.NoError(t, l.Post(ran.inc))
		err := l.Close()
		require.Error(t, err)
		assert.ErrorIs(t, err, syscall.EBUSY)
		assert.Contains(t, err.Error(), "posted functions")
		closeLoop(t, l)
		assert.Equal(t, 1, ran.n)
	})

	t.Run("handles", func(t *testing.T) {
		l := newLoop(t)
		var ran, fired counter
		require.NoError(t, l.Post(ran.inc))
		tm, err := NewTimer(l)
		require.NoError(t, err)
		require.NoError(t, tm.Start(0, 0, func(*Timer) { fired.inc() }))
		idle, err := NewIdle(l)
		require.NoError(t, err)
		require.NoError(t, idle.Start(func(*Idle) { fired.inc() }))
		prep, err := NewPrepare(l)
		require.NoError(t, err)
		require.NoError(t, prep.Start(func(*Prepare) { fired.inc() }))
		chk, err := NewCheck(l)
		require.NoError(t, err)
		require.NoError(t, chk.Start(func(*Check) { fired.inc() }))
		as, err := NewAsync(l, func(*Async) { fired.inc() })
		require.NoError(t, err)
		require.NoError(t, as.Send())

		err = l.Close()
		require.Error(t, err)
		assert.ErrorIs(t, err, syscall.EBUSY)
		for _, name := range []string{"timer", "idle", "prepare", "check", "async"} {
			assert.Contains(t, err.Error(), name+" (active)")
		}

		closeLoop(t, l)
		assert.Equal(t, 1, ran.n, "posted function")
		assert.Zero(t, fired.n, "handle callbacks")
	})
}

// loop_stop (test-loop-stop.c): Stop from a callback makes Run return
// after the current iteration, alive; the loop then runs on.
func TestLoopStop(t *testing.T) {
	const numTicks = 10
	l := newLoop(t)
	prep, err := NewPrepare(l)
	require.NoError(t, err)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var prepared, fired counter
	require.NoError(t, prep.Start(func(p *Prepare) {
		prepared.inc()
		if prepared.n == numTicks {
			assert.NoError(t, p.Stop())
		}
	}))
	require.NoError(t, tm.Start(100*time.Millisecond, 100*time.Millisecond, func(tm *Timer) {
		fired.inc()
		if fired.n == 1 {
			tm.Loop().Stop()
		} else if fired.n == numTicks {
			assert.NoError(t, tm.Stop())
		}
	}))

	assert.True(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, fired.n)

	assert.True(t, runLoop(t, l, RunNoWait))
	assert.Greater(t, prepared.n, 1)

	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, numTicks, fired.n)
	assert.Equal(t, numTicks, prepared.n)
}

// loop_stop_before_run (test-loop-stop.c): Stop before Run makes Run
// return at once, alive, without firing a due timer.
func TestLoopStopBeforeRun(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, tm.Start(0, 0, func(*Timer) { fired.inc() }))
	l.Stop()
	assert.True(t, runLoop(t, l, RunDefault))
	assert.Zero(t, fired.n)
}

// loop_update_time (test-loop-time.c): the loop's time is refreshed on
// every RunNoWait, even on an empty loop.
func TestLoopUpdateTime(t *testing.T) {
	l := newLoop(t)
	start := l.Now()
	for l.Now()-start < time.Second {
		alive, err := l.Run(RunNoWait)
		require.NoError(t, err)
		require.False(t, alive)
	}
}

// loop_backend_timeout (test-loop-time.c): the backend timeout is 0 with
// nothing active and follows the nearest timer.
func TestLoopBackendTimeout(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	assert.False(t, l.Alive())
	assert.Equal(t, time.Duration(0), l.BackendTimeout())

	require.NoError(t, tm.Start(time.Second, 0, func(tm *Timer) {
		assert.NoError(t, tm.Close(nil))
	}))
	// libuv 1.44.2's uv_backend_timeout is 0 while the loop's watcher queue
	// holds watchers not yet handed to epoll ("Need to call uv_run to
	// update the backend fd state"), which is the case on any loop that
	// has not run an iteration yet, in pure C as well. One non-blocking
	// iteration flushes it; the timer keeps the loop alive for it.
	assert.True(t, runLoop(t, l, RunNoWait))
	assert.Greater(t, l.BackendTimeout(), 100*time.Millisecond)
	assert.LessOrEqual(t, l.BackendTimeout(), time.Second)

	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, time.Duration(0), l.BackendTimeout())
}

// loop_configure (test-loop-configure.c): UV_LOOP_BLOCK_SIGNAL accepts
// SIGPROF, and the loop then runs as usual. Any other signal is EINVAL in
// libuv 1.44.2 (uv__loop_configure); ENOSYS is for an unknown option.
func TestLoopConfigure(t *testing.T) {
	l := newLoop(t, WithBlockSignal(syscall.SIGPROF))
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(10*time.Millisecond, 0, func(tm *Timer) {
		assert.NoError(t, tm.Close(nil))
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	require.NoError(t, l.Close())

	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGINT, 0} {
		l, err := NewLoop(WithBlockSignal(sig))
		assert.Nil(t, l, "signal %v", sig)
		require.Error(t, err, "signal %v", sig)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, EINVAL, e.Code)
		assert.Equal(t, "uv_loop_configure", e.Op)
		assert.ErrorIs(t, err, syscall.EINVAL)
	}
}

// metrics_idle_time (test-metrics.c): with idle-time metrics on, the time
// spent blocked in the kernel waiting for a timer is accounted.
func TestMetricsIdleTime(t *testing.T) {
	l := newLoop(t, WithIdleTimeMetrics())
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(50*time.Millisecond, 0, func(*Timer) {}))
	runLoop(t, l, RunDefault)
	// A lower bound only: the loop slept in epoll for about 50 ms.
	assert.GreaterOrEqual(t, l.IdleTime(), 20*time.Millisecond)

	plain := newLoop(t)
	assert.Equal(t, time.Duration(0), plain.IdleTime())
}

// walk_handles (test-walk-handles.c): Walk visits exactly the live handles
// (the binding's own post handle is not one of them).
func TestWalkHandles(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var seen []Handle
	walk := func(h Handle) { seen = append(seen, h) }
	require.NoError(t, tm.Start(time.Millisecond, 0, func(tm *Timer) {
		tm.Loop().Walk(walk)
		assert.NoError(t, tm.Close(nil))
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	require.Len(t, seen, 1)
	assert.Same(t, tm, seen[0])

	seen = nil
	l.Walk(walk)
	assert.Empty(t, seen)
}

// Walk also visits handles that are closing, and a handle closed from f is
// closed properly.
func TestWalkClosing(t *testing.T) {
	l := newLoop(t)
	a, err := NewIdle(l)
	require.NoError(t, err)
	b, err := NewCheck(l)
	require.NoError(t, err)
	require.NoError(t, a.Close(nil))
	var types []HandleType
	l.Walk(func(h Handle) {
		types = append(types, h.Type())
		if !h.IsClosing() {
			assert.NoError(t, h.Close(nil))
		}
	})
	assert.ElementsMatch(t, []HandleType{TypeIdle, TypeCheck}, types)
	assert.True(t, b.IsClosing())
	runLoop(t, l, RunDefault)
	assert.Zero(t, l.Stats().Handles)
}

// A panic in Walk's function is re-raised by Walk as a *CallbackPanic once
// libuv's walk is over; the loop is untouched.
func TestWalkPanic(t *testing.T) {
	l := newLoop(t)
	_, err := NewTimer(l)
	require.NoError(t, err)
	v := catchPanic(func() { l.Walk(func(Handle) { panic("walk boom") }) })
	p, ok := v.(*CallbackPanic)
	require.True(t, ok, "%T %v", v, v)
	assert.Equal(t, "walk boom", p.Value)
	n := 0
	l.Walk(func(Handle) { n++ })
	assert.Equal(t, 1, n)
}

// Stats counts the handles in the loop's table, closing ones included,
// until their close callback.
func TestLoopStats(t *testing.T) {
	l := newLoop(t)
	assert.Zero(t, l.Stats().Handles)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	_, err = NewIdle(l)
	require.NoError(t, err)
	st := l.Stats()
	assert.Equal(t, 2, st.Handles)
	assert.Zero(t, st.Requests)
	if DebugBuild {
		assert.Equal(t, map[string]int{"timer": 1, "idle": 1}, st.HandlesByType)
	} else {
		assert.Nil(t, st.HandlesByType)
	}
	require.NoError(t, tm.Close(nil))
	assert.Equal(t, 2, l.Stats().Handles, "a closing handle stays until its close callback")
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, l.Stats().Handles)
}

// The loop's accessors: a backend fd, a raw pointer, a non-zero time.
func TestLoopAccessors(t *testing.T) {
	l := newLoop(t)
	assert.Greater(t, l.BackendFd(), 2)
	assert.NotNil(t, l.Raw())
	assert.Greater(t, l.Now(), time.Duration(0))
	before := l.Now()
	l.UpdateTime()
	assert.GreaterOrEqual(t, l.Now(), before)
}
