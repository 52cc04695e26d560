package uv

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closedTimer returns a timer whose close callback has run.
func closedTimer(t *testing.T, l *Loop) *Timer {
	t.Helper()
	tm, err := NewTimer(l)
	require.NoError(t, err)
	doClose(t, tm)
	return tm
}

// Methods with an error result return ErrClosed on a closed handle.
func TestMisuseClosedHandle(t *testing.T) {
	l := newLoop(t)
	tm := closedTimer(t, l)
	nop := func(*Timer) {}
	assert.ErrorIs(t, tm.Start(time.Millisecond, 0, nop), ErrClosed)
	assert.ErrorIs(t, tm.Stop(), ErrClosed)
	assert.ErrorIs(t, tm.Again(), ErrClosed)
	assert.ErrorIs(t, tm.Start(time.Millisecond, 0, nop), net.ErrClosed)
	// The getters answer without touching freed memory.
	assert.False(t, tm.IsActive())
	assert.True(t, tm.IsClosing())
	assert.False(t, tm.HasRef())
	assert.Equal(t, time.Duration(0), tm.Repeat())
	assert.Equal(t, time.Duration(0), tm.DueIn())
	assert.Same(t, l, tm.Loop())
	assert.Equal(t, TypeTimer, tm.Type())

	for _, k := range watcherKinds {
		w, err := k.new(l)
		require.NoError(t, err)
		doClose(t, w)
		assert.ErrorIs(t, w.start(func() {}), ErrClosed, k.name)
		assert.ErrorIs(t, w.Stop(), ErrClosed, k.name)
	}

	as, err := NewAsync(l, nil)
	require.NoError(t, err)
	doClose(t, as)
	assert.ErrorIs(t, as.Send(), ErrClosed)
}

// A second Close, while closing or once closed, is ErrClosed, and the
// first close callback runs once.
func TestMisuseDoubleClose(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var first, second counter
	require.NoError(t, tm.Close(first.inc))
	assert.ErrorIs(t, tm.Close(second.inc), ErrClosed, "while closing")
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, tm.Close(second.inc), ErrClosed, "once closed")
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, first.n)
	assert.Zero(t, second.n)

	as, err := NewAsync(l, nil)
	require.NoError(t, err)
	require.NoError(t, as.Close(nil))
	assert.ErrorIs(t, as.Close(nil), ErrClosed)
	assert.ErrorIs(t, as.Send(), ErrClosed, "Send once Close was called")
}

// Start (and Again) on a closing timer is an EINVAL *Error, as
// uv_timer_start says.
func TestMisuseStartClosing(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Hour, time.Hour, func(*Timer) {}))
	require.NoError(t, tm.Close(nil))
	var fired counter
	for _, err := range []error{
		tm.Start(0, 0, func(*Timer) { fired.inc() }),
		tm.Again(),
	} {
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, EINVAL, e.Code)
		assert.ErrorIs(t, err, syscall.EINVAL)
		assert.ErrorIs(t, err, EINVAL)
		assert.Contains(t, err.Error(), "closing")
	}
	runLoop(t, l, RunDefault)
	assert.Zero(t, fired.n)
}

// Close of a loop with open handles fails with an error naming them; the
// loop is still usable, and closes once they are closed.
func TestMisuseCloseBusyLoop(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Hour, 0, func(*Timer) {}))
	idle, err := NewIdle(l)
	require.NoError(t, err)
	chk, err := NewCheck(l)
	require.NoError(t, err)
	require.NoError(t, chk.Close(nil))

	err = l.Close()
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EBUSY, e.Code)
	assert.ErrorIs(t, err, syscall.EBUSY)
	msg := err.Error()
	assert.Contains(t, msg, "uv_loop_close: EBUSY")
	assert.Contains(t, msg, "timer (active)")
	assert.Contains(t, msg, "idle")
	assert.Contains(t, msg, "check (closing)")
	if DebugBuild {
		assert.Contains(t, msg, "created at ")
		assert.Contains(t, msg, "misuse_test.go:")
	}

	// Still usable: start, run, close.
	var idled counter
	require.NoError(t, idle.Start(func(h *Idle) {
		idled.inc()
		assert.NoError(t, h.Close(nil))
		assert.NoError(t, tm.Close(nil))
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, idled.n)
	require.NoError(t, l.Close())
}

// After Close: Post, Run and Close return ErrLoopClosed, New* too, and
// the loop's methods without an error result panic.
func TestMisusePostAfterClose(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	require.NoError(t, l.Close())

	assert.ErrorIs(t, l.Post(func() {}), ErrLoopClosed)
	alive, err := l.Run(RunDefault)
	assert.ErrorIs(t, err, ErrLoopClosed)
	assert.False(t, alive)
	assert.ErrorIs(t, l.Close(), ErrLoopClosed)
	_, err = NewTimer(l)
	assert.ErrorIs(t, err, ErrLoopClosed)
	_, err = NewAsync(l, nil)
	assert.ErrorIs(t, err, ErrLoopClosed)
	assert.PanicsWithValue(t, "uv: Loop.Now called on a closed loop", func() { l.Now() })
	assert.PanicsWithValue(t, "uv: Loop.Stop called on a closed loop", func() { l.Stop() })
	assert.PanicsWithValue(t, "uv: Loop.Walk called on a closed loop", func() { l.Walk(func(Handle) {}) })
	assert.PanicsWithValue(t, "uv: Loop.Alive called on a closed loop", func() { l.Alive() })
}

// Run from one of the loop's own callbacks returns ErrRunning; the outer
// Run goes on.
func TestMisuseRunReentrant(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var errs []error
	var alive []bool
	require.NoError(t, tm.Start(0, 0, func(tm *Timer) {
		for _, mode := range []RunMode{RunDefault, RunOnce, RunNoWait} {
			a, err := tm.Loop().Run(mode)
			errs = append(errs, err)
			alive = append(alive, a)
		}
		errs = append(errs, tm.Loop().Close())
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, []error{ErrRunning, ErrRunning, ErrRunning, ErrRunning}, errs)
	assert.Equal(t, []bool{true, true, true}, alive)
}

// Run from another goroutine while the loop runs returns ErrRunning and
// leaves the running loop alone.
func TestMisuseRunConcurrent(t *testing.T) {
	l := newLoop(t)
	keep, err := NewAsync(l, nil)
	require.NoError(t, err)
	running := make(chan struct{})
	result := make(chan error, 1)
	prep, err := NewPrepare(l)
	require.NoError(t, err)
	require.NoError(t, prep.Start(func(p *Prepare) {
		close(running)
		assert.NoError(t, p.Close(nil))
	}))
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Millisecond, time.Millisecond, func(tm *Timer) {
		select {
		case err := <-result:
			assert.ErrorIs(t, err, ErrRunning)
			assert.NoError(t, tm.Close(nil))
			assert.NoError(t, keep.Close(nil))
		default:
		}
	}))
	go func() {
		<-running
		_, err := l.Run(RunDefault)
		result <- err
	}()
	assert.False(t, runLoop(t, l, RunDefault))
}

// Methods without an error result panic on a closed handle, with a message
// that names the type and the method.
func TestMisuseClosedHandlePanics(t *testing.T) {
	l := newLoop(t)
	tm := closedTimer(t, l)
	assert.PanicsWithValue(t, "uv: timer Ref called on a closed handle", func() { tm.Ref() })
	assert.PanicsWithValue(t, "uv: timer Unref called on a closed handle", func() { tm.Unref() })
	assert.PanicsWithValue(t, "uv: timer SetRepeat called on a closed handle", func() { tm.SetRepeat(time.Second) })

	idle, err := NewIdle(l)
	require.NoError(t, err)
	doClose(t, idle)
	assert.PanicsWithValue(t, "uv: idle Ref called on a closed handle", func() { idle.Ref() })
	assert.PanicsWithValue(t, "uv: idle Unref called on a closed handle", func() { idle.Unref() })
}

// A nil callback where libuv needs one.
func TestMisuseNilCallback(t *testing.T) {
	l := newLoop(t)
	assert.ErrorIs(t, l.Post(nil), ErrNilCallback)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	assert.ErrorIs(t, tm.Start(0, 0, nil), syscall.EINVAL)
}
