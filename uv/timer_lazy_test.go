package uv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// NewTimer leaves the C side of the newest timer to its first Start (or to
// whatever needs it first): libuv must still see every handle, in creation
// order, and a timer that is never started must behave as an initialised
// one.
func TestTimerLazyInit(t *testing.T) {
	l := newLoop(t)
	a, err := NewTimer(l)
	require.NoError(t, err)
	b, err := NewTimer(l) // creates a's C side
	require.NoError(t, err)
	i, err := NewIdle(l) // creates b's
	require.NoError(t, err)
	c, err := NewTimer(l) // lazy until Walk
	require.NoError(t, err)

	var seen []Handle
	l.Walk(func(h Handle) { seen = append(seen, h) })
	assert.Equal(t, []Handle{a, b, i, c}, seen, "libuv's order is creation order")

	// A lazy timer answers as an initialised, stopped one.
	d, err := NewTimer(l)
	require.NoError(t, err)
	assert.False(t, d.IsActive())
	d2, err := NewTimer(l)
	require.NoError(t, err)
	assert.True(t, d2.HasRef())
	d3, err := NewTimer(l)
	require.NoError(t, err)
	assert.Equal(t, time.Duration(0), d3.DueIn())
	assert.Equal(t, time.Duration(0), d3.Repeat())
	d4, err := NewTimer(l)
	require.NoError(t, err)
	d4.Unref()
	assert.False(t, d4.HasRef())
	e, err := NewTimer(l)
	require.NoError(t, err)
	assert.NoError(t, e.Stop())

	// Closed before any Start: its close callback still runs.
	f, err := NewTimer(l)
	require.NoError(t, err)
	closed := false
	require.NoError(t, f.Close(func() { closed = true }))
	assert.True(t, f.IsClosing())

	// Started lazily, with a repeat; fired in order with an eager one.
	var order []string
	g, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, g.Start(time.Millisecond, 0, func(*Timer) { order = append(order, "g") }))
	h, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, h.Start(time.Millisecond, 0, func(*Timer) { order = append(order, "h") }))
	k, err := NewTimer(l)
	require.NoError(t, err)
	n := 0
	require.NoError(t, k.Start(time.Millisecond, time.Millisecond, func(k *Timer) {
		if n++; n == 3 {
			k.Stop()
		}
	}))
	assert.True(t, k.IsActive())
	assert.Equal(t, time.Millisecond, k.Repeat())
	runLoop(t, l, RunDefault)
	assert.True(t, closed)
	assert.Equal(t, []string{"g", "h"}, order)
	assert.Equal(t, 3, n)
}
