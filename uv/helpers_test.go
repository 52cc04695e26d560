package uv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// watchdogTimeout bounds every run of a test loop: a stuck test fails
// instead of hanging.
const watchdogTimeout = 20 * time.Second

// newLoop returns a fresh loop for one test. Cleanup closes whatever the
// test left open, drains the loop, and requires that Loop.Close succeeds
// and that no handle or request is left in the tables (in uvdebug builds,
// none by type either).
func newLoop(t testing.TB, opts ...Option) *Loop {
	t.Helper()
	l, err := NewLoop(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { closeLoop(t, l) })
	return l
}

// closeLoop is libuv's MAKE_VALGRIND_HAPPY: close every handle, run the loop
// until the close callbacks ran, then close the loop.
func closeLoop(t testing.TB, l *Loop) {
	t.Helper()
	if l.closed {
		return
	}
	l.Walk(func(h Handle) {
		if !h.IsClosing() {
			h.Close(nil)
		}
	})
	runLoop(t, l, RunDefault)
	st := l.Stats()
	assert.Zero(t, st.Handles, "handles left in the table")
	assert.Zero(t, st.Requests, "requests left in the table")
	assert.Empty(t, st.HandlesByType, "live handles by type (uvdebug)")
	assert.Empty(t, st.RequestsByType, "live requests by type (uvdebug)")
	require.NoError(t, l.Close())
}

// runLoop runs l in mode under a watchdog that stops the loop and fails the
// test after watchdogTimeout. The watchdog lives outside the loop (a Go
// timer that posts a Stop), so it adds no handle that tests would see.
func runLoop(t testing.TB, l *Loop, mode RunMode) bool {
	t.Helper()
	wd := time.AfterFunc(watchdogTimeout, func() {
		l.Post(func() {
			t.Errorf("watchdog: loop still running after %v", watchdogTimeout)
			l.Stop()
		})
	})
	defer wd.Stop()
	alive, err := l.Run(mode)
	require.NoError(t, err)
	return alive
}

// counter counts calls; tests check it after Run (never require inside a
// callback: t.FailNow would unwind through libuv's frames).
type counter struct{ n int }

func (c *counter) inc() { c.n++ }

// doClose is libuv's do_close (test-ref.c): Close with a callback, check it
// did not run synchronously, run the loop, check it ran exactly once.
func doClose(t testing.TB, h Handle) {
	t.Helper()
	var closed counter
	require.NoError(t, h.Close(closed.inc))
	assert.Zero(t, closed.n, "close callback ran synchronously")
	runLoop(t, h.Loop(), RunDefault)
	assert.Equal(t, 1, closed.n, "close callbacks")
}

// runPanic runs l under the same watchdog as runLoop and returns the
// *CallbackPanic that Run panicked with; it fails the test when Run
// returned instead, or panicked with something else.
func runPanic(t testing.TB, l *Loop, mode RunMode) *CallbackPanic {
	t.Helper()
	wd := time.AfterFunc(watchdogTimeout, func() {
		l.Post(func() {
			t.Errorf("watchdog: loop still running after %v", watchdogTimeout)
			l.Stop()
		})
	})
	defer wd.Stop()
	v := catchPanic(func() { l.Run(mode) })
	require.NotNil(t, v, "Run returned without panicking")
	p, ok := v.(*CallbackPanic)
	require.True(t, ok, "Run panicked with %T %v, want *CallbackPanic", v, v)
	return p
}

// catchPanic calls f and returns what it panicked with, or nil.
func catchPanic(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}
