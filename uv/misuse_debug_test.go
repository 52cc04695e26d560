//go:build uvdebug

package uv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// In uvdebug builds, a handle or loop method called from another goroutine
// while the loop runs panics, before touching libuv, with a message that
// points to Loop.Post. The other goroutine makes only the wrong calls; the
// loop collects the results with a repeating timer of its own.
func TestMisuseWrongGoroutine(t *testing.T) {
	require.True(t, DebugBuild)
	l := newLoop(t)
	victim, err := NewTimer(l)
	require.NoError(t, err)
	idle, err := NewIdle(l)
	require.NoError(t, err)

	calls := []struct {
		name string
		call func()
	}{
		{"Timer.Start", func() { victim.Start(time.Hour, 0, func(*Timer) {}) }},
		{"Timer.Stop", func() { victim.Stop() }},
		{"Timer.Again", func() { victim.Again() }},
		{"Close", func() { victim.Close(nil) }},
		{"Idle.Start", func() { idle.Start(func(*Idle) {}) }},
		{"Idle.Stop", func() { idle.Stop() }},
		{"NewTimer", func() { NewTimer(l) }},
		{"NewAsync", func() { NewAsync(l, nil) }},
		{"Loop.Walk", func() { l.Walk(func(Handle) {}) }},
	}

	running := make(chan struct{})
	results := make(chan []any, 1)
	go func() {
		<-running
		var got []any
		for _, c := range calls {
			got = append(got, catchPanic(c.call))
		}
		results <- got
	}()

	var got []any
	tick, err := NewTimer(l)
	require.NoError(t, err)
	first := true
	require.NoError(t, tick.Start(0, time.Millisecond, func(tm *Timer) {
		if first {
			first = false
			close(running) // from inside Run
			return
		}
		select {
		case got = <-results:
			assert.NoError(t, tm.Close(nil))
			assert.NoError(t, victim.Close(nil))
			assert.NoError(t, idle.Close(nil))
		default:
		}
	}))
	assert.False(t, runLoop(t, l, RunDefault))

	require.Len(t, got, len(calls))
	for i, c := range calls {
		msg, ok := got[i].(string)
		if !assert.True(t, ok, "%s: did not panic with a message (got %T %v)", c.name, got[i], got[i]) {
			continue
		}
		assert.Contains(t, msg, "called from another goroutine while the loop runs", c.name)
		assert.Contains(t, msg, "Loop.Post", c.name)
	}
	// The wrong calls changed nothing.
	assert.False(t, victim.IsActive())
	assert.Equal(t, 0, l.Stats().Requests)
}

// The check costs nothing to correct code: the same calls are fine on the
// loop's goroutine before Run, from callbacks, and after Run.
func TestMisuseRightGoroutine(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(0, 0, func(tm *Timer) {
		assert.NoError(t, tm.Start(time.Millisecond, 0, func(*Timer) {}))
		l.Walk(func(Handle) {})
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	require.NoError(t, tm.Start(0, 0, func(*Timer) {}))
	require.NoError(t, tm.Stop())
}
