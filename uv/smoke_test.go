package uv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSmokeTimer(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, tm.Start(5*time.Millisecond, 0, func(*Timer) { fired.inc() }))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, fired.n)
}

func TestSmokePanic(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(0, 1, func(*Timer) { panic("boom") }))
	v := func() (v any) {
		defer func() { v = recover() }()
		l.Run(RunDefault)
		return nil
	}()
	p, ok := v.(*CallbackPanic)
	require.True(t, ok, "%v", v)
	assert.Equal(t, "boom", p.Value)
	assert.Contains(t, string(p.Stack), "TestSmokePanic")
}

func TestSmokePost(t *testing.T) {
	l := newLoop(t)
	done := make(chan struct{})
	var ran counter
	go func() {
		for range 1000 {
			assert.NoError(t, l.Post(ran.inc))
		}
		close(done)
	}()
	<-done
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1000, ran.n)
}
