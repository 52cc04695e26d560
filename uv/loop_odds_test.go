package uv

import (
	"errors"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// libuv's loop and handle odds (test-default-loop-close.c, test-embed.c,
// test-eintr-handling.c, test-metrics.c, ...): LIBUV_TESTS.md row 68.

// default_loop_close (test-default-loop-close.c): gouv has no default
// loop (one loop per goroutine that runs it; a process-wide one would be
// shared against the thread rule). The Go equivalent: a loop runs a timer,
// closes, and a new loop does it again; the closed one says ErrLoopClosed.
func TestDefaultLoopClose(t *testing.T) {
	fired := 0
	for range 2 {
		l, err := NewLoop()
		require.NoError(t, err)
		tm, err := NewTimer(l)
		require.NoError(t, err)
		require.NoError(t, tm.Start(time.Millisecond, 0, func(tm *Timer) {
			fired++
			assert.NoError(t, tm.Close(nil))
		}))
		assert.False(t, runLoop(t, l, RunDefault))
		require.NoError(t, l.Close())
		_, err = l.Run(RunDefault)
		assert.ErrorIs(t, err, ErrLoopClosed)
		assert.ErrorIs(t, l.Close(), ErrLoopClosed)
	}
	assert.Equal(t, 2, fired)
}

// epollWait waits up to timeout (negative: forever) for fd to be readable,
// as an embedder polls a loop's backend fd: with an epoll instance of its
// own that watches it, retrying on EINTR.
func epollWait(t *testing.T, fd int, timeout time.Duration) int {
	t.Helper()
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	require.NoError(t, err)
	defer syscall.Close(ep)
	require.NoError(t, syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd,
		&syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}))
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	var ev [1]syscall.EpollEvent
	for {
		n, err := syscall.EpollWait(ep, ev[:], ms)
		if err == syscall.EINTR {
			continue
		}
		require.NoError(t, err)
		return n
	}
}

// embed (test-embed.c): a loop driven from outside, as an embedder (a GUI
// toolkit's main loop) does: wait on BackendFd for at most BackendTimeout,
// then Run(RunNoWait), while Alive. An Async sent from another goroutine
// wakes the wait; a Timer's deadline bounds it (BackendTimeout follows
// the binding's timer queue); a Post wakes it too.
func TestEmbed(t *testing.T) {
	l := newLoop(t)
	var asyncs, fires, posts counter
	a, err := NewAsync(l, func(a *Async) {
		asyncs.inc()
		assert.NoError(t, a.Close(nil))
	})
	require.NoError(t, err)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, tm.Start(30*time.Millisecond, 0, func(tm *Timer) {
		fires.inc()
		assert.NoError(t, tm.Close(nil))
	}))
	// libuv 1.44 says 0 while fds wait to join epoll (the loop's own
	// wake-up fd, before the first run): an embedder runs once first.
	assert.Equal(t, time.Duration(0), l.BackendTimeout())
	_, err = l.Run(RunNoWait)
	require.NoError(t, err)
	bt := l.BackendTimeout()
	assert.LessOrEqual(t, bt, 30*time.Millisecond, "the timer's deadline bounds the wait")
	assert.Greater(t, bt, time.Duration(0))

	ready := make(chan struct{})
	go func() {
		<-ready
		assert.NoError(t, a.Send())
		assert.NoError(t, l.Post(posts.inc))
	}()
	close(ready)
	deadline := time.Now().Add(watchdogTimeout)
	rounds := 0
	for l.Alive() && time.Now().Before(deadline) {
		epollWait(t, l.BackendFd(), l.BackendTimeout())
		_, err := l.Run(RunNoWait)
		require.NoError(t, err)
		rounds++
	}
	assert.False(t, l.Alive())
	assert.Equal(t, 1, asyncs.n)
	assert.Equal(t, 1, fires.n)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	assert.Less(t, rounds, 100, "the waits blocked: no busy loop")
	_, err = l.Run(RunNoWait)
	require.NoError(t, err)
	assert.Equal(t, 1, posts.n, "the post ran in one of the rounds")

	// Nothing keeps it alive: the timeout is 0, the wait does not block.
	assert.Equal(t, time.Duration(0), l.BackendTimeout())
}

// eintr_handling (test-eintr-handling.c): a synchronous FSRead blocked on
// a pipe while a signal lands on its thread returns the data, not EINTR
// (Go's handlers are SA_RESTART; libuv retries besides); the Signal
// watcher still gets the signal on the loop.
func TestEintrHandling(t *testing.T) {
	l := newLoop(t)
	s, err := NewSignal(l)
	require.NoError(t, err)
	var got []syscall.Signal
	require.NoError(t, s.Start(syscall.SIGUSR1, func(s *Signal, sig syscall.Signal) {
		got = append(got, sig)
		assert.NoError(t, s.Stop())
		assert.NoError(t, s.Close(nil))
	}))
	var fds [2]int
	require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])

	msg := []byte("test-buffer\n")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := syscall.Gettid()
	go func() {
		// Aimed at the reading thread, which is in read(2) or about to be.
		assert.NoError(t, syscall.Tgkill(os.Getpid(), tid, syscall.SIGUSR1))
		for {
			n, err := syscall.Write(fds[1], msg)
			if err == syscall.EINTR {
				continue
			}
			assert.NoError(t, err)
			assert.Equal(t, len(msg), n)
			return
		}
	}()
	buf := make([]byte, 32)
	n, _, err := FSRead(l, fds[0], buf, -1, nil)
	require.NoError(t, err)
	assert.Equal(t, string(msg), string(buf[:n]))
	runLoop(t, l, RunDefault)
	assert.Equal(t, []syscall.Signal{syscall.SIGUSR1}, got)
}

// spinLoop is a loop with idle-time metrics whose timer fires after
// timeout and spins for spin in its callback.
type spinLoop struct {
	l     *Loop
	fired counter
	took  time.Duration // how long Run took
	err   error         // what Run returned
}

func newSpinLoop(t *testing.T, timeout, spin time.Duration) *spinLoop {
	s := &spinLoop{l: newLoop(t, WithIdleTimeMetrics())}
	tm, err := NewTimer(s.l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(timeout, 0, func(tm *Timer) {
		s.fired.inc()
		for t0 := HRTime(); HRTime()-t0 < spin; {
		}
		assert.NoError(t, tm.Close(nil))
	}))
	return s
}

// run runs the loop on the calling goroutine, which may be any: no
// require here.
func (s *spinLoop) run() {
	wd := time.AfterFunc(watchdogTimeout, func() { s.l.Post(s.l.Stop) })
	defer wd.Stop()
	start := time.Now()
	_, s.err = s.l.Run(RunDefault)
	s.took = time.Since(start)
}

// metrics_idle_time (test-metrics.c) is TestMetricsIdleTime (loop_test.go);
// this is its version with the spin: the time spent in a callback is not
// idle time.
func TestMetricsIdleTimeSpin(t *testing.T) {
	s := newSpinLoop(t, 200*time.Millisecond, 100*time.Millisecond)
	s.run()
	require.NoError(t, s.err)
	assert.Equal(t, 1, s.fired.n)
	idle := s.l.IdleTime()
	assert.GreaterOrEqual(t, idle, 100*time.Millisecond)
	assert.LessOrEqual(t, idle, s.took-100*time.Millisecond, "the spin is not idle")
}

// metrics_idle_time_thread (test-metrics.c): five loops, each run on its
// own goroutine (and so its own thread while it runs), account their idle
// time apart. libuv waits 1 s and spins 600 ms; a fifth of that here.
func TestMetricsIdleTimeThread(t *testing.T) {
	const timeout, spin = 200 * time.Millisecond, 100 * time.Millisecond
	loops := make([]*spinLoop, 5)
	for i := range loops {
		loops[i] = newSpinLoop(t, timeout, spin)
	}
	var wg sync.WaitGroup
	for _, s := range loops {
		wg.Go(s.run)
	}
	wg.Wait()
	for i, s := range loops {
		require.NoError(t, s.err)
		assert.Equal(t, 1, s.fired.n, "loop %d", i)
		idle := s.l.IdleTime()
		assert.GreaterOrEqual(t, idle, timeout-100*time.Millisecond, "loop %d", i)
		assert.LessOrEqual(t, idle, s.took-spin, "loop %d", i)
	}
}

// metrics_idle_time_zero (test-metrics.c): a loop that never blocks (a
// timer due at once) has spent no time idle.
func TestMetricsIdleTimeZero(t *testing.T) {
	l := newLoop(t, WithIdleTimeMetrics())
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, tm.Start(0, 0, func(tm *Timer) {
		fired.inc()
		assert.NoError(t, tm.Close(nil))
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, fired.n)
	assert.Equal(t, time.Duration(0), l.IdleTime())
}

// poll_close_doesnt_corrupt_stack (test-poll-close-doesnt-corrupt-stack.c)
// is about Windows' AFD polling writing into a freed stack; the Go
// equivalent: a poll handle on a connecting socket, closed, the socket
// closed right after, gets its close callback once and no poll callback.
func TestPollCloseDoesntCorruptStack(t *testing.T) {
	l := newLoop(t)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	err = syscall.Connect(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: int(unusedTCPPort(t))})
	require.True(t, err == nil || errors.Is(err, syscall.EINPROGRESS) || errors.Is(err, syscall.ECONNREFUSED), "%v", err)
	p, err := NewSocketPoll(l, fd)
	require.NoError(t, err)
	var polls, closes counter
	require.NoError(t, p.Start(PollReadable|PollWritable, func(PollEvent, error) { polls.inc() }))
	require.NoError(t, p.Close(closes.inc))
	require.NoError(t, syscall.Close(fd))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, closes.n)
	assert.Zero(t, polls.n)
}

// unusedTCPPort returns a loopback port nothing listens on (bound, then
// released).
func unusedTCPPort(t *testing.T) uint16 {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	defer syscall.Close(fd)
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	return uint16(sa.(*syscall.SockaddrInet4).Port)
}

// req_type_name (test-getters-setters.c): libuv's names of request types;
// no name for UV_UNKNOWN_REQ or past the last type. handle_type_name's
// UV_FILE is "file" (GuessHandle returns it).
func TestReqTypeName(t *testing.T) {
	assert.Equal(t, "req", ReqReq.String())
	assert.Equal(t, "udp_send", ReqUDPSend.String())
	assert.Equal(t, "work", ReqWork.String())
	assert.Equal(t, "fs", ReqFS.String())
	assert.Equal(t, "random", ReqRandom.String())
	assert.Equal(t, "ReqType(0)", ReqUnknown.String())
	assert.Equal(t, "ReqType(11)", (ReqRandom + 1).String())
	assert.Equal(t, "ReqType(-1)", ReqType(-1).String())
	assert.Equal(t, "file", TypeFile.String())
	assert.Equal(t, "pipe", TypeNamedPipe.String())
	assert.Equal(t, "udp", TypeUDP.String())
	assert.Equal(t, "HandleType(0)", TypeUnknown.String())
}

// sys_error (test-error.c): system errnos become the Errno of the same
// name; libuv's own codes and 0 pass through.
func TestSysError(t *testing.T) {
	assert.Equal(t, EPERM, TranslateSysError(int(syscall.EPERM)))
	assert.Equal(t, EPIPE, TranslateSysError(int(syscall.EPIPE)))
	assert.Equal(t, EINVAL, TranslateSysError(int(syscall.EINVAL)))
	assert.Equal(t, EINVAL, TranslateSysError(int(EINVAL)))
	assert.Equal(t, ERANGE, TranslateSysError(int(ERANGE)))
	assert.Equal(t, EACCES, TranslateSysError(int(EACCES)))
	assert.Equal(t, Errno(0), TranslateSysError(0))
	assert.ErrorIs(t, TranslateSysError(int(syscall.ECONNRESET)), syscall.ECONNRESET)
	assert.Equal(t, UNKNOWN, TranslateSysError(1<<40))
}

// udp_alloc_cb_fail (test-udp-alloc-cb-fail.c): alloc_cb is the binding's,
// in C, lending the loop's buffer to every handle of the loop; the test
// hook that makes it lend nothing stands in for a failing alloc_cb, set
// once the server has read PING. The client's receive of PONG then fails
// with ENOBUFS, and the handles close.
func TestUDPAllocCbFail(t *testing.T) {
	l := newLoop(t)
	srv, err := NewUDP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	addr, err := srv.LocalAddr()
	require.NoError(t, err)
	cl, err := NewUDP(l)
	require.NoError(t, err)

	var svRecv, svSend, clSend, clRecv, closes counter
	var clErr error
	require.NoError(t, srv.RecvStart(func(p []byte, from netip.AddrPort, flags UDPFlags, err error) {
		if err != nil || len(p) == 0 {
			assert.NoError(t, err)
			return
		}
		assert.Equal(t, "PING", string(p))
		svRecv.inc()
		assert.NoError(t, srv.RecvStop())
		assert.NoError(t, srv.Send([]byte("PONG"), from, func(err error) {
			assert.NoError(t, err)
			svSend.inc()
			assert.NoError(t, srv.Close(closes.inc))
			// From here on alloc fails: the read buffer is the loop's,
			// and the server has read what it reads.
			l.setReadBufferCap(0)
		}))
	}))
	require.NoError(t, cl.Send([]byte("PING"), addr, func(err error) {
		assert.NoError(t, err)
		clSend.inc()
		assert.NoError(t, cl.RecvStart(func(p []byte, _ netip.AddrPort, flags UDPFlags, err error) {
			clRecv.inc()
			clErr = err
			assert.Zero(t, flags)
			assert.Nil(t, p)
			assert.NoError(t, cl.Close(closes.inc))
		}))
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, svRecv.n)
	assert.Equal(t, 1, svSend.n)
	assert.Equal(t, 1, clSend.n)
	assert.Equal(t, 1, clRecv.n)
	assert.Equal(t, 2, closes.n)
	assert.Equal(t, ENOBUFS, clErr)
}

// tty_raw (test-tty.c, a Windows console test): on a pty's slave, GuessHandle
// says TTY; in raw mode a byte written to the master is read at once,
// without waiting for a newline, and not echoed.
func TestTTYRaw(t *testing.T) {
	l := newLoop(t)
	master, _, slave := openPTY(t, syscall.O_RDWR)
	closeFd(t, master)
	closeFd(t, slave)
	assert.Equal(t, TypeTTY, GuessHandle(slave))
	tty, err := NewTTY(l, slave, true)
	require.NoError(t, err)
	assert.True(t, tty.IsReadable())
	require.NoError(t, tty.SetMode(TTYModeRaw))
	var got []byte
	require.NoError(t, tty.ReadStart(func(p []byte, err error) {
		assert.NoError(t, err)
		got = append(got, p...)
		assert.NoError(t, tty.SetMode(TTYModeNormal))
		assert.NoError(t, tty.Close(nil))
	}))
	_, err = syscall.Write(master, []byte(" "))
	require.NoError(t, err)
	runLoop(t, l, RunDefault)
	assert.Equal(t, " ", string(got))

	// Nothing echoed back: the master has nothing to read.
	require.NoError(t, syscall.SetNonblock(master, true))
	_, err = syscall.Read(master, make([]byte, 8))
	assert.ErrorIs(t, err, syscall.EAGAIN)
}

// getters_setters (test-getters-setters.c): the Go getters of loops,
// handles, streams and requests. libuv's data fields belong to the binding
// (they hold IDs), so there is no Set/GetData: a Go program keeps its data
// in its own values. A pipe's type, loop and write queue; an fs request's
// type and result.
func TestGettersSetters(t *testing.T) {
	l := newLoop(t)
	assert.NotNil(t, l.Raw())
	p, err := NewPipe(l, false)
	require.NoError(t, err)
	assert.Equal(t, TypeNamedPipe, p.Type())
	assert.Same(t, l, p.Loop())
	assert.Zero(t, p.WriteQueueSize())
	require.NoError(t, p.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))

	var st Stat
	var stErr error
	_, r, err := FSStat(l, ".", func(s Stat, err error) { st, stErr = s, err })
	require.NoError(t, err)
	require.NotNil(t, r)
	_, r2, _ := FSStat(l, ".", nil)
	assert.Nil(t, r2, "synchronous calls give no request")
	assert.Equal(t, ReqFS, r.Type())
	assert.Equal(t, "fs", r.Type().String())
	assert.False(t, runLoop(t, l, RunDefault))
	require.NoError(t, stErr)
	fi, err := os.Stat(".")
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	assert.Equal(t, uint64(fi.Sys().(*syscall.Stat_t).Ino), st.Ino)
	var nilReq *Req
	assert.Equal(t, ReqUnknown, nilReq.Type())
}

// GuessHandle on what a program's fds can be: files, pipes, sockets, a
// tty, a bad fd.
func TestGuessHandle(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "guess")
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, TypeFile, GuessHandle(int(f.Fd())))
	null, err := os.Open("/dev/null")
	require.NoError(t, err)
	defer null.Close()
	assert.Equal(t, TypeFile, GuessHandle(int(null.Fd())), "character devices are files")

	var fds [2]int
	require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
	closeFd(t, fds[0])
	closeFd(t, fds[1])
	assert.Equal(t, TypeNamedPipe, GuessHandle(fds[0]))

	for _, c := range []struct {
		domain, typ int
		want        HandleType
	}{
		{syscall.AF_INET, syscall.SOCK_STREAM, TypeTCP},
		{syscall.AF_INET6, syscall.SOCK_STREAM, TypeTCP},
		{syscall.AF_INET, syscall.SOCK_DGRAM, TypeUDP},
		{syscall.AF_UNIX, syscall.SOCK_STREAM, TypeNamedPipe},
	} {
		fd, err := syscall.Socket(c.domain, c.typ|syscall.SOCK_CLOEXEC, 0)
		if c.domain == syscall.AF_INET6 && err != nil {
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, c.want, GuessHandle(fd), "%+v", c)
		syscall.Close(fd)
	}
	master, _, slave := openPTY(t, syscall.O_RDWR)
	closeFd(t, master)
	closeFd(t, slave)
	assert.Equal(t, TypeTTY, GuessHandle(slave))
	assert.Equal(t, TypeUnknown, GuessHandle(-1))
	assert.Equal(t, TypeUnknown, GuessHandle(1<<40))
	assert.Equal(t, TypeUnknown, GuessHandle(99999))
}

// PrintAllHandles and PrintActiveHandles write libuv's listing to a file,
// the binding's own handles included (the Post async, the yield prepare,
// the timer queue's timer): a stopped Prepare is in the first only; a
// started Timer shows as the loop's active timer, its own uv_timer_t
// stays inactive. A nil file is EINVAL, a closed loop ErrLoopClosed.
func TestPrintHandles(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Hour, 0, func(*Timer) {}))
	p, err := NewPrepare(l)
	require.NoError(t, err)

	read := func(print func(*os.File) error) string {
		f, err := os.CreateTemp(t.TempDir(), "handles")
		require.NoError(t, err)
		defer f.Close()
		require.NoError(t, print(f))
		b, err := os.ReadFile(f.Name())
		require.NoError(t, err)
		return string(b)
	}
	all := read(l.PrintAllHandles)
	active := read(l.PrintActiveHandles)
	t.Logf("all:\n%sactive:\n%s", all, active)
	assert.Contains(t, all, "[R--] prepare", "the stopped Prepare is listed")
	assert.NotContains(t, active, "[R--] prepare")
	assert.Contains(t, active, "[RA-] timer", "the loop's timer, armed by the Timer")
	assert.Contains(t, all, "[R--] timer", "the Timer's own handle: its schedule is the binding's")
	assert.Contains(t, all, "[-A-] async", "the binding's Post handle")
	assert.ErrorIs(t, l.PrintAllHandles(nil), EINVAL)
	closed, err := os.Open(os.DevNull)
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	assert.Error(t, l.PrintAllHandles(closed))
	require.NoError(t, tm.Close(nil))
	require.NoError(t, p.Close(nil))
	closeLoop(t, l)
	assert.ErrorIs(t, l.PrintAllHandles(os.Stderr), ErrLoopClosed)
}
