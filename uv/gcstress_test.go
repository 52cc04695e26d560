package uv

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gcStressHandles is how many handles TestGCStressHandles keeps alive.
const gcStressHandles = 100_000

// TestGCStressHandles keeps 100,000 handles (timers, and every tenth an
// idle) alive only through the loop: the test holds no reference to them,
// only counters. A repeating timer forces a collection every millisecond
// while they fire, each once, and close themselves from their callbacks.
// Nothing may be lost: every callback and every close callback runs, and
// the loop closes with empty tables.
func TestGCStressHandles(t *testing.T) {
	l := newLoop(t)
	var fired, closed, gcs int
	func() { // no reference to the handles survives this function
		for i := range gcStressHandles {
			if i%10 == 0 {
				h, err := NewIdle(l)
				require.NoError(t, err)
				require.NoError(t, h.Start(func(h *Idle) {
					fired++
					h.Stop()
					h.Close(func() { closed++ })
				}))
				continue
			}
			h, err := NewTimer(l)
			require.NoError(t, err)
			require.NoError(t, h.Start(time.Duration(i%50)*time.Millisecond, 0, func(h *Timer) {
				fired++
				h.Close(func() { closed++ })
			}))
		}
	}()
	runtime.GC()
	gc, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, gc.Start(time.Millisecond, time.Millisecond, func(gc *Timer) {
		runtime.GC()
		gcs++
		if closed == gcStressHandles {
			gc.Close(nil)
		}
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, gcStressHandles, fired, "callbacks")
	assert.Equal(t, gcStressHandles, closed, "close callbacks")
	assert.NotZero(t, gcs, "collections")
	assert.Zero(t, l.Stats().Handles)
}
