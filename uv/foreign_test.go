package uv

import (
	"errors"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closeForeign closes every foreign handle of l, runs the loop until their
// close callbacks ran, and frees their memory, as a library's dispose
// would.
func closeForeign(t *testing.T, l *Loop) {
	t.Helper()
	var ptrs []unsafe.Pointer
	l.WalkForeign(func(f Foreign) {
		p := f.Ptr()
		assert.NoError(t, f.Close(func() { ptrs = append(ptrs, p) }))
	})
	runLoop(t, l, RunDefault)
	for _, p := range ptrs {
		freeForeign(p)
	}
}

// A Close refused for foreign handles names them by type and touches
// nothing: Post, a Timer and Walk work after it, and Close succeeds once
// the foreign handles are gone (issue 17, problem 1).
func TestLoopCloseForeignBusy(t *testing.T) {
	l := newLoop(t)
	for range 2 {
		require.NotNil(t, newForeignTCP(l, 0))
	}
	require.NotNil(t, newForeignAsync(l, 0))

	for range 2 { // a refused Close can be repeated
		err := l.Close()
		require.Error(t, err)
		assert.True(t, errors.Is(err, EBUSY), "%v", err)
		assert.Contains(t, err.Error(), "open: 2 foreign tcp (active), 1 foreign async (active)")
	}

	// The loop is whole: a posted function and a Timer run. The foreign
	// async keeps the loop alive, so the Timer stops it.
	var posted, fired counter
	require.NoError(t, l.Post(posted.inc))
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Millisecond, 0, func(*Timer) { fired.inc(); l.Stop() }))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, posted.n, "posted function runs after a refused Close")
	assert.Equal(t, 1, fired.n, "Timer fires after a refused Close")

	// gouv's handles are named with the foreign ones.
	err = l.Close()
	require.Error(t, err)
	assert.Regexp(t, `open: timer( created at [^,]*)?, 2 foreign tcp`, err.Error())
	require.NoError(t, tm.Close(nil))

	closeForeign(t, l)
	require.NoError(t, l.Close())
	assert.ErrorIs(t, l.Post(func() {}), ErrLoopClosed)
}

// A foreign handle whose data field holds the ID of a live gouv handle is
// still told apart: Walk gives gouv's handle once, WalkForeign the
// foreign one, with its type, state and address (issue 17, problem 2).
func TestWalkForeignDataCollision(t *testing.T) {
	l := newLoop(t)
	idle, err := NewIdle(l)
	require.NoError(t, err)
	id := uintptr(idle.base().id())
	p := newForeignTCP(l, id)
	require.NotNil(t, p)
	a := newForeignAsync(l, id)
	require.NotNil(t, a)

	var own []Handle
	l.Walk(func(h Handle) { own = append(own, h) })
	require.Len(t, own, 1)
	assert.Same(t, idle, own[0].(*Idle))

	var fs []Foreign
	l.WalkForeign(func(f Foreign) { fs = append(fs, f) })
	require.Len(t, fs, 2)
	byPtr := map[unsafe.Pointer]Foreign{fs[0].Ptr(): fs[0], fs[1].Ptr(): fs[1]}
	tcp, async := byPtr[p], byPtr[a]
	assert.Equal(t, TypeTCP, tcp.Type())
	assert.Equal(t, TypeAsync, async.Type())
	assert.Same(t, l, tcp.Loop())
	assert.True(t, tcp.IsActive())
	assert.False(t, tcp.IsClosing())
	assert.True(t, tcp.HasRef())
	assert.Equal(t, 1, l.Stats().Handles, "Stats counts gouv's handles only")

	var closed counter
	require.NoError(t, tcp.Close(closed.inc))
	assert.True(t, tcp.IsClosing())
	assert.ErrorIs(t, tcp.Close(nil), ErrClosed)
	require.NoError(t, async.Close(nil))
	require.NoError(t, idle.Close(nil))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, closed.n, "foreign close callback")
	// Gone from the loop: the value says so without touching the memory.
	assert.False(t, tcp.IsActive())
	assert.True(t, tcp.IsClosing())
	assert.ErrorIs(t, tcp.Close(nil), ErrClosed)
	freeForeign(p)
	freeForeign(a)
}

// A request that C code started on the loop keeps Close from succeeding
// until it has finished, and is named.
func TestLoopCloseForeignRequest(t *testing.T) {
	l := newLoop(t)
	require.NoError(t, startForeignStat(l, "."))
	err := l.Close()
	require.ErrorIs(t, err, EBUSY)
	assert.Contains(t, err.Error(), "open: 1 request gouv did not make")
	runLoop(t, l, RunDefault)
}

// A zero Foreign is not a handle: its methods say so without a crash.
func TestForeignZero(t *testing.T) {
	var f Foreign
	assert.False(t, f.IsActive())
	assert.True(t, f.IsClosing())
	assert.False(t, f.HasRef())
	assert.ErrorIs(t, f.Close(nil), ErrClosed)
}

// A panic in WalkForeign's callback comes out of WalkForeign once libuv's
// walk is done, and the loop stays whole.
func TestWalkForeignPanic(t *testing.T) {
	l := newLoop(t)
	require.NotNil(t, newForeignAsync(l, 0))
	v := catchPanic(func() { l.WalkForeign(func(Foreign) { panic("boom") }) })
	p, ok := v.(*CallbackPanic)
	require.True(t, ok, "WalkForeign panicked with %T %v", v, v)
	assert.Equal(t, "boom", p.Value)
	closeForeign(t, l)
}
