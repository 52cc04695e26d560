package uv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// active (test-active.c): IsActive and IsClosing across start, stop,
// restart and close; the close callback runs once.
func TestActive(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired, closed counter
	cb := func(*Timer) { fired.inc() }

	assert.False(t, tm.IsActive())
	assert.False(t, tm.IsClosing())

	require.NoError(t, tm.Start(time.Second, 0, cb))
	assert.True(t, tm.IsActive())
	assert.False(t, tm.IsClosing())

	require.NoError(t, tm.Stop())
	assert.False(t, tm.IsActive())
	assert.False(t, tm.IsClosing())

	require.NoError(t, tm.Start(time.Second, 0, cb))
	assert.True(t, tm.IsActive())
	assert.False(t, tm.IsClosing())

	require.NoError(t, tm.Close(closed.inc))
	assert.False(t, tm.IsActive())
	assert.True(t, tm.IsClosing())

	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, closed.n)
	assert.Zero(t, fired.n)
	// After the close callback: still "closing" (libuv's UV_HANDLE_CLOSED
	// counts as closing too), never active.
	assert.False(t, tm.IsActive())
	assert.True(t, tm.IsClosing())
}

// ref (test-ref.c): a loop with nothing in it returns at once.
func TestRef(t *testing.T) {
	l := newLoop(t)
	assert.False(t, runLoop(t, l, RunDefault))
}

// has_ref (test-ref.c): HasRef follows Ref and Unref.
func TestHasRef(t *testing.T) {
	l := newLoop(t)
	idle, err := NewIdle(l)
	require.NoError(t, err)
	idle.Ref()
	assert.True(t, idle.HasRef())
	idle.Unref()
	assert.False(t, idle.HasRef())
	idle.Unref() // libuv's refs are a flag, not a count
	idle.Ref()
	assert.True(t, idle.HasRef())
	doClose(t, idle)
	assert.False(t, idle.HasRef(), "closed")
}

// handle_type_name (test-getters-setters.c): libuv's names for handle
// types; libuv has none (NULL) for UV_UNKNOWN_HANDLE and from
// UV_HANDLE_TYPE_MAX on, which String spells HandleType(N).
func TestHandleTypeName(t *testing.T) {
	names := map[HandleType]string{
		TypeAsync:     "async",
		TypeCheck:     "check",
		TypeFSEvent:   "fs_event",
		TypeFSPoll:    "fs_poll",
		TypeHandle:    "handle",
		TypeIdle:      "idle",
		TypeNamedPipe: "pipe",
		TypePoll:      "poll",
		TypePrepare:   "prepare",
		TypeProcess:   "process",
		TypeStream:    "stream",
		TypeTCP:       "tcp",
		TypeTimer:     "timer",
		TypeTTY:       "tty",
		TypeUDP:       "udp",
		TypeSignal:    "signal",
	}
	for typ, want := range names {
		assert.Equal(t, want, typ.String())
	}
	// UV_FILE is the type just below UV_HANDLE_TYPE_MAX.
	assert.Equal(t, "file", HandleType(numHandleTypes-1).String())

	assert.Equal(t, "HandleType(0)", TypeUnknown.String())
	assert.Equal(t, "HandleType("+itoa(numHandleTypes)+")", HandleType(numHandleTypes).String())
	assert.Equal(t, "HandleType("+itoa(numHandleTypes+1)+")", HandleType(numHandleTypes+1).String())
	assert.Equal(t, "HandleType(-1)", HandleType(-1).String())
}

// handle_fileno (test-handle-fileno.c): Fd is EINVAL for a handle type
// without a descriptor, and EBADF once closed. The TCP, UDP, pipe and TTY
// cases (EBADF before bind, a descriptor after, EBADF once closing) belong
// with those handle types' tests.
func TestHandleFileno(t *testing.T) {
	l := newLoop(t)
	for _, k := range watcherKinds {
		w, err := k.new(l)
		require.NoError(t, err)
		checkFd(t, w, EINVAL)
		require.NoError(t, w.Close(nil))
		checkFd(t, w, EINVAL) // libuv checks the type before closing
		runLoop(t, l, RunDefault)
		checkFd(t, w, EBADF) // closed: the binding's own answer
	}
	tm, err := NewTimer(l)
	require.NoError(t, err)
	checkFd(t, tm, EINVAL)
	as, err := NewAsync(l, nil)
	require.NoError(t, err)
	checkFd(t, as, EINVAL)
}

func checkFd(t *testing.T, h Handle, want Errno) {
	t.Helper()
	fd, err := h.Fd()
	assert.Equal(t, -1, fd)
	var e *Error
	if assert.ErrorAs(t, err, &e) {
		assert.Equal(t, want, e.Code)
		assert.Equal(t, "uv_fileno", e.Op)
	}
}

// close_order (test-close-order.c): check callbacks run before the close
// callbacks of the same iteration, even those of handles closed earlier in
// it.
func TestCloseOrder(t *testing.T) {
	l := newLoop(t)
	chk, err := NewCheck(l)
	require.NoError(t, err)
	timer1, err := NewTimer(l)
	require.NoError(t, err)
	timer2, err := NewTimer(l)
	require.NoError(t, err)
	var checked, fired, closed counter

	timerCB := func(tm *Timer) {
		assert.NoError(t, tm.Close(closed.inc))
		fired.inc()
	}
	require.NoError(t, chk.Start(func(h *Check) {
		// timer1 fired and was closed in this iteration's timer phase; its
		// close callback has not run yet.
		assert.Zero(t, checked.n)
		assert.Equal(t, 1, fired.n)
		assert.Zero(t, closed.n)
		assert.NoError(t, h.Close(closed.inc))
		assert.NoError(t, timer2.Close(closed.inc))
		checked.inc()
	}))
	require.NoError(t, timer1.Start(0, 0, timerCB))
	require.NoError(t, timer2.Start(100*time.Second, 0, timerCB))
	assert.Zero(t, checked.n)
	assert.Zero(t, fired.n)
	assert.Zero(t, closed.n)

	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, checked.n)
	assert.Equal(t, 1, fired.n)
	assert.Equal(t, 3, closed.n)
}

// callback_stack (test-callback-stack.c): callbacks are never invoked
// synchronously from the API call that schedules them; each runs from a
// fresh stack, with nested back at 0. libuv's test drives a TCP echo
// exchange (connect, write, read, shutdown, close); the stream steps belong
// with the TCP tests. Here every callback-taking call of the bound handle
// types (Timer.Start, Idle.Start, Async.Send, Loop.Post, Close) is made
// with nested raised.
func TestCallbackStack(t *testing.T) {
	l := newLoop(t)
	nested := 0
	var fired, idled, sent, posted, closed counter
	fresh := func(what string) { assert.Zero(t, nested, "%s must be called from a fresh stack", what) }
	closeCB := func() {
		fresh("close callback")
		closed.inc()
	}

	tm, err := NewTimer(l)
	require.NoError(t, err)
	idle, err := NewIdle(l)
	require.NoError(t, err)
	as, err := NewAsync(l, func(h *Async) {
		fresh("async callback")
		nested++
		assert.NoError(t, h.Close(closeCB))
		nested--
		sent.inc()
	})
	require.NoError(t, err)

	timerCB := func(h *Timer) {
		fresh("timer callback")
		nested++
		assert.NoError(t, idle.Start(func(h *Idle) {
			fresh("idle callback")
			nested++
			assert.NoError(t, h.Close(closeCB))
			nested--
			idled.inc()
		}))
		assert.NoError(t, l.Post(func() {
			fresh("posted function")
			posted.inc()
		}))
		assert.NoError(t, as.Send())
		assert.NoError(t, h.Close(closeCB))
		nested--
		fired.inc()
	}

	nested++
	require.NoError(t, tm.Start(10*time.Millisecond, 0, timerCB))
	nested--

	runLoop(t, l, RunDefault)
	assert.Zero(t, nested)
	assert.Equal(t, 1, fired.n, "timer callback")
	assert.Equal(t, 1, idled.n, "idle callback")
	assert.Equal(t, 1, sent.n, "async callback")
	assert.Equal(t, 1, posted.n, "posted function")
	assert.Equal(t, 3, closed.n, "close callbacks")
}

// queue_foreach_delete (test-queue-foreach-delete.c): closing a handle that
// libuv's queue walk has not reached yet, from the callback of the handle
// before it, keeps it from being called. For idle, prepare and check
// handles libuv runs the most recently started first (#2); for async
// handles, in creation order (#0). libuv's fs_event part waits for
// fs_event handles, which the binding does not have.
func TestQueueForeachDelete(t *testing.T) {
	l := newLoop(t)
	type calls [3]int

	watcherCalls := map[string]*calls{}
	for _, k := range watcherKinds {
		c := new(calls)
		watcherCalls[k.name] = c
		var ws [3]watcher
		for i := range ws {
			w, err := k.new(l)
			require.NoError(t, err)
			ws[i] = w
		}
		for i, w := range ws {
			require.NoError(t, w.start(func() {
				c[i]++
				if i == 2 { // the first one called
					assert.NoError(t, ws[2].Close(nil))
					assert.NoError(t, ws[1].Close(nil))
				}
			}))
		}
	}

	var asyncCalls calls
	var asyncs [3]*Async
	for i := range asyncs {
		as, err := NewAsync(l, func(*Async) {
			asyncCalls[i]++
			if i == 0 { // the first one called
				assert.NoError(t, asyncs[0].Close(nil))
				assert.NoError(t, asyncs[1].Close(nil))
			}
		})
		require.NoError(t, err)
		asyncs[i] = as
	}
	// A helper timer triggers the async callbacks.
	var helperCalls counter
	helper, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, helper.Start(0, 0, func(*Timer) {
		for _, as := range asyncs {
			assert.NoError(t, as.Send())
		}
		helperCalls.inc()
	}))

	assert.True(t, runLoop(t, l, RunNoWait))

	for name, c := range watcherCalls {
		assert.Equal(t, calls{1, 0, 1}, *c, name)
	}
	assert.Equal(t, calls{1, 0, 1}, asyncCalls, "async")
	assert.Equal(t, 1, helperCalls.n)
}

// Close runs its callback once, on a later iteration; nil is allowed;
// closing twice is ErrClosed (also see misuse_test.go).
func TestHandleClose(t *testing.T) {
	l := newLoop(t)
	a, err := NewTimer(l)
	require.NoError(t, err)
	b, err := NewIdle(l)
	require.NoError(t, err)
	var closed counter
	require.NoError(t, a.Close(closed.inc))
	require.NoError(t, b.Close(nil))
	assert.Zero(t, closed.n)
	assert.ErrorIs(t, a.Close(closed.inc), ErrClosed)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, closed.n)
	assert.Zero(t, l.Stats().Handles)
	assert.ErrorIs(t, a.Close(closed.inc), ErrClosed)
	assert.Equal(t, 1, closed.n)
}
