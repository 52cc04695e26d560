package uv

import (
	"bytes"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Idle, prepare and check handles ("loop watchers", libuv's
// loop-watcher.c) share their semantics; the table-driven tests below run
// once per type through this adapter.
type watcher interface {
	Handle
	Stop() error
	start(cb func()) error
}

type (
	idleWatcher    struct{ *Idle }
	prepareWatcher struct{ *Prepare }
	checkWatcher   struct{ *Check }
)

func (w idleWatcher) start(cb func()) error {
	if cb == nil {
		return w.Start(nil)
	}
	return w.Start(func(*Idle) { cb() })
}

func (w prepareWatcher) start(cb func()) error {
	if cb == nil {
		return w.Start(nil)
	}
	return w.Start(func(*Prepare) { cb() })
}

func (w checkWatcher) start(cb func()) error {
	if cb == nil {
		return w.Start(nil)
	}
	return w.Start(func(*Check) { cb() })
}

type watcherKind struct {
	name string
	typ  HandleType
	op   string // the libuv start function
	new  func(*Loop) (watcher, error)
}

var watcherKinds = []watcherKind{
	{"idle", TypeIdle, "uv_idle_start", func(l *Loop) (watcher, error) {
		h, err := NewIdle(l)
		if err != nil {
			return nil, err
		}
		return idleWatcher{h}, nil
	}},
	{"prepare", TypePrepare, "uv_prepare_start", func(l *Loop) (watcher, error) {
		h, err := NewPrepare(l)
		if err != nil {
			return nil, err
		}
		return prepareWatcher{h}, nil
	}},
	{"check", TypeCheck, "uv_check_start", func(l *Loop) (watcher, error) {
		h, err := NewCheck(l)
		if err != nil {
			return nil, err
		}
		return checkWatcher{h}, nil
	}},
}

func kind(name string) watcherKind {
	for _, k := range watcherKinds {
		if k.name == name {
			return k
		}
	}
	panic("no watcher kind " + name)
}

// idle_ref, prepare_ref, check_ref (test-ref.c): an unreferenced, started
// watcher does not keep the loop alive and its callback does not run.
func testWatcherRef(t *testing.T, k watcherKind) {
	l := newLoop(t)
	w, err := k.new(l)
	require.NoError(t, err)
	var calls counter
	require.NoError(t, w.start(calls.inc))
	w.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, calls.n)
	doClose(t, w)
	assert.Zero(t, calls.n)
}

func TestIdleRef(t *testing.T)    { testWatcherRef(t, kind("idle")) }
func TestPrepareRef(t *testing.T) { testWatcherRef(t, kind("prepare")) }
func TestCheckRef(t *testing.T)   { testWatcherRef(t, kind("check")) }

// unref_in_prepare_cb (test-ref.c): a prepare callback that unreferences
// its own handle ends the loop.
func TestUnrefInPrepareCb(t *testing.T) {
	l := newLoop(t)
	prep, err := NewPrepare(l)
	require.NoError(t, err)
	var calls counter
	require.NoError(t, prep.Start(func(p *Prepare) {
		calls.inc()
		p.Unref()
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, calls.n)
	doClose(t, prep)
}

// idle_starvation (test-idle.c): an active idle handle makes the loop poll
// without blocking, and a timer still fires.
func TestIdleStarvation(t *testing.T) {
	l := newLoop(t)
	idle, err := NewIdle(l)
	require.NoError(t, err)
	chk, err := NewCheck(l)
	require.NoError(t, err)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var idled, checked, fired, closed counter
	require.NoError(t, idle.Start(func(h *Idle) {
		assert.Same(t, idle, h)
		idled.inc()
	}))
	require.NoError(t, chk.Start(func(h *Check) {
		assert.Same(t, chk, h)
		checked.inc()
	}))
	require.NoError(t, tm.Start(50*time.Millisecond, 0, func(h *Timer) {
		assert.Same(t, tm, h)
		assert.NoError(t, idle.Close(closed.inc))
		assert.NoError(t, chk.Close(closed.inc))
		assert.NoError(t, tm.Close(closed.inc))
		fired.inc()
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Greater(t, idled.n, 0)
	assert.Greater(t, checked.n, 0)
	assert.Equal(t, 1, fired.n)
	assert.Equal(t, 3, closed.n)
}

// idle_check (test-idle.c): an idle callback that stops its handle and a
// check handle: one RunOnce runs the check callback once.
func TestIdleCheck(t *testing.T) {
	l := newLoop(t)
	idle, err := NewIdle(l)
	require.NoError(t, err)
	chk, err := NewCheck(l)
	require.NoError(t, err)
	var checked, closed counter
	require.NoError(t, idle.Start(func(h *Idle) { assert.NoError(t, h.Stop()) }))
	require.NoError(t, chk.Start(func(*Check) { checked.inc() }))
	assert.True(t, runLoop(t, l, RunOnce))
	assert.Equal(t, 1, checked.n)

	assert.Zero(t, closed.n)
	require.NoError(t, idle.Close(closed.inc))
	require.NoError(t, chk.Close(closed.inc))
	assert.False(t, runLoop(t, l, RunOnce))
	assert.Equal(t, 2, closed.n)
}

// loop_handles (test-loop-handles.c): prepare, check and idle handles may
// start, stop and close themselves and each other; a watcher started by
// another of its type is not called before the next iteration; prepare and
// check run once per iteration; a closed watcher is stopped and its close
// callback runs exactly once. An unreferenced repeating timer keeps the
// loop polling without keeping it alive.
func TestLoopHandles(t *testing.T) {
	const (
		idleCount  = 7
		iterations = 21
		timeout    = 100 * time.Millisecond
	)
	l := newLoop(t)
	var (
		iteration                           int
		prepare1Calls, prepare1Closed       counter
		prepare2Calls, prepare2Closed       counter
		checkCalls, checkClosed             counter
		idle1Calls, idle1Closed             counter
		idles1Active                        int
		idle2Calls, idle2Closed, idle2Start counter
		idle2Active                         bool
		idle2                               *Idle
	)

	prepare1, err := NewPrepare(l)
	require.NoError(t, err)
	prepare2, err := NewPrepare(l) // started by prepare1's callback
	require.NoError(t, err)
	chk, err := NewCheck(l)
	require.NoError(t, err)
	var idles1 [idleCount]*Idle // started by the check callback
	for i := range idles1 {
		idles1[i], err = NewIdle(l)
		require.NoError(t, err)
	}
	// idle2 is created and started by the idle1 callbacks.

	idle2CB := func(h *Idle) {
		assert.Same(t, idle2, h)
		idle2Calls.inc()
		assert.NoError(t, h.Close(func() {
			assert.True(t, idle2Active)
			idle2Closed.inc()
			idle2Active = false
		}))
	}
	idle1CB := func(h *Idle) {
		assert.Greater(t, idles1Active, 0)
		if !idle2Active && (idle2 == nil || !idle2.IsClosing()) {
			var err error
			idle2, err = NewIdle(l)
			if assert.NoError(t, err) {
				assert.NoError(t, idle2.Start(idle2CB))
				idle2Active = true
				idle2Start.inc()
			}
		}
		idle1Calls.inc()
		if idle1Calls.n%5 == 0 {
			assert.NoError(t, h.Stop())
			idles1Active--
		}
	}
	checkCB := func(h *Check) {
		assert.Same(t, chk, h)
		if iteration < iterations {
			// Make some idle watchers active.
			for i := 0; i < 1+iteration%idleCount; i++ {
				assert.NoError(t, idles1[i].Start(idle1CB))
				idles1Active++
			}
		} else {
			// The end: close everything.
			assert.NoError(t, prepare1.Close(prepare1Closed.inc))
			assert.NoError(t, chk.Close(checkClosed.inc))
			assert.NoError(t, prepare2.Close(prepare2Closed.inc))
			for _, h := range idles1 {
				assert.NoError(t, h.Close(idle1Closed.inc))
			}
			// idle2 closes itself; close it only if it is active.
			if idle2Active {
				assert.NoError(t, idle2.Close(func() {
					assert.True(t, idle2Active)
					idle2Closed.inc()
					idle2Active = false
				}))
			}
		}
		checkCalls.inc()
	}
	prepare2CB := func(h *Prepare) {
		assert.Same(t, prepare2, h)
		// prepare1 starts prepare2 when iteration is even, then counts the
		// iteration; a watcher started by another of its type is not
		// called in the same iteration, so here the count is odd.
		assert.NotZero(t, iteration%2)
		assert.NoError(t, h.Stop())
		prepare2Calls.inc()
	}
	prepare1CB := func(h *Prepare) {
		assert.Same(t, prepare1, h)
		if iteration%2 == 0 {
			assert.NoError(t, prepare2.Start(prepare2CB))
		}
		prepare1Calls.inc()
		iteration++
	}

	require.NoError(t, prepare1.Start(prepare1CB))
	require.NoError(t, chk.Start(checkCB))
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(timeout, timeout, func(h *Timer) { assert.Same(t, tm, h) }))
	tm.Unref()

	assert.False(t, runLoop(t, l, RunDefault))

	assert.Equal(t, iterations, iteration)
	assert.Equal(t, iterations, prepare1Calls.n)
	assert.Equal(t, 1, prepare1Closed.n)
	assert.Equal(t, iterations/2, prepare2Calls.n)
	assert.Equal(t, 1, prepare2Closed.n)
	assert.Equal(t, iterations, checkCalls.n)
	assert.Equal(t, 1, checkClosed.n)
	assert.Greater(t, idle1Calls.n, 0)
	assert.Equal(t, idleCount, idle1Closed.n)
	assert.Equal(t, idle2Start.n, idle2Closed.n)
	assert.Equal(t, idle2Start.n, idle2Calls.n)
	assert.False(t, idle2Active)
}

// watcher_cross_stop: many sockets on one address (UDPReuseAddr), each
// receiving and each sending one 1 KiB datagram to it, into a 1-byte
// buffer as libuv's test (so UDPPartial); once one datagram arrived all
// are closed, from inside the loop iteration, which must not touch the
// watchers it stopped. Every send calls back, every close too. libuv uses
// 2500 sockets; 500 keep the test quick and still cross many watchers in
// one epoll batch.
func TestWatcherCrossStop(t *testing.T) {
	const n = 500
	l := newLoop(t)
	l.setReadBufferCap(1)
	addr := netip.MustParseAddrPort("127.0.0.1:0")
	big := bytes.Repeat([]byte{'A'}, 1024)
	var recvs, sends, closes counter
	socks := make([]*UDP, n)
	for i := range socks {
		u, err := NewUDP(l)
		require.NoError(t, err)
		require.NoError(t, u.Bind(addr, UDPReuseAddr))
		if i == 0 {
			addr = localAddr(t, u)
		}
		require.NoError(t, u.RecvStart(func(p []byte, from netip.AddrPort, flags UDPFlags, err error) {
			assert.NoError(t, err)
			assert.Len(t, p, 1)
			assert.Equal(t, UDPPartial, flags)
			recvs.inc()
		}))
		socks[i] = u
	}
	l.setUDPTryFirst(false) // libuv's test queues every send
	for _, u := range socks {
		require.NoError(t, u.Send(big, addr, func(error) { sends.inc() }))
	}
	for recvs.n == 0 {
		runLoop(t, l, RunOnce)
	}
	for _, u := range socks {
		require.NoError(t, u.Close(closes.inc))
	}
	runLoop(t, l, RunDefault)
	assert.Positive(t, recvs.n)
	assert.Equal(t, n, sends.n)
	assert.Equal(t, n, closes.n)
}

// Start, restart, stop and close, per watcher type: active flags follow;
// a second Start replaces the callback; Stop is idempotent; a nil callback
// and a closing handle give EINVAL; a closed handle gives ErrClosed.
func TestLoopWatcherLifecycle(t *testing.T) {
	for _, k := range watcherKinds {
		t.Run(k.name, func(t *testing.T) {
			l := newLoop(t)
			w, err := k.new(l)
			require.NoError(t, err)
			assert.Equal(t, k.typ, w.Type())
			assert.False(t, w.IsActive())
			assert.True(t, w.HasRef())

			err = w.start(nil)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, EINVAL, e.Code)
			assert.Equal(t, k.op, e.Op)
			assert.False(t, w.IsActive())

			var first, second counter
			require.NoError(t, w.start(first.inc))
			assert.True(t, w.IsActive())
			require.NoError(t, w.start(func() {
				second.inc()
				assert.NoError(t, w.Stop())
			}))
			assert.True(t, w.IsActive())
			// RunNoWait: with nothing but a check handle, libuv blocks in
			// epoll before the check phase, forever (pure C does too).
			assert.False(t, runLoop(t, l, RunNoWait))
			assert.Zero(t, first.n, "the replaced callback ran")
			assert.Equal(t, 1, second.n)
			assert.False(t, w.IsActive())
			require.NoError(t, w.Stop(), "stopping a stopped handle")

			require.NoError(t, w.start(first.inc))
			var closed counter
			require.NoError(t, w.Close(closed.inc))
			assert.False(t, w.IsActive(), "closing stops the handle")
			assert.True(t, w.IsClosing())
			err = w.start(first.inc)
			require.ErrorAs(t, err, &e)
			assert.Equal(t, EINVAL, e.Code)
			assert.ErrorIs(t, err, syscall.EINVAL)

			assert.False(t, runLoop(t, l, RunDefault))
			assert.Zero(t, first.n)
			assert.Equal(t, 1, closed.n)
			assert.ErrorIs(t, w.start(first.inc), ErrClosed)
			assert.ErrorIs(t, w.Stop(), ErrClosed)
		})
	}
}

// In each iteration the idle callbacks run before the prepare callbacks,
// which run before polling, and the check callbacks after it.
func TestLoopWatcherOrder(t *testing.T) {
	l := newLoop(t)
	var order []string
	for _, name := range []string{"check", "prepare", "idle"} {
		w, err := kind(name).new(l)
		require.NoError(t, err)
		require.NoError(t, w.start(func() { order = append(order, name) }))
	}
	for range 3 {
		assert.True(t, runLoop(t, l, RunOnce))
	}
	assert.Equal(t, []string{
		"idle", "prepare", "check",
		"idle", "prepare", "check",
		"idle", "prepare", "check",
	}, order)
}
