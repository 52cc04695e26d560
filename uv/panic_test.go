package uv

import (
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Named callbacks, so that the tests can find them in CallbackPanic.Stack.

func panicTimerCB(*Timer) { panic("timer boom") }
func panicIdleCB(*Idle)   { panic("idle boom") }
func panicAsyncCB(*Async) { panic("async boom") }
func panicPostFn()        { panic("post boom") }
func panicCloseFn()       { panic("close boom") }
func panicErrorCB(*Timer) { panic(fmt.Errorf("callback: %w", io.ErrUnexpectedEOF)) }

// checkPanic checks what Run panicked with: the original value, and a
// stack that shows the callback.
func checkPanic(t *testing.T, p *CallbackPanic, value any, fn string) {
	t.Helper()
	assert.Equal(t, value, p.Value)
	assert.Contains(t, string(p.Stack), "github.com/gouv/gouv/uv."+fn+"(")
	assert.Contains(t, p.Error(), fmt.Sprint(value))
}

// A panicking timer callback: Run panics with it; the loop is still usable
// (the timer is still active, closes normally, and newLoop's cleanup
// closes the loop).
func TestPanicTimer(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(0, time.Millisecond, panicTimerCB))
	p := runPanic(t, l, RunDefault)
	checkPanic(t, p, "timer boom", "panicTimerCB")
	assert.True(t, tm.IsActive(), "a repeating timer stays active")
	doClose(t, tm)
}

// The loop runs on after a callback panic: other handles keep working.
func TestPanicLoopUsable(t *testing.T) {
	l := newLoop(t)
	bad, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, bad.Start(0, 0, panicTimerCB))
	runPanic(t, l, RunDefault)
	assert.False(t, bad.IsActive())

	good, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, good.Start(time.Millisecond, 0, func(*Timer) { fired.inc() }))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, fired.n)
}

func TestPanicIdle(t *testing.T) {
	l := newLoop(t)
	idle, err := NewIdle(l)
	require.NoError(t, err)
	require.NoError(t, idle.Start(panicIdleCB))
	p := runPanic(t, l, RunDefault)
	checkPanic(t, p, "idle boom", "panicIdleCB")
	// Run again: the idle callback panics again, and again Run re-raises.
	p = runPanic(t, l, RunOnce)
	checkPanic(t, p, "idle boom", "panicIdleCB")
	doClose(t, idle)
}

// A panicking async callback, sent from another goroutine.
func TestPanicAsync(t *testing.T) {
	l := newLoop(t)
	as, err := NewAsync(l, panicAsyncCB)
	require.NoError(t, err)
	go func() { assert.NoError(t, as.Send()) }()
	p := runPanic(t, l, RunDefault)
	checkPanic(t, p, "async boom", "panicAsyncCB")
	doClose(t, as)
}

// A panicking posted function: the functions posted after it still run,
// on the next Run.
func TestPanicPost(t *testing.T) {
	l := newLoop(t)
	var order []int
	require.NoError(t, l.Post(func() { order = append(order, 1) }))
	require.NoError(t, l.Post(panicPostFn))
	require.NoError(t, l.Post(func() { order = append(order, 3) }))
	p := runPanic(t, l, RunDefault)
	checkPanic(t, p, "post boom", "panicPostFn")
	assert.Equal(t, []int{1}, order)
	assert.True(t, l.Alive(), "a posted function is waiting")

	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, []int{1, 3}, order)
}

// A panicking posted function posted from another goroutine while the loop
// runs (the path through the post handle's callback, inside uv_run).
func TestPanicPostRunning(t *testing.T) {
	l := newLoop(t)
	keep, err := NewAsync(l, nil)
	require.NoError(t, err)
	go func() { assert.NoError(t, l.Post(panicPostFn)) }()
	p := runPanic(t, l, RunDefault)
	checkPanic(t, p, "post boom", "panicPostFn")
	doClose(t, keep)
}

// A panicking close callback: the handle is closed all the same.
func TestPanicClose(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Close(panicCloseFn))
	p := runPanic(t, l, RunDefault)
	checkPanic(t, p, "close boom", "panicCloseFn")
	assert.True(t, tm.IsClosing())
	assert.Zero(t, l.Stats().Handles)
	assert.ErrorIs(t, tm.Close(nil), ErrClosed)
}

// A panic with an error value: errors.Is and errors.As see it through
// CallbackPanic.Unwrap.
func TestPanicError(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(0, 0, panicErrorCB))
	p := runPanic(t, l, RunDefault)
	var err2 error = p
	assert.ErrorIs(t, err2, io.ErrUnexpectedEOF)
	assert.Contains(t, p.Error(), "callback: unexpected EOF")
	assert.Contains(t, string(p.Stack), "uv.panicErrorCB(")
	var cp *CallbackPanic
	require.ErrorAs(t, err2, &cp)
	assert.Same(t, p, cp)

	// A value that is not an error unwraps to nil.
	assert.NoError(t, (&CallbackPanic{Value: 42}).Unwrap())
	assert.False(t, errors.Is(&CallbackPanic{Value: "x"}, io.EOF))
}

// Two callbacks panic in one iteration: Run re-raises the first; the loop
// stays usable.
func TestPanicTwice(t *testing.T) {
	l := newLoop(t)
	a, err := NewTimer(l)
	require.NoError(t, err)
	b, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, a.Start(0, 0, panicTimerCB))
	require.NoError(t, b.Start(0, 0, panicErrorCB))
	p := runPanic(t, l, RunDefault)
	assert.Equal(t, "timer boom", p.Value)
	// Nothing is left to re-raise.
	assert.False(t, runLoop(t, l, RunDefault))
}
