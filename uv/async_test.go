package uv

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// async (test-async.c): a goroutine (libuv: a thread, started from the
// first prepare callback) sends until the loop has run the callback three
// times; the third call closes the async and prepare handles.
func TestAsync(t *testing.T) {
	l := newLoop(t)
	var (
		mu               sync.Mutex // guards asyncCalls, shared with the sender
		asyncCalls       int
		prepared, closed counter
		wg               sync.WaitGroup
	)
	calls := func() int {
		mu.Lock()
		defer mu.Unlock()
		return asyncCalls
	}

	prep, err := NewPrepare(l)
	require.NoError(t, err)
	var as *Async
	as, err = NewAsync(l, func(h *Async) {
		assert.Same(t, as, h)
		mu.Lock()
		asyncCalls++
		n := asyncCalls
		mu.Unlock()
		if n == 3 {
			assert.NoError(t, as.Close(closed.inc))
			assert.NoError(t, prep.Close(closed.inc))
		}
	})
	require.NoError(t, err)
	sender := func() {
		defer wg.Done()
		for calls() < 3 {
			if err := as.Send(); err != nil {
				// The third callback closed the handle between the count
				// and the send.
				assert.ErrorIs(t, err, ErrClosed)
				return
			}
			runtime.Gosched()
		}
	}
	require.NoError(t, prep.Start(func(*Prepare) {
		prepared.inc()
		if prepared.n == 1 {
			wg.Add(1)
			go sender()
		}
	}))

	assert.False(t, runLoop(t, l, RunDefault))
	wg.Wait()
	assert.Greater(t, prepared.n, 0)
	assert.Equal(t, 3, calls())
	assert.Equal(t, 2, closed.n)
}

// async_null_cb (test-async-null-cb.c): an async handle without a callback
// still wakes the loop: the check callback runs after the goroutine's send.
func TestAsyncNullCb(t *testing.T) {
	l := newLoop(t)
	as, err := NewAsync(l, nil)
	require.NoError(t, err)
	chk, err := NewCheck(l)
	require.NoError(t, err)
	var checked counter
	require.NoError(t, chk.Start(func(*Check) {
		assert.Zero(t, checked.n)
		assert.NoError(t, as.Close(nil))
		assert.NoError(t, chk.Close(nil))
		checked.inc()
	}))
	done := make(chan error, 1)
	go func() { done <- as.Send() }()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, <-done)
	assert.Equal(t, 1, checked.n)
}

// async_ref (test-ref.c): an unreferenced async handle does not keep the
// loop alive.
func TestAsyncRef(t *testing.T) {
	l := newLoop(t)
	as, err := NewAsync(l, nil)
	require.NoError(t, err)
	assert.True(t, as.IsActive(), "an async handle is active from the start")
	as.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	doClose(t, as)
}

// Sends that happen before the loop gets to the handle are coalesced into
// one callback (uv_async_send's contract).
func TestAsyncCoalesce(t *testing.T) {
	l := newLoop(t)
	var calls counter
	as, err := NewAsync(l, func(*Async) { calls.inc() })
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				assert.NoError(t, as.Send())
			}
		}()
	}
	wg.Wait() // every send is done before the loop runs
	assert.True(t, runLoop(t, l, RunNoWait))
	assert.Equal(t, 1, calls.n)
	assert.True(t, runLoop(t, l, RunNoWait))
	assert.Equal(t, 1, calls.n, "no send, no callback")
	require.NoError(t, as.Send())
	assert.True(t, runLoop(t, l, RunOnce))
	assert.Equal(t, 2, calls.n)
}

// Concurrent senders on a running loop: a callback always follows the last
// send (no wakeup is lost), so the loop sees every increment that preceded
// a send (libuv's async_pummel benchmark, as a test).
func TestAsyncSendConcurrent(t *testing.T) {
	const senders, perSender = 4, 2000
	l := newLoop(t)
	var sent atomic.Int64
	var calls counter
	as, err := NewAsync(l, func(h *Async) {
		calls.inc()
		if sent.Load() == senders*perSender {
			assert.NoError(t, h.Close(nil))
		}
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perSender {
				sent.Add(1)
				if err := as.Send(); err != nil {
					assert.ErrorIs(t, err, ErrClosed)
				}
			}
		}()
	}
	assert.False(t, runLoop(t, l, RunDefault))
	wg.Wait()
	assert.Greater(t, calls.n, 0)
	assert.LessOrEqual(t, calls.n, senders*perSender)
	assert.ErrorIs(t, as.Send(), ErrClosed)
}
