package uv

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tcpSocket returns a new non-blocking TCP socket, not owned by any handle.
func tcpSocket(t testing.TB) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	return fd
}

// retry calls f until it fails with something other than EINTR.
func retry(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// pollErrCode returns err's *Error code, or 0.
func pollErrCode(t testing.TB, err error, op string) Errno {
	t.Helper()
	var e *Error
	if !assert.ErrorAs(t, err, &e) {
		return 0
	}
	assert.Equal(t, op, e.Op)
	return e.Code
}

// pollTest is the shared state of poll_duplex and poll_unidirectional.
type pollTest struct {
	t        *testing.T
	l        *Loop
	rnd      *rand.Rand
	duplex   bool
	closed   int // connections whose two handles closed
	discon   int
	valid    int // writable wakeups that sent something
	spurious int // writable wakeups that got EAGAIN
	failures []string
}

func (st *pollTest) failf(format string, args ...any) {
	if len(st.failures) < 20 {
		st.failures = append(st.failures, fmt.Sprintf(format, args...))
	}
}

// pollConn is one end of a connection: libuv's connection_context_t.
type pollConn struct {
	st                             *pollTest
	fd                             int
	server                         bool
	poll                           *Poll
	timer                          *Timer
	read, sent                     int
	open                           int
	gotFin, sentFin, gotDisconnect bool
	events, delayed                PollEvent
}

const (
	pollClients  = 5
	pollTransfer = 1 << 16
	// libuv pauses 10 ms (reads) and 100 ms (writes); shorter pauses keep
	// the test fast and still leave the other connections running.
	pollReadPause  = 2 * time.Millisecond
	pollWritePause = 10 * time.Millisecond
)

// newConn sets up one end; the server calls it from a callback, so it
// records failures rather than stopping the test.
func (st *pollTest) newConn(fd int, server bool) {
	c := &pollConn{st: st, fd: fd, server: server}
	var err error
	if c.poll, err = NewSocketPoll(st.l, fd); err != nil {
		st.failf("NewSocketPoll: %v", err)
		return
	}
	if c.timer, err = NewTimer(st.l); err != nil {
		st.failf("NewTimer: %v", err)
		return
	}
	c.open = 2
	c.events = PollReadable | PollWritable | PollDisconnect
	if err := c.poll.Start(c.events, c.onPoll); err != nil {
		st.failf("Start: %v", err)
	}
}

func (c *pollConn) closed() {
	st := c.st
	if c.open--; c.open > 0 {
		return
	}
	wantRead, wantSent := pollTransfer, pollTransfer
	if !st.duplex {
		if c.server {
			wantSent = 0
		} else {
			wantRead = 0
		}
	}
	if c.read != wantRead || c.sent != wantSent {
		st.failf("server=%v read %d sent %d, want %d %d", c.server, c.read, c.sent, wantRead, wantSent)
	}
	st.closed++
}

func (c *pollConn) startPoll(events PollEvent) {
	if err := c.poll.Start(events, c.onPoll); err != nil {
		c.st.failf("Start(%v): %v", events, err)
	}
}

func (c *pollConn) pause(ev PollEvent, d time.Duration) {
	if !c.timer.IsActive() {
		c.delayed = ev
		if err := c.timer.Start(d, 0, c.resume); err != nil {
			c.st.failf("timer: %v", err)
		}
	} else {
		c.delayed |= ev
	}
}

// resume is libuv's delay_timer_cb: add back the paused events.
func (c *pollConn) resume(tm *Timer) {
	if tm.IsActive() {
		c.st.failf("one-shot timer still active")
	}
	if c.delayed == 0 {
		c.st.failf("timer with no paused events")
	}
	c.events |= c.delayed
	c.delayed = 0
	c.startPoll(c.events)
}

func (c *pollConn) onPoll(events PollEvent, err error) {
	st := c.st
	if err != nil {
		st.failf("poll callback error %v", err)
		return
	}
	if events&c.events == 0 || events&^c.events != 0 {
		st.failf("events %v while watching %v", events, c.events)
	}
	next := c.events
	if events&PollReadable != 0 {
		c.onReadable(&next)
	}
	if events&PollWritable != 0 {
		c.onWritable(&next)
	}
	if events&PollDisconnect != 0 {
		c.gotDisconnect = true
		st.discon++
		next &^= PollDisconnect
	}
	if c.gotFin && c.sentFin && c.gotDisconnect {
		// Both FINs seen: close the handles, then the socket.
		c.poll.Close(c.closed)
		c.timer.Close(c.closed)
		syscall.Close(c.fd)
		c.events = 0
	} else if next != c.events {
		c.events = next
		c.startPoll(next)
	}
	if active := c.poll.IsActive(); active != (c.events != 0) {
		st.failf("IsActive %v with events %v", active, c.events)
	}
}

func (c *pollConn) onReadable(next *PollEvent) {
	st := c.st
	switch st.rnd.IntN(7) {
	case 0, 1: // read a few bytes
		var buf [74]byte
		n, err := retry(func() (int, error) { return syscall.Read(c.fd, buf[:]) })
		if err != nil {
			st.failf("read: %v", err)
			return
		}
		if n > 0 {
			c.read += n
		} else {
			c.gotFin = true
			*next &^= PollReadable
		}
	case 2, 3: // read until EAGAIN
		var buf [931]byte
		for {
			n, err := retry(func() (int, error) { return syscall.Read(c.fd, buf[:]) })
			if err == syscall.EAGAIN {
				break
			}
			if err != nil {
				st.failf("read: %v", err)
				return
			}
			if n == 0 {
				c.gotFin = true
				*next &^= PollReadable
				break
			}
			c.read += n
		}
	case 4: // ignore the event
	case 5: // stop reading for a while
		*next &^= PollReadable
		c.pause(PollReadable, pollReadPause)
	case 6: // change the events twice while active
		c.startPoll(PollWritable)
		c.startPoll(PollReadable)
		c.events = PollReadable
	}
}

func (c *pollConn) onWritable(next *PollEvent) {
	st := c.st
	if c.sent >= pollTransfer || (!st.duplex && c.server) {
		// Nothing (more) to send: send the FIN.
		if err := syscall.Shutdown(c.fd, syscall.SHUT_WR); err != nil {
			st.failf("shutdown: %v", err)
		}
		c.sentFin = true
		*next &^= PollWritable
		return
	}
	send := func(size int) (int, error) {
		buf := make([]byte, min(size, pollTransfer-c.sent))
		return retry(func() (int, error) { return syscall.Write(c.fd, buf) })
	}
	switch st.rnd.IntN(7) {
	case 0, 1: // send a few bytes
		n, err := send(103)
		if err != nil {
			if err != syscall.EAGAIN {
				st.failf("write: %v", err)
			}
			st.spurious++
			return
		}
		c.sent += n
		st.valid++
	case 2, 3: // send until EAGAIN
		n, err := send(1234)
		if err != nil {
			if err != syscall.EAGAIN {
				st.failf("write: %v", err)
			}
			st.spurious++
			return
		}
		st.valid++
		c.sent += n
		for c.sent < pollTransfer {
			n, err := send(1234)
			if err == syscall.EAGAIN {
				break
			}
			if err != nil || n == 0 {
				st.failf("write: %d %v", n, err)
				return
			}
			c.sent += n
		}
	case 4: // ignore the event
	case 5: // stop writing for a while
		*next &^= PollWritable
		c.pause(PollWritable, pollWritePause)
	case 6: // change the events twice while active
		c.startPoll(PollReadable)
		c.startPoll(PollWritable)
		c.events = PollWritable
	}
}

// testPollTransfer is libuv's start_poll_test: a server socket and clients
// on raw non-blocking sockets, driven only by poll handles that change
// their events at random. Five connections of 64 KiB as in libuv, with
// shorter pauses.
func testPollTransfer(t *testing.T, duplex bool) {
	l := newLoop(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	st := &pollTest{t: t, l: l, duplex: duplex, rnd: rand.New(rand.NewPCG(seed, 0))}

	lfd := tcpSocket(t)
	require.NoError(t, syscall.SetsockoptInt(lfd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1))
	require.NoError(t, syscall.Bind(lfd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(lfd, 100))
	sa, err := syscall.Getsockname(lfd)
	require.NoError(t, err)
	srvAddr := sa.(*syscall.SockaddrInet4)

	srv, err := NewSocketPoll(l, lfd)
	require.NoError(t, err)
	accepted := 0
	require.NoError(t, srv.Start(PollReadable, func(ev PollEvent, err error) {
		if err != nil || ev != PollReadable {
			st.failf("server poll: %v %v", ev, err)
			return
		}
		fd, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err == syscall.EAGAIN {
			return
		}
		if err != nil {
			st.failf("accept: %v", err)
			return
		}
		st.newConn(fd, true)
		if accepted++; accepted == pollClients {
			srv.Close(func() { syscall.Close(lfd) })
		}
	}))

	for range pollClients {
		fd := tcpSocket(t)
		st.newConn(fd, false)
		err := syscall.Connect(fd, srvAddr)
		require.True(t, err == nil || err == syscall.EINPROGRESS, "connect: %v", err)
	}

	assert.False(t, runLoop(t, l, RunDefault))
	assert.Empty(t, st.failures)
	// At most one writable wakeup in 20 was spurious.
	if st.spurious != 0 {
		assert.Greater(t, (st.valid+st.spurious)/st.spurious, 20, "spurious %d valid %d", st.spurious, st.valid)
	}
	assert.Equal(t, 2*pollClients, st.closed)
	assert.Equal(t, 2*pollClients, st.discon)
}

// poll_duplex (test-poll.c): both ends send and receive.
func TestPollDuplex(t *testing.T) { testPollTransfer(t, true) }

// poll_unidirectional (test-poll.c): only the clients send.
func TestPollUnidirectional(t *testing.T) { testPollTransfer(t, false) }

// poll_close (test-poll-close.c): many active poll handles closed at once.
func TestPollClose(t *testing.T) {
	const n = 64
	l := newLoop(t)
	fds := make([]int, n)
	polls := make([]*Poll, n)
	for i := range n {
		fds[i] = tcpSocket(t)
		p, err := NewSocketPoll(l, fds[i])
		require.NoError(t, err)
		require.NoError(t, p.Start(PollReadable|PollWritable, func(PollEvent, error) {}))
		polls[i] = p
	}
	var closed counter
	for _, p := range polls {
		require.NoError(t, p.Close(closed.inc))
	}
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, n, closed.n)
	for _, fd := range fds {
		assert.NoError(t, syscall.Close(fd))
	}
}

// poll_bad_fdtype (test-poll.c): fds epoll cannot watch fail cleanly, and
// leave nothing allocated (newLoop's cleanup checks the tables). gouv adds
// the other bad fds: negative, closed, already watched, not a socket.
func TestPollBadFdtype(t *testing.T) {
	l := newLoop(t)

	dir, err := syscall.Open(".", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer syscall.Close(dir)
	p, err := NewPoll(l, dir)
	assert.Nil(t, p)
	assert.Equal(t, EPERM, pollErrCode(t, err, "uv_poll_init"), "a directory")

	name := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(name, []byte("x"), 0o600))
	file, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	defer syscall.Close(file)
	_, err = NewPoll(l, file)
	assert.Equal(t, EPERM, pollErrCode(t, err, "uv_poll_init"), "a regular file")
	// A failed init leaves the fd as it was (blocking).
	fl, err := unixFcntl(file, syscall.F_GETFL, 0)
	require.NoError(t, err)
	assert.Zero(t, fl&syscall.O_NONBLOCK)

	for _, fd := range []int{-1, -100, 1 << 40} {
		_, err = NewPoll(l, fd)
		assert.Equal(t, EBADF, pollErrCode(t, err, "uv_poll_init"), "fd %d", fd)
		_, err = NewSocketPoll(l, fd)
		assert.Equal(t, EBADF, pollErrCode(t, err, "uv_poll_init_socket"), "fd %d", fd)
	}

	closed := tcpSocket(t)
	require.NoError(t, syscall.Close(closed))
	_, err = NewPoll(l, closed)
	assert.Equal(t, EBADF, pollErrCode(t, err, "uv_poll_init"), "a closed fd")
	_, err = NewSocketPoll(l, closed)
	assert.Equal(t, EBADF, pollErrCode(t, err, "uv_poll_init_socket"), "a closed fd")
	assert.ErrorIs(t, err, syscall.EBADF)

	var pfd [2]int
	require.NoError(t, syscall.Pipe2(pfd[:], syscall.O_CLOEXEC))
	defer syscall.Close(pfd[0])
	defer syscall.Close(pfd[1])
	_, err = NewSocketPoll(l, pfd[0])
	assert.Equal(t, ENOTSOCK, pollErrCode(t, err, "uv_poll_init_socket"), "a pipe")
	pp, err := NewPoll(l, pfd[0])
	require.NoError(t, err, "a pipe is fine for NewPoll")

	// A second handle on a watched fd: init fails with EEXIST while the
	// first is active.
	require.NoError(t, pp.Start(PollReadable, func(PollEvent, error) {}))
	_, err = NewPoll(l, pfd[0])
	assert.Equal(t, EEXIST, pollErrCode(t, err, "uv_poll_init"))
	doClose(t, pp)

	// The loop's own epoll fd cannot watch itself.
	_, err = NewPoll(l, l.BackendFd())
	assert.Equal(t, EINVAL, pollErrCode(t, err, "uv_poll_init"), "the loop's epoll fd")

	assert.Zero(t, l.Stats().Handles)
}

// poll_nested_epoll (test-poll.c): an epoll fd can be polled.
func TestPollNestedEpoll(t *testing.T) {
	l := newLoop(t)
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	require.NoError(t, err)
	p, err := NewPoll(l, fd)
	require.NoError(t, err)
	var called counter
	require.NoError(t, p.Start(PollReadable, func(PollEvent, error) { called.inc() }))
	assert.True(t, runLoop(t, l, RunNoWait))
	require.NoError(t, p.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, called.n)
	assert.NoError(t, syscall.Close(fd))
}

// poll_multiple_handles (test-poll-multiple-handles.c): two handles on one
// fd, only one active at a time.
func TestPollMultipleHandles(t *testing.T) {
	l := newLoop(t)
	fd := tcpSocket(t)
	defer syscall.Close(fd)
	first, err := NewSocketPoll(l, fd)
	require.NoError(t, err)
	second, err := NewSocketPoll(l, fd)
	require.NoError(t, err)

	var events []PollEvent
	cb := func(ev PollEvent, err error) {
		assert.NoError(t, err)
		events = append(events, ev)
	}
	require.NoError(t, first.Start(PollReadable, cb))
	err = second.Start(PollReadable, cb)
	assert.Equal(t, EEXIST, pollErrCode(t, err, "uv_poll_start"), "another handle is active on the fd")
	assert.False(t, second.IsActive())

	require.NoError(t, first.Stop())
	require.NoError(t, second.Start(PollReadable, cb))

	var closed counter
	require.NoError(t, first.Close(closed.inc))
	second.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, closed.n)
	second.Ref()
	assert.True(t, second.IsActive())
	require.NoError(t, second.Close(closed.inc))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 2, closed.n)
	// An unconnected socket is readable at once on Linux: only that.
	for _, ev := range events {
		assert.Equal(t, PollReadable, ev)
	}
}

// poll_oob (test-poll-oob.c): TCP urgent data comes as PollPrioritized.
// The server sends "hello" with MSG_OOB (the last byte, 'o', is the urgent
// one) then "world"; the client gets 'o' out of band and "hellworld" in
// band, and sends "foo" back when writable. libuv's test sleeps in an idle
// callback for a second to let everything arrive; this one stops when it
// has.
func TestPollOOB(t *testing.T) {
	l := newLoop(t)
	cfd := tcpSocket(t)
	var (
		oob, inband, atServer []byte
		sentFoo               bool
		clientPoll, srvPoll   *Poll
		srv, peer             *TCP
		fails                 []string
	)
	failf := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }
	finish := func() {
		if len(oob) == 1 && len(inband) == len("hellworld") && len(atServer) == 3 {
			clientPoll.Stop()
			srvPoll.Stop()
			clientPoll.Close(nil)
			srvPoll.Close(nil)
			peer.Close(nil)
			srv.Close(nil)
		}
	}
	var clientCB func(ev PollEvent, err error)
	clientCB = func(ev PollEvent, err error) {
		if err != nil {
			failf("client poll: %v", err)
			return
		}
		var buf [16]byte
		if ev&PollPrioritized != 0 {
			n, _, err := syscall.Recvfrom(cfd, buf[:], syscall.MSG_OOB)
			if err == nil {
				oob = append(oob, buf[:n]...)
			} else if err != syscall.EAGAIN && err != syscall.EINVAL {
				failf("recv OOB: %v", err)
			}
			events := PollReadable
			if !sentFoo {
				events |= PollWritable
			}
			if err := clientPoll.Start(events, clientCB); err != nil {
				failf("Start: %v", err)
			}
		}
		if ev&PollReadable != 0 {
			n, err := retry(func() (int, error) { return syscall.Read(cfd, buf[:]) })
			if err == nil {
				inband = append(inband, buf[:n]...)
			} else if err != syscall.EAGAIN {
				failf("read: %v", err)
			}
		}
		if ev&PollWritable != 0 && !sentFoo {
			n, err := retry(func() (int, error) { return syscall.Write(cfd, []byte("foo")) })
			if n != 3 || err != nil {
				failf("write: %d %v", n, err)
			}
			sentFoo = true
			events := PollReadable
			if len(oob) == 0 {
				events |= PollPrioritized
			}
			if err := clientPoll.Start(events, clientCB); err != nil {
				failf("Start: %v", err)
			}
		}
		finish()
	}

	onConnection := func(srv *TCP, err error) {
		if !assert.NoError(t, err) {
			return
		}
		peer = acceptTCP(t, srv)
		if peer == nil {
			return
		}
		sfd, err := peer.Fd()
		if !assert.NoError(t, err) {
			return
		}
		clientPoll, err = NewSocketPoll(l, cfd)
		if !assert.NoError(t, err) {
			return
		}
		srvPoll, err = NewSocketPoll(l, sfd)
		if !assert.NoError(t, err) {
			return
		}
		assert.NoError(t, clientPoll.Start(PollPrioritized|PollReadable|PollWritable, clientCB))
		assert.NoError(t, srvPoll.Start(PollReadable, func(ev PollEvent, err error) {
			var buf [8]byte
			n, err := retry(func() (int, error) { return syscall.Read(sfd, buf[:]) })
			if err == nil {
				atServer = append(atServer, buf[:n]...)
			} else if err != syscall.EAGAIN {
				failf("server read: %v", err)
			}
			if len(atServer) >= 3 {
				srvPoll.Stop()
			}
			finish()
		}))
		assert.NoError(t, syscall.Sendto(sfd, []byte("hello"), syscall.MSG_OOB, nil))
		_, err = retry(func() (int, error) { return syscall.Write(sfd, []byte("world")) })
		assert.NoError(t, err)
	}
	var addr netip.AddrPort
	srv, addr = listenTCP(t, l, onConnection)
	err := syscall.Connect(cfd, &syscall.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()})
	require.True(t, err == nil || err == syscall.EINPROGRESS, "connect: %v", err)

	assert.False(t, runLoop(t, l, RunDefault))
	assert.Empty(t, fails)
	assert.Equal(t, "o", string(oob), "urgent byte")
	assert.Equal(t, "hellworld", string(inband))
	assert.Equal(t, "foo", string(atServer))
	assert.NoError(t, syscall.Close(cfd))
}

// closed_fd_events (test-spawn.c): once a poll handle is closed and its fd
// closed, no event for that fd reaches the loop, even though the pipe's
// file description stays open elsewhere (libuv shares it with a child
// process; a dup does the same here) and more data arrives. Closing the
// handle takes the fd out of epoll before the fd is closed.
func TestClosedFdEvents(t *testing.T) {
	l := newLoop(t)
	var pfd [2]int
	require.NoError(t, syscall.Pipe2(pfd[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK))
	rfd, wfd := pfd[0], pfd[1]
	held, err := syscall.Dup(rfd)
	require.NoError(t, err)
	defer syscall.Close(held)
	defer syscall.Close(wfd)

	p, err := NewPoll(l, rfd)
	require.NoError(t, err)
	var got []byte
	var calls counter
	require.NoError(t, p.Start(PollReadable, func(ev PollEvent, err error) {
		calls.inc()
		var buf [16]byte
		n, rerr := syscall.Read(rfd, buf[:])
		if assert.NoError(t, rerr) {
			got = append(got, buf[:n]...)
		}
	}))
	_, err = syscall.Write(wfd, []byte{'x'})
	require.NoError(t, err)
	runLoop(t, l, RunOnce)
	assert.Equal(t, "x", string(got), "read one byte")

	var closed counter
	require.NoError(t, p.Close(closed.inc))
	require.NoError(t, syscall.Close(rfd))
	_, err = syscall.Write(wfd, []byte{'y'})
	require.NoError(t, err)

	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, tm.Start(10*time.Millisecond, 0, func(*Timer) { fired.inc() }))
	// A leftover epoll registration would wake the loop over and over
	// before the timer is due.
	if runLoop(t, l, RunOnce) {
		runLoop(t, l, RunOnce)
	}
	assert.Equal(t, 1, fired.n)
	assert.Equal(t, 1, calls.n)
	assert.Equal(t, 1, closed.n)
}

// Starting an active handle changes its events and its callback; events 0
// stops it.
func TestPollStartChangesEvents(t *testing.T) {
	l := newLoop(t)
	fd := tcpSocket(t)
	defer syscall.Close(fd)
	p, err := NewSocketPoll(l, fd)
	require.NoError(t, err)
	var first, second []PollEvent
	require.NoError(t, p.Start(PollReadable, func(ev PollEvent, err error) {
		assert.NoError(t, err)
		first = append(first, ev)
		// An unconnected socket is readable and writable at once.
		assert.NoError(t, p.Start(PollWritable, func(ev PollEvent, err error) {
			assert.NoError(t, err)
			second = append(second, ev)
			assert.NoError(t, p.Start(0, func(PollEvent, error) {}))
			assert.False(t, p.IsActive(), "events 0 stops")
		}))
	}))
	assert.True(t, p.IsActive())
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, []PollEvent{PollReadable}, first)
	assert.Equal(t, []PollEvent{PollWritable}, second)
	doClose(t, p)
}

// Misuse: a nil callback, unknown events, a closing or closed handle, an fd
// closed under the handle; none reaches libuv's asserts.
func TestPollMisuse(t *testing.T) {
	l := newLoop(t)
	fd := tcpSocket(t)
	p, err := NewSocketPoll(l, fd)
	require.NoError(t, err)
	nop := func(PollEvent, error) {}
	assert.Equal(t, EINVAL, pollErrCode(t, p.Start(PollReadable, nil), "uv_poll_start"))
	assert.Equal(t, EINVAL, pollErrCode(t, p.Start(1<<10, nop), "uv_poll_start"))
	assert.False(t, p.IsActive())
	got, err := p.Fd()
	require.NoError(t, err)
	assert.Equal(t, fd, got)

	// The fd closed under a started handle: the next Start says EBADF
	// where libuv would abort; Stop and Close still work.
	require.NoError(t, p.Start(PollReadable, nop))
	require.NoError(t, syscall.Close(fd))
	assert.Equal(t, EBADF, pollErrCode(t, p.Start(PollWritable, nop), "uv_poll_start"))
	assert.NoError(t, p.Stop())

	require.NoError(t, p.Close(nil))
	assert.Equal(t, EINVAL, pollErrCode(t, p.Start(PollReadable, nop), "uv_poll_start"), "closing")
	assert.NoError(t, p.Stop(), "Stop on a closing handle")
	runLoop(t, l, RunDefault)

	assert.ErrorIs(t, p.Start(PollReadable, nop), ErrClosed)
	assert.ErrorIs(t, p.Stop(), ErrClosed)
	assert.ErrorIs(t, p.Close(nil), ErrClosed)
	assert.False(t, p.IsActive())
	_, err = p.Fd()
	assert.Error(t, err)
	assert.Equal(t, TypePoll, p.Type())
}

func panicPollCB(PollEvent, error) { panic("poll boom") }

// A panicking poll callback is contained: Run re-panics with it.
func TestPanicPoll(t *testing.T) {
	l := newLoop(t)
	fd := tcpSocket(t)
	defer syscall.Close(fd)
	p, err := NewSocketPoll(l, fd)
	require.NoError(t, err)
	require.NoError(t, p.Start(PollWritable, panicPollCB))
	checkPanic(t, runPanic(t, l, RunDefault), "poll boom", "panicPollCB")
	doClose(t, p)
}

func TestPollEventString(t *testing.T) {
	assert.Equal(t, "0", PollEvent(0).String())
	assert.Equal(t, "readable|writable", (PollReadable | PollWritable).String())
	assert.Equal(t, "disconnect|prioritized", (PollDisconnect | PollPrioritized).String())
	assert.Equal(t, "readable|PollEvent(0x100)", (PollReadable | 0x100).String())
}

// unixFcntl is fcntl(2).
func unixFcntl(fd, cmd, arg int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), uintptr(arg))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// Loop.Walk hands out the three watcher types as themselves, and newLoop's
// cleanup closes them through it (left open on purpose).
func TestWalkPollFSWatchers(t *testing.T) {
	var pfd [2]int
	require.NoError(t, syscall.Pipe2(pfd[:], syscall.O_CLOEXEC))
	t.Cleanup(func() { // after newLoop's cleanup has closed the handle
		syscall.Close(pfd[0])
		syscall.Close(pfd[1])
	})
	l := newLoop(t)
	dir := t.TempDir()
	p, err := NewPoll(l, pfd[0])
	require.NoError(t, err)
	require.NoError(t, p.Start(PollReadable, func(PollEvent, error) {}))
	e, err := NewFSEvent(l)
	require.NoError(t, err)
	require.NoError(t, e.Start(dir, 0, func(string, FSEventKind, error) {}))
	fp, err := NewFSPoll(l)
	require.NoError(t, err)
	require.NoError(t, fp.Start(dir, time.Second, func(prev, curr Stat, err error) {}))

	var seen []Handle
	l.Walk(func(h Handle) { seen = append(seen, h) })
	assert.ElementsMatch(t, []Handle{p, e, fp}, seen)
	assert.Equal(t, []HandleType{TypePoll, TypeFSEvent, TypeFSPoll}, []HandleType{p.Type(), e.Type(), fp.Type()})
	assert.Equal(t, "poll", TypePoll.String())
	assert.Equal(t, "fs_event", TypeFSEvent.String())
	assert.Equal(t, "fs_poll", TypeFSPoll.String())
}

// An fd in error (a pipe whose reader is gone: EPOLLERR) gives the
// callback EBADF and no events, and libuv stops the handle.
func TestPollError(t *testing.T) {
	var pfd [2]int
	require.NoError(t, syscall.Pipe2(pfd[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK))
	require.NoError(t, syscall.Close(pfd[0]))
	defer syscall.Close(pfd[1])
	l := newLoop(t)
	p, err := NewPoll(l, pfd[1])
	require.NoError(t, err)
	var events []PollEvent
	var errs []error
	var active []bool
	require.NoError(t, p.Start(PollWritable, func(ev PollEvent, err error) {
		events = append(events, ev)
		errs = append(errs, err)
		active = append(active, p.IsActive())
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, []PollEvent{0}, events)
	if assert.Len(t, errs, 1) {
		assert.ErrorIs(t, errs[0], EBADF)
	}
	assert.Equal(t, []bool{false}, active)
	doClose(t, p)
}
