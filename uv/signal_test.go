package uv

import (
	"bytes"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The signal tests raise SIGUSR1, SIGUSR2 and SIGPIPE at their own process
// (never SIGINT, SIGTERM or SIGCHLD, which the test runner or other tests
// may care about). Go ignores the three when nothing is notified of them,
// so a signal that arrives late harms no one.

// nSignals is libuv's NSIGNALS: how many signals a raiser raises.
const nSignals = 10

// raise sends sig to the test process.
func raise(t testing.TB, sig syscall.Signal) {
	t.Helper()
	assert.NoError(t, syscall.Kill(os.Getpid(), sig))
}

// raiser is libuv's timer_ctx: a timer that raises a signal nSignals times,
// then closes. libuv's raise() is handled before it returns; a kill is
// handled later, and the kernel and the Go runtime merge a signal raised
// again before the first was handled. So the raiser raises the next
// signal only once a probe, a Signal of its own on the same loop, has
// caught the last one: each raise is then one signal for every watcher.
type raiser struct {
	raised, caught int
}

func startRaiser(t *testing.T, l *Loop, sig syscall.Signal) *raiser {
	t.Helper()
	r := &raiser{}
	probe, err := NewSignal(l)
	require.NoError(t, err)
	require.NoError(t, probe.Start(sig, func(*Signal, syscall.Signal) { r.caught++ }))
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Millisecond, time.Millisecond, func(tm *Timer) {
		switch {
		case r.caught < r.raised:
			// The last signal is on its way.
		case r.raised == nSignals:
			assert.NoError(t, tm.Close(nil))
			assert.NoError(t, probe.Close(nil))
		default:
			r.raised++
			raise(t, sig)
		}
	}))
	return r
}

// What a watcher does at its last call (libuv's stop_or_close).
type sigAction int

const (
	sigClose sigAction = iota
	sigStop
	sigNoop // must not get there
)

// sigWatcher is libuv's signal_ctx: a Signal that counts its calls and
// stops or closes itself at the nSignals-th, or, one-shot, closes itself
// at the first if its action is sigClose.
type sigWatcher struct {
	s       *Signal
	sig     syscall.Signal
	action  sigAction
	oneshot bool
	calls   int
}

func newWatcher(t *testing.T, l *Loop, sig syscall.Signal) *sigWatcher {
	t.Helper()
	s, err := NewSignal(l)
	require.NoError(t, err)
	return &sigWatcher{s: s, sig: sig}
}

func (w *sigWatcher) start(t *testing.T, oneshot bool) {
	t.Helper()
	w.calls, w.oneshot = 0, oneshot
	cb := func(s *Signal, sig syscall.Signal) {
		assert.Same(t, w.s, s)
		assert.Equal(t, w.sig, sig)
		w.calls++
		if w.oneshot {
			assert.Equal(t, 1, w.calls, "one-shot watcher called again")
			assert.False(t, s.IsActive(), "a one-shot watcher stops before its callback")
			if w.action == sigClose {
				assert.NoError(t, s.Close(nil))
			}
			return
		}
		if w.calls == nSignals {
			switch w.action {
			case sigStop:
				assert.NoError(t, s.Stop())
			case sigClose:
				assert.NoError(t, s.Close(nil))
			default:
				t.Error("watcher got more signals than it should")
			}
		}
	}
	if oneshot {
		require.NoError(t, w.s.StartOneshot(w.sig, cb))
	} else {
		require.NoError(t, w.s.Start(w.sig, cb))
	}
	assert.Equal(t, w.sig, w.s.Signum())
	assert.True(t, w.s.IsActive())
}

// startWatcher is libuv's start_watcher: a new watcher of sig that closes
// itself when done.
func startWatcher(t *testing.T, l *Loop, sig syscall.Signal, oneshot bool) *sigWatcher {
	t.Helper()
	w := newWatcher(t, l, sig)
	w.start(t, oneshot)
	return w
}

// we_get_signal (test-signal.c; SIGUSR1 for libuv's SIGCHLD): a watcher
// gets every signal raised, then stops itself; stopped, it gets none and
// does not keep the loop alive; started again, it gets them again.
func TestWeGetSignal(t *testing.T) {
	l := newLoop(t)
	r := startRaiser(t, l, syscall.SIGUSR1)
	w := startWatcher(t, l, syscall.SIGUSR1, false)
	w.action = sigStop
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, nSignals, r.raised)
	assert.Equal(t, nSignals, w.calls)
	assert.False(t, w.s.IsActive())
	assert.Zero(t, w.s.Signum())

	r = startRaiser(t, l, syscall.SIGUSR1)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, nSignals, r.raised)
	assert.Equal(t, nSignals, w.calls, "a stopped watcher gets nothing")

	w.action = sigClose
	w.start(t, false)
	r = startRaiser(t, l, syscall.SIGUSR1)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, nSignals, r.raised)
	assert.Equal(t, nSignals, w.calls)
	assert.True(t, w.s.IsClosing())
}

// we_get_signals (test-signal.c): two watchers of SIGUSR1 and two of
// SIGUSR2 on one loop each get every signal of theirs.
func TestWeGetSignals(t *testing.T) {
	l := newLoop(t)
	ws := []*sigWatcher{
		startWatcher(t, l, syscall.SIGUSR1, false),
		startWatcher(t, l, syscall.SIGUSR1, false),
		startWatcher(t, l, syscall.SIGUSR2, false),
		startWatcher(t, l, syscall.SIGUSR2, false),
	}
	rs := []*raiser{startRaiser(t, l, syscall.SIGUSR1), startRaiser(t, l, syscall.SIGUSR2)}
	assert.False(t, runLoop(t, l, RunDefault))
	for i, w := range ws {
		assert.Equal(t, nSignals, w.calls, "watcher %d", i)
	}
	for i, r := range rs {
		assert.Equal(t, nSignals, r.raised, "raiser %d", i)
	}
}

// we_get_signal_one_shot (test-signal.c): a one-shot watcher gets the first
// signal only and stays stopped (and the loop free to end) after it;
// started one-shot again, it gets one more.
func TestWeGetSignalOneShot(t *testing.T) {
	l := newLoop(t)
	r := startRaiser(t, l, syscall.SIGUSR1)
	w := startWatcher(t, l, syscall.SIGUSR1, true)
	w.action = sigNoop
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, nSignals, r.raised)
	assert.Equal(t, 1, w.calls)
	assert.False(t, w.s.IsActive())

	r = startRaiser(t, l, syscall.SIGUSR1)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, nSignals, r.raised)
	assert.Equal(t, 1, w.calls)

	w.action = sigClose
	w.start(t, true)
	r = startRaiser(t, l, syscall.SIGUSR1)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, nSignals, r.raised)
	assert.Equal(t, 1, w.calls)
	assert.True(t, w.s.IsClosing())
}

// we_get_signals_mixed (test-signal.c; SIGUSR1 for SIGCHLD): one-shot and
// repeating watchers of one signal side by side, some closed before the
// loop runs. A one-shot watcher gets one signal, a repeating one all of
// them, a closed one none.
func TestWeGetSignalsMixed(t *testing.T) {
	type watcher struct {
		oneshot, closeNow bool
	}
	phases := []struct {
		name     string
		watchers []watcher
	}{
		{"2 one-shot", []watcher{{true, false}, {true, false}}},
		{"2 one-shot, 1 normal then remove normal", []watcher{{true, false}, {true, false}, {false, true}}},
		{"2 normal, 1 one-shot then remove one-shot", []watcher{{false, false}, {false, false}, {true, true}}},
		{"2 normal, 2 one-shot then remove 2 normal", []watcher{{false, true}, {false, true}, {true, false}, {true, false}}},
		{"1 normal, 1 one-shot, 2 normal then remove 1st normal, 2nd normal", []watcher{{false, true}, {true, false}, {false, true}, {false, false}}},
	}
	l := newLoop(t)
	for _, ph := range phases {
		r := startRaiser(t, l, syscall.SIGUSR1)
		ws := make([]*sigWatcher, len(ph.watchers))
		for i, spec := range ph.watchers {
			ws[i] = startWatcher(t, l, syscall.SIGUSR1, spec.oneshot)
		}
		for i, spec := range ph.watchers {
			if spec.closeNow {
				require.NoError(t, ws[i].s.Close(nil))
			}
		}
		assert.False(t, runLoop(t, l, RunDefault), ph.name)
		assert.Equal(t, nSignals, r.raised, ph.name)
		for i, spec := range ph.watchers {
			want := nSignals
			switch {
			case spec.closeNow:
				want = 0
			case spec.oneshot:
				want = 1
			}
			assert.Equal(t, want, ws[i].calls, "%s: watcher %d", ph.name, i)
			assert.True(t, ws[i].s.IsClosing(), "%s: watcher %d", ph.name, i)
		}
	}
}

// runBounded runs l from a goroutine other than the test's, under the
// same watchdog as runLoop, without require.
func runBounded(t *testing.T, l *Loop) {
	wd := time.AfterFunc(watchdogTimeout, func() {
		l.Post(func() {
			t.Errorf("watchdog: loop still running after %v", watchdogTimeout)
			l.Stop()
		})
	})
	defer wd.Stop()
	_, err := l.Run(RunDefault)
	assert.NoError(t, err)
}

// signal_multiple_loops (test-signal-multiple-loops.c): loops on their own
// goroutines (libuv: threads) watch SIGUSR1 twice, SIGUSR2 once, or both;
// every watcher of every loop gets each signal. The watchers stop
// themselves, so each loop's Run ends when all of its watchers got theirs;
// restarted, they get the next round. Meanwhile other goroutines create
// and destroy loops with a started watcher of a signal never raised
// (libuv: SIGTERM; here SIGALRM, see the file comment), to shake the
// bookkeeping. libuv runs 24 loops and 10 creators; this machine has 2
// cores.
func TestSignalMultipleLoops(t *testing.T) {
	const (
		loops    = 9 // a multiple of 3, as libuv's
		creators = 2
	)
	const (
		onlyUSR1 = iota
		onlyUSR2
		both
	)
	var (
		mu           sync.Mutex // guards the counts
		usr1, usr2   int
		created      atomic.Int64
		stopCreating atomic.Bool
		ready        = make(chan struct{}, 2*loops) // libuv's sem
		workers      sync.WaitGroup
		makers       sync.WaitGroup
	)
	count := func(n *int) {
		mu.Lock()
		*n++
		mu.Unlock()
	}
	worker := func(action int) {
		defer workers.Done()
		posted := 0
		defer func() { // the test waits for two posts in every case
			for ; posted < 2; posted++ {
				ready <- struct{}{}
			}
		}()
		l, err := NewLoop()
		if !assert.NoError(t, err) {
			return
		}
		defer func() { assert.NoError(t, l.Close()) }()
		var hs []*Signal
		newSig := func() *Signal {
			s, err := NewSignal(l)
			if assert.NoError(t, err) {
				hs = append(hs, s)
			}
			return s
		}
		var sig1a, sig1b, sig2 *Signal
		if action != onlyUSR2 {
			sig1a, sig1b = newSig(), newSig()
		}
		if action != onlyUSR1 {
			sig2 = newSig()
		}
		cb1 := func(s *Signal, sig syscall.Signal) {
			assert.Equal(t, syscall.SIGUSR1, sig)
			count(&usr1)
			assert.NoError(t, s.Stop())
		}
		cb2 := func(s *Signal, sig syscall.Signal) {
			assert.Equal(t, syscall.SIGUSR2, sig)
			count(&usr2)
			assert.NoError(t, s.Stop())
		}
		startAll := func() {
			if sig1a != nil {
				assert.NoError(t, sig1a.Start(syscall.SIGUSR1, cb1))
				assert.NoError(t, sig1b.Start(syscall.SIGUSR1, cb1))
			}
			if sig2 != nil {
				assert.NoError(t, sig2.Start(syscall.SIGUSR2, cb2))
			}
		}
		startAll()
		ready <- struct{}{}
		posted++
		runBounded(t, l)
		startAll()
		ready <- struct{}{}
		posted++
		runBounded(t, l)
		for _, s := range hs {
			assert.NoError(t, s.Close(nil))
		}
		runBounded(t, l)
	}
	creator := func() {
		defer makers.Done()
		for !stopCreating.Load() {
			l, err := NewLoop()
			if !assert.NoError(t, err) {
				return
			}
			s, err := NewSignal(l)
			if assert.NoError(t, err) {
				assert.NoError(t, s.Start(syscall.SIGALRM, func(*Signal, syscall.Signal) {
					t.Error("a closed watcher was called")
				}))
				assert.NoError(t, s.Close(nil))
			}
			runBounded(t, l)
			assert.NoError(t, l.Close())
			created.Add(1)
		}
	}
	wait := func(what string) {
		t.Helper()
		timeout := time.After(2 * watchdogTimeout)
		for range loops {
			select {
			case <-ready:
			case <-timeout:
				require.FailNow(t, "timed out waiting for the loops: "+what)
			}
		}
	}

	makers.Add(creators)
	for range creators {
		go creator()
	}
	workers.Add(loops)
	for i := range loops {
		go worker(i % 3)
	}
	wait("watchers started")
	raise(t, syscall.SIGUSR1)
	raise(t, syscall.SIGUSR2)
	wait("watchers restarted")
	raise(t, syscall.SIGUSR1)
	raise(t, syscall.SIGUSR2)
	workers.Wait()
	stopCreating.Store(true)
	makers.Wait()

	mu.Lock()
	defer mu.Unlock()
	// Per group of three loops: 2 rounds of 2 SIGUSR1 watchers on 2 loops,
	// 2 rounds of 1 SIGUSR2 watcher on 2 loops.
	assert.Equal(t, 8*(loops/3), usr1)
	assert.Equal(t, 4*(loops/3), usr2)
	assert.GreaterOrEqual(t, created.Load(), int64(creators))
}

// notifyTest has the test itself notified of sig, so that it can wait
// until the Go runtime has handled a signal and none is left on its way
// to the next test.
func notifyTest(t *testing.T, sig syscall.Signal) <-chan os.Signal {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sig)
	t.Cleanup(func() { signal.Stop(ch) })
	return ch
}

// awaitSignal waits for a signal on a notifyTest channel.
func awaitSignal(t *testing.T, ch <-chan os.Signal) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(watchdogTimeout):
		t.Error("the signal did not arrive")
	}
}

// signal_pending_on_close (test-signal-pending-on-close.c): a write to a
// pipe whose reader is gone raises SIGPIPE and fails with EPIPE; the
// write's callback closes the Signal watching SIGPIPE while the signal is
// on its way. Its callback never runs, and both close callbacks do.
func TestSignalPendingOnClose(t *testing.T) {
	l := newLoop(t)
	caught := notifyTest(t, syscall.SIGPIPE)
	s, err := NewSignal(l)
	require.NoError(t, err)
	var calls, closed counter
	require.NoError(t, s.Start(syscall.SIGPIPE, func(*Signal, syscall.Signal) { calls.inc() }))

	var fds [2]int
	require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
	p, err := NewPipe(l, false)
	require.NoError(t, err)
	if err := p.Open(fds[1]); err != nil {
		syscall.Close(fds[1])
		require.NoError(t, err)
	}
	// More than the pipe holds, so that the rest is written on a later
	// iteration, once the reader is gone.
	require.NoError(t, p.Write(bytes.Repeat([]byte{'.'}, 1<<24), func(err error) {
		assert.ErrorIs(t, err, syscall.EPIPE)
		assert.NoError(t, p.Close(closed.inc))
		assert.NoError(t, s.Close(closed.inc))
	}))
	require.NoError(t, syscall.Close(fds[0]))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 2, closed.n)
	assert.Zero(t, calls.n)
	awaitSignal(t, caught) // there was a SIGPIPE
}

// signal_close_loop_alive (test-signal-pending-on-close.c; SIGUSR2 for
// SIGPIPE): an unreferenced, started Signal does not keep the loop alive,
// even with its signal caught; once closing, it does until its close
// callback. The loop never polls while the Signal is open, so its
// callback never runs.
func TestSignalCloseLoopAlive(t *testing.T) {
	l := newLoop(t)
	caught := notifyTest(t, syscall.SIGUSR2)
	s, err := NewSignal(l)
	require.NoError(t, err)
	var calls, closed counter
	require.NoError(t, s.Start(syscall.SIGUSR2, func(*Signal, syscall.Signal) {
		calls.inc()
		l.Stop()
	}))
	s.Unref()
	raise(t, syscall.SIGUSR2)
	awaitSignal(t, caught)
	assert.False(t, runLoop(t, l, RunDefault))
	require.NoError(t, s.Close(closed.inc))
	assert.True(t, l.Alive())
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, closed.n)
	assert.Zero(t, calls.n)
}

// signal_ref (test-ref.c): a started Signal keeps the loop alive, unless
// unreferenced; a stopped one does not. The ref flag is the user's and
// survives Stop and Start, as libuv's does.
func TestSignalRef(t *testing.T) {
	l := newLoop(t)
	s, err := NewSignal(l)
	require.NoError(t, err)
	fail := func(*Signal, syscall.Signal) { t.Error("signal callback called") }
	assert.False(t, s.IsActive())
	assert.True(t, s.HasRef())
	assert.False(t, l.Alive(), "a new Signal is not active")

	require.NoError(t, s.Start(syscall.SIGUSR1, fail))
	assert.True(t, s.IsActive())
	assert.True(t, l.Alive(), "a started Signal keeps the loop alive")
	s.Unref()
	assert.False(t, s.HasRef())
	assert.True(t, s.IsActive())
	assert.False(t, l.Alive())
	assert.False(t, runLoop(t, l, RunDefault))

	require.NoError(t, s.Stop())
	require.NoError(t, s.Start(syscall.SIGUSR1, fail))
	assert.False(t, s.HasRef(), "Start keeps the ref flag")
	assert.False(t, l.Alive())
	require.NoError(t, s.Stop())
	s.Ref()
	assert.True(t, s.HasRef())
	assert.False(t, l.Alive(), "a stopped Signal does not keep the loop alive")
	require.NoError(t, s.StartOneshot(syscall.SIGUSR2, fail))
	assert.True(t, l.Alive())
	require.NoError(t, s.Stop())
	assert.False(t, l.Alive())
	require.NoError(t, s.Stop(), "Stop on a stopped Signal")

	var walked []Handle
	l.Walk(func(h Handle) { walked = append(walked, h) })
	require.Len(t, walked, 1)
	assert.Same(t, s, walked[0], "Walk reports the *Signal")
	assert.Equal(t, TypeSignal, walked[0].Type())
	assert.Equal(t, "signal", walked[0].Type().String())
	doClose(t, s)
}

// waitPending polls until the feed has passed a signal to s: the signal
// is then on its way to the loop (a bounded poll of a condition outside
// the loop).
func waitPending(t *testing.T, s *Signal) {
	t.Helper()
	deadline := time.Now().Add(watchdogTimeout)
	for s.pending.Load() == 0 {
		require.True(t, time.Now().Before(deadline), "the signal did not reach the Signal")
		time.Sleep(time.Millisecond)
	}
}

// After Stop or Close, no callback runs, even for a signal caught before
// and on its way to the loop; started again, a Signal does not get the
// signal it missed. Another watcher of the signal gets it.
func TestSignalStopPending(t *testing.T) {
	l := newLoop(t)
	var stopped, closed, other counter
	s1, err := NewSignal(l)
	require.NoError(t, err)
	s2, err := NewSignal(l)
	require.NoError(t, err)
	s3, err := NewSignal(l)
	require.NoError(t, err)
	require.NoError(t, s1.Start(syscall.SIGUSR1, func(*Signal, syscall.Signal) { stopped.inc() }))
	require.NoError(t, s2.Start(syscall.SIGUSR1, func(*Signal, syscall.Signal) { closed.inc() }))
	require.NoError(t, s3.Start(syscall.SIGUSR1, func(s *Signal, _ syscall.Signal) {
		other.inc()
		assert.NoError(t, s1.Close(nil))
		assert.NoError(t, s.Close(nil))
	}))
	raise(t, syscall.SIGUSR1)
	waitPending(t, s1)
	waitPending(t, s2)
	require.NoError(t, s1.Stop())
	require.NoError(t, s1.Start(syscall.SIGUSR1, func(*Signal, syscall.Signal) { stopped.inc() }))
	require.NoError(t, s2.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, stopped.n)
	assert.Zero(t, closed.n)
	assert.Equal(t, 1, other.n)
}

// A signal Go cannot deliver, and a nil callback, are EINVAL *Errors that
// leave the Signal stopped; Fd is EINVAL, as for libuv's signal handle.
func TestSignalBadSignum(t *testing.T) {
	l := newLoop(t)
	s, err := NewSignal(l)
	require.NoError(t, err)
	nop := func(*Signal, syscall.Signal) {}
	bad := []syscall.Signal{0, -1, 65, 4096, syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGPROF, 32, 33, 34}
	for _, sig := range bad {
		for op, start := range map[string]func(syscall.Signal, func(*Signal, syscall.Signal)) error{
			"uv_signal_start":         s.Start,
			"uv_signal_start_oneshot": s.StartOneshot,
		} {
			var e *Error
			if assert.ErrorAs(t, start(sig, nop), &e, "signal %d", sig) {
				assert.Equal(t, op, e.Op)
				assert.Equal(t, EINVAL, e.Code)
			}
		}
	}
	var e *Error
	require.ErrorAs(t, s.Start(syscall.SIGUSR1, nil), &e)
	assert.Equal(t, EINVAL, e.Code)
	assert.False(t, s.IsActive())
	assert.Zero(t, s.Signum())

	// A bad signal on a started Signal leaves it watching the old one.
	require.NoError(t, s.Start(syscall.SIGUSR1, nop))
	assert.Error(t, s.Start(syscall.SIGKILL, nop))
	assert.Equal(t, syscall.SIGUSR1, s.Signum())

	_, err = s.Fd()
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)
	doClose(t, s)
}

// Methods of a closed Signal return ErrClosed or panic, as for every
// handle; Start on a closing one is EINVAL.
func TestSignalClosed(t *testing.T) {
	l := newLoop(t)
	s, err := NewSignal(l)
	require.NoError(t, err)
	nop := func(*Signal, syscall.Signal) {}
	require.NoError(t, s.Start(syscall.SIGUSR1, nop))
	require.NoError(t, s.Close(nil))
	assert.False(t, s.IsActive())
	assert.Zero(t, s.Signum())
	var e *Error
	require.ErrorAs(t, s.Start(syscall.SIGUSR1, nop), &e, "closing")
	assert.Equal(t, EINVAL, e.Code)
	assert.ErrorIs(t, s.Close(nil), ErrClosed)
	assert.False(t, runLoop(t, l, RunDefault))

	assert.ErrorIs(t, s.Start(syscall.SIGUSR1, nop), ErrClosed)
	assert.ErrorIs(t, s.StartOneshot(syscall.SIGUSR1, nop), ErrClosed)
	assert.ErrorIs(t, s.Stop(), ErrClosed)
	assert.ErrorIs(t, s.Close(nil), ErrClosed)
	assert.False(t, s.IsActive())
	assert.False(t, s.HasRef())
	assert.True(t, s.IsClosing())
	assert.Panics(t, s.Ref)
	assert.Panics(t, s.Unref)
	_, err = s.Fd()
	assert.Error(t, err)
}

// A panic in a Signal's callback is contained: Run re-raises it.
func TestSignalPanic(t *testing.T) {
	l := newLoop(t)
	s, err := NewSignal(l)
	require.NoError(t, err)
	require.NoError(t, s.Start(syscall.SIGUSR2, func(*Signal, syscall.Signal) { panic("signal") }))
	raise(t, syscall.SIGUSR2)
	p := runPanic(t, l, RunDefault)
	assert.Equal(t, "signal", p.Value)
}

// Signals arrive all the time while Signals on loops on several goroutines
// start, catch one, stop and close: the feed never wakes a freed handle, -race sees
// no race, and the loops close clean. Nothing is counted, since signals
// raised faster than they are handled merge. SIGWINCH, which no other test
// watches, so that the signals still on their way when the test ends
// reach no one.
func TestSignalStartStopStress(t *testing.T) {
	const loops, rounds = 2, 100
	done := make(chan struct{})
	var killer sync.WaitGroup
	killer.Add(1)
	go func() {
		defer killer.Done()
		for {
			select {
			case <-done:
				return
			default:
				raise(t, syscall.SIGWINCH)
				runtime.Gosched()
			}
		}
	}()
	var calls atomic.Int64
	cb := func(*Signal, syscall.Signal) { calls.Add(1) }
	var wg sync.WaitGroup
	for range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := NewLoop()
			if !assert.NoError(t, err) {
				return
			}
			for i := range rounds {
				s1, err := NewSignal(l)
				if !assert.NoError(t, err) {
					break
				}
				s2, err := NewSignal(l)
				if !assert.NoError(t, err) {
					s1.Close(nil)
					break
				}
				assert.NoError(t, s1.Start(syscall.SIGWINCH, cb))
				assert.NoError(t, s2.StartOneshot(syscall.SIGWINCH, func(s *Signal, sig syscall.Signal) {
					cb(s, sig)
					l.Stop()
				}))
				runBounded(t, l) // until s2 caught one
				if i%2 == 0 {
					assert.NoError(t, s1.Stop())
					_, err = l.Run(RunNoWait)
					assert.NoError(t, err)
				}
				assert.NoError(t, s1.Close(nil))
				assert.NoError(t, s2.Close(nil))
				runBounded(t, l)
			}
			assert.NoError(t, l.Close())
		}()
	}
	wg.Wait()
	close(done)
	killer.Wait()
	t.Logf("%d callbacks", calls.Load())
}
