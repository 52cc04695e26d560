package uv

// libuv's thread pool, cancel and random tests, row 60 of LIBUV_TESTS.md
// (test-threadpool.c, test-threadpool-cancel.c, test-random.c,
// threadpool_multiple_event_loops from test-thread.c), under their libuv
// names. threadpool_cancel_fs is with the fs tests.

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// poolSize is the thread pool's size as libuv computes it at its start:
// UV_THREADPOOL_SIZE, or 4; 1 to 1024.
func poolSize() int {
	n := 4
	if s, ok := os.LookupEnv("UV_THREADPOOL_SIZE"); ok {
		n, _ = strconv.Atoi(s)
	}
	return min(max(n, 1), 1024)
}

// saturatePool is libuv's saturate_threadpool: it fills every pool thread
// with work that blocks, so that requests queued next wait in the queue
// until the returned release is called (Cleanup calls it too, so a failed
// test does not leave the pool blocked).
func saturatePool(t *testing.T, l *Loop) (release func()) {
	t.Helper()
	n := poolSize()
	gate := make(chan struct{})
	started := make(chan struct{}, n)
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	for range n {
		_, err := QueueWork(l, func() {
			started <- struct{}{}
			<-gate
		}, func(err error) { assert.NoError(t, err) })
		require.NoError(t, err)
	}
	// Wait until every thread holds one: the pool runs work without the
	// loop running.
	deadline := time.After(watchdogTimeout)
	for range n {
		select {
		case <-started:
		case <-deadline:
			t.Fatalf("the thread pool did not start %d work functions", n)
		}
	}
	return release
}

func TestThreadpoolQueueWorkSimple(t *testing.T) {
	l := newLoop(t)
	var worked atomic.Int32
	var after counter
	var afterErr error
	r, err := QueueWork(l, func() { worked.Add(1) }, func(err error) {
		after.inc()
		afterErr = err
		assert.Equal(t, int32(1), worked.Load(), "after ran before work")
	})
	require.NoError(t, err)
	require.NotNil(t, r)
	runLoop(t, l, RunDefault)
	assert.Equal(t, int32(1), worked.Load())
	assert.Equal(t, 1, after.n)
	assert.NoError(t, afterErr)
}

// Plain Go memory written by work is visible to after, race detector
// included: gouv orders them.
func TestThreadpoolQueueWorkResult(t *testing.T) {
	l := newLoop(t)
	var sum int
	var got []int
	for i := range 20 {
		var v int
		_, err := QueueWork(l, func() { v = i * i }, func(err error) {
			assert.NoError(t, err)
			got = append(got, v)
			sum += v
		})
		require.NoError(t, err)
	}
	// After is optional.
	_, err := QueueWork(l, func() {}, nil)
	require.NoError(t, err)
	runLoop(t, l, RunDefault)
	assert.Len(t, got, 20)
	assert.Equal(t, 2470, sum)
}

func TestThreadpoolQueueWorkEinval(t *testing.T) {
	l := newLoop(t)
	r, err := QueueWork(l, nil, func(error) { t.Error("after ran") })
	assert.Nil(t, r)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "uv_queue_work", e.Op)
	assert.Equal(t, EINVAL, e.Code)
	runLoop(t, l, RunDefault)
	_, err = QueueWork(nil, func() {}, nil)
	assert.ErrorIs(t, err, EINVAL)
}

// A panic in work reaches Run as a *CallbackPanic with work's stack; after
// does not run, and the loop stays usable.
func TestThreadpoolQueueWorkPanic(t *testing.T) {
	l := newLoop(t)
	var afterRan bool
	_, err := QueueWork(l, func() { panic("boom in work") }, func(error) { afterRan = true })
	require.NoError(t, err)
	p := runPanic(t, l, RunDefault)
	assert.Equal(t, "boom in work", p.Value)
	assert.Contains(t, string(p.Stack), "TestThreadpoolQueueWorkPanic")
	assert.False(t, afterRan)
	var ok bool
	_, err = QueueWork(l, func() {}, func(err error) { ok = err == nil })
	require.NoError(t, err)
	runLoop(t, l, RunDefault)
	assert.True(t, ok)
}

// threadpool_multiple_event_loops: 8 loops on 8 goroutines share the pool,
// each with chains of getaddrinfo and (in libuv's, fs_stat; fs is another
// file's, so queued work here) requests.
func TestThreadpoolMultipleEventLoops(t *testing.T) {
	const nloops, nchains, depth = 8, 4, 4
	loops := make([]*Loop, nloops)
	for i := range loops {
		loops[i] = newLoop(t)
	}
	var wg sync.WaitGroup
	done := make([]int, nloops)
	errs := make([]error, nloops)
	for i, l := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var resolve func(left int)
			resolve = func(left int) {
				_, err := GetAddrInfo(l, "localhost", "", nil, func(res []AddrInfo, err error) {
					if err != nil {
						errs[i] = err
						return
					}
					done[i]++
					if left > 1 {
						resolve(left - 1)
					}
				})
				if err != nil {
					errs[i] = err
				}
			}
			var work func(left int)
			work = func(left int) {
				_, err := QueueWork(l, func() {}, func(err error) {
					if err != nil {
						errs[i] = err
						return
					}
					done[i]++
					if left > 1 {
						work(left - 1)
					}
				})
				if err != nil {
					errs[i] = err
				}
			}
			for range nchains {
				resolve(depth)
				work(depth)
			}
			if _, err := l.Run(RunDefault); err != nil {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	for i := range loops {
		assert.NoError(t, errs[i], "loop %d", i)
		assert.Equal(t, 2*nchains*depth, done[i], "loop %d", i)
	}
}

// cancelAll cancels reqs from a timer callback 10 ms into the run, then
// releases the pool, as libuv's timer_cb does; it returns what each Cancel
// returned.
func cancelAll(t *testing.T, l *Loop, release func(), reqs []*Req) []error {
	t.Helper()
	errs := make([]error, len(reqs))
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, tm.Start(10*time.Millisecond, 0, func(tm *Timer) {
		fired.inc()
		for i, r := range reqs {
			errs[i] = r.Cancel()
		}
		tm.Close(nil)
		release()
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, fired.n, "timer callbacks")
	return errs
}

func TestThreadpoolCancelGetaddrinfo(t *testing.T) {
	l := newLoop(t)
	release := saturatePool(t, l)
	var calls counter
	cb := func(res []AddrInfo, err error) {
		calls.inc()
		assert.Nil(t, res)
		assert.ErrorIs(t, err, ECANCELED)
	}
	var reqs []*Req
	for _, a := range []struct {
		node, service string
		hints         *AddrInfoHints
	}{{"fail", "", nil}, {"", "fail", nil}, {"fail", "fail", nil}, {"fail", "", &AddrInfoHints{}}} {
		r, err := GetAddrInfo(l, a.node, a.service, a.hints, cb)
		require.NoError(t, err)
		reqs = append(reqs, r)
	}
	for i, err := range cancelAll(t, l, release, reqs) {
		assert.NoError(t, err, "Cancel %d", i)
	}
	assert.Equal(t, len(reqs), calls.n)
}

func TestThreadpoolCancelGetnameinfo(t *testing.T) {
	l := newLoop(t)
	release := saturatePool(t, l)
	var calls counter
	var reqs []*Req
	for range 4 {
		r, err := GetNameInfo(l, netip.MustParseAddrPort("127.0.0.1:80"), 0, func(host, serv string, err error) {
			calls.inc()
			assert.Empty(t, host)
			assert.Empty(t, serv)
			assert.ErrorIs(t, err, ECANCELED)
		})
		require.NoError(t, err)
		reqs = append(reqs, r)
	}
	for i, err := range cancelAll(t, l, release, reqs) {
		assert.NoError(t, err, "Cancel %d", i)
	}
	assert.Equal(t, len(reqs), calls.n)
}

func TestThreadpoolCancelRandom(t *testing.T) {
	l := newLoop(t)
	release := saturatePool(t, l)
	buf := []byte{42}
	var calls counter
	var cbErr error
	r, err := Random(l, buf, func(err error) {
		calls.inc()
		cbErr = err
	})
	require.NoError(t, err)
	require.NoError(t, r.Cancel())
	assert.Zero(t, calls.n, "callback ran from Cancel")
	release()
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)
	assert.ErrorIs(t, cbErr, ECANCELED)
	assert.Equal(t, []byte{42}, buf, "a cancelled request wrote buf")
}

func TestThreadpoolCancelWork(t *testing.T) {
	l := newLoop(t)
	release := saturatePool(t, l)
	var after counter
	var reqs []*Req
	for range 16 {
		r, err := QueueWork(l, func() { t.Error("cancelled work ran") }, func(err error) {
			after.inc()
			assert.ErrorIs(t, err, ECANCELED)
		})
		require.NoError(t, err)
		reqs = append(reqs, r)
	}
	for i, err := range cancelAll(t, l, release, reqs) {
		assert.NoError(t, err, "Cancel %d", i)
	}
	assert.Equal(t, len(reqs), after.n)
}

func TestThreadpoolCancelSingle(t *testing.T) {
	l := newLoop(t)
	release := saturatePool(t, l)
	var after counter
	var afterErr error
	r, err := QueueWork(l, func() { t.Error("cancelled work ran") }, func(err error) {
		after.inc()
		afterErr = err
	})
	require.NoError(t, err)
	require.NoError(t, r.Cancel())
	assert.Zero(t, after.n, "after ran from Cancel")
	release()
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, after.n)
	assert.ErrorIs(t, afterErr, ECANCELED)
	// Once finished, the request cannot be cancelled.
	assert.ErrorIs(t, r.Cancel(), EBUSY)
}

// Cancel of running work: EBUSY, and after gets nil once work returns.
func TestThreadpoolCancelRunning(t *testing.T) {
	l := newLoop(t)
	started, gate := make(chan struct{}), make(chan struct{})
	var afterErr error
	var after counter
	r, err := QueueWork(l, func() {
		close(started)
		<-gate
	}, func(err error) {
		after.inc()
		afterErr = err
	})
	require.NoError(t, err)
	select {
	case <-started:
	case <-time.After(watchdogTimeout):
		close(gate)
		t.Fatal("work did not start")
	}
	err = r.Cancel()
	close(gate)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "uv_cancel", e.Op)
	assert.Equal(t, EBUSY, e.Code)
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, after.n)
	assert.NoError(t, afterErr)
	var nilReq *Req
	assert.ErrorIs(t, nilReq.Cancel(), EINVAL)
}

// UV_THREADPOOL_SIZE is read by libuv when the pool starts, once per
// process, so the test runs itself again with it set: 6 work functions
// (more than the default 4 threads) must all run at once.
func TestThreadpoolSizeEnv(t *testing.T) {
	if os.Getenv("GOUV_POOL_CHILD") != "" {
		n := poolSize()
		l := newLoop(t)
		var arrived sync.WaitGroup
		arrived.Add(n)
		all := make(chan struct{})
		go func() { arrived.Wait(); close(all) }()
		var ok atomic.Int32
		for range n {
			_, err := QueueWork(l, func() {
				arrived.Done()
				select {
				case <-all:
					ok.Add(1)
				case <-time.After(10 * time.Second):
				}
			}, nil)
			require.NoError(t, err)
		}
		runLoop(t, l, RunDefault)
		assert.Equal(t, int32(n), ok.Load(), "work functions that ran at the same time")
		return
	}
	if testing.Short() {
		t.Skip("runs the test binary again")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestThreadpoolSizeEnv$", "-test.v")
	cmd.Env = append(os.Environ(), "GOUV_POOL_CHILD=1", "UV_THREADPOOL_SIZE=6")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	require.NoError(t, err, "child: %s", out.String())
	assert.Contains(t, out.String(), "--- PASS: TestThreadpoolSizeEnv")
}

func TestRandomAsync(t *testing.T) {
	l := newLoop(t)
	// E2BIG before anything is read or allocated.
	huge := hugeBuf(t)
	_, err := Random(l, huge, func(error) { t.Error("callback ran") })
	assert.ErrorIs(t, err, E2BIG)

	var calls counter
	var errs []error
	_, err = Random(l, nil, func(err error) {
		calls.inc()
		errs = append(errs, err)
	})
	require.NoError(t, err)
	assert.Zero(t, calls.n)
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)

	buf := make([]byte, 256)
	_, err = Random(l, buf, func(err error) {
		calls.inc()
		errs = append(errs, err)
	})
	require.NoError(t, err)
	assert.Equal(t, make([]byte, 256), buf, "buf written before the callback")
	runLoop(t, l, RunDefault)
	assert.Equal(t, 2, calls.n)
	assert.Equal(t, []error{nil, nil}, errs)
	assert.NotEqual(t, make([]byte, 256), buf, "buy a lottery ticket")
}

func TestRandomSync(t *testing.T) {
	_, err := Random(nil, hugeBuf(t), nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "uv_random", e.Op)
	assert.Equal(t, E2BIG, e.Code)

	buf := make([]byte, 256)
	r, err := Random(nil, buf, nil)
	assert.Nil(t, r)
	require.NoError(t, err)
	assert.NotEqual(t, make([]byte, 256), buf, "buy a lottery ticket")
	_, err = Random(nil, nil, nil)
	assert.NoError(t, err)
	// A loop works as well, and nil as the async form's loop is EINVAL.
	l := newLoop(t)
	_, err = Random(l, buf, nil)
	assert.NoError(t, err)
	_, err = Random(nil, buf, func(error) {})
	assert.ErrorIs(t, err, EINVAL)
	assert.True(t, errors.Is(err, EINVAL), fmt.Sprint(err))
}

// hugeBuf returns a 2 GiB slice of inaccessible, unreserved memory, for
// the length checks: reading it would fault.
func hugeBuf(t *testing.T) []byte {
	b, err := syscall.Mmap(-1, 0, 1<<31, syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Munmap(b) })
	return b
}
