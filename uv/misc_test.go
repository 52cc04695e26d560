package uv

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The linked libuv is the pinned one.
func TestVersion(t *testing.T) {
	b, err := os.ReadFile("../third_party/libuv/VERSION")
	require.NoError(t, err)
	want := strings.TrimSpace(string(b))
	assert.Equal(t, want, Version())

	v := VersionHex()
	assert.Equal(t, want, fmt.Sprintf("%d.%d.%d", v>>16, v>>8&0xff, v&0xff))
}

// hrtime (test-hrtime.c): the clock is monotonic and advances at least
// 25 ms across a 45 ms sleep (the sleep is what is measured, not a
// synchronisation). libuv repeats it 75 times (3.4 s); 10 times here.
func TestHRTime(t *testing.T) {
	for range 10 {
		a := HRTime()
		time.Sleep(45 * time.Millisecond)
		b := HRTime()
		assert.Greater(t, b-a, 25*time.Millisecond)
	}

	prev := HRTime()
	for range 10000 {
		now := HRTime()
		require.GreaterOrEqual(t, now, prev, "HRTime went backwards")
		prev = now
	}

	// It is CLOCK_MONOTONIC, as Go's monotonic clock: an interval measured
	// by one contains the interval measured by the other inside it.
	g0 := time.Now()
	h1 := HRTime()
	g1 := time.Now()
	time.Sleep(20 * time.Millisecond)
	g2 := time.Now()
	h2 := HRTime()
	g3 := time.Now()
	assert.GreaterOrEqual(t, h2-h1, g2.Sub(g1))
	assert.GreaterOrEqual(t, g3.Sub(g0), h2-h1)
}
