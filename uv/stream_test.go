package uv

// Tests of the stream layer (stream.go) that hold for every stream type,
// run over TCP; tcp_test.go ports libuv's TCP and stream tests (rows 39-49
// of LIBUV_TESTS.md), pipe_test.go shows the same layer over unix sockets.
// The helpers at the top are shared by the three files.

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopback4 is where test servers bind: a free port on 127.0.0.1.
var loopback4 = netip.MustParseAddrPort("127.0.0.1:0")

// listenTCP binds a TCP server to 127.0.0.1:0 and listens; cb runs for
// every incoming connection. It returns the server and its address.
func listenTCP(t testing.TB, l *Loop, cb func(srv *TCP, err error)) (*TCP, netip.AddrPort) {
	t.Helper()
	return listenTCPOn(t, l, loopback4, cb)
}

// listenTCPOn is listenTCP on bind (loopback4 or loopback6).
func listenTCPOn(t testing.TB, l *Loop, bind netip.AddrPort, cb func(srv *TCP, err error)) (*TCP, netip.AddrPort) {
	t.Helper()
	srv, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(bind, 0))
	require.NoError(t, srv.Listen(128, func(err error) { cb(srv, err) }))
	addr, err := srv.LocalAddr()
	require.NoError(t, err)
	require.NotZero(t, addr.Port())
	return srv, addr
}

// acceptTCP accepts srv's pending connection into a new handle, for use in
// a connection callback: a failure is recorded (assert) and gives nil.
func acceptTCP(t testing.TB, srv *TCP) *TCP {
	c, err := NewTCP(srv.Loop())
	if !assert.NoError(t, err) {
		return nil
	}
	if !assert.NoError(t, srv.Accept(c)) {
		c.Close(nil)
		return nil
	}
	return c
}

// dialTCP connects a new handle to addr; cb gets it with the connect
// status.
func dialTCP(t testing.TB, l *Loop, addr netip.AddrPort, cb func(c *TCP, err error)) *TCP {
	t.Helper()
	c, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, c.Connect(addr, func(err error) { cb(c, err) }))
	return c
}

// tcpPair connects a client to a fresh server on 127.0.0.1:0 and calls
// ready with both ends, from the later of the connect and the connection
// callbacks. The listening handle is closed once it has accepted.
func tcpPair(t testing.TB, l *Loop, ready func(client, server *TCP)) {
	t.Helper()
	var client, server *TCP
	connected := false
	fire := func() {
		if connected && server != nil {
			ready(client, server)
		}
	}
	_, addr := listenTCP(t, l, func(srv *TCP, err error) {
		if !assert.NoError(t, err) {
			return
		}
		server = acceptTCP(t, srv)
		srv.Close(nil)
		fire()
	})
	client = dialTCP(t, l, addr, func(_ *TCP, err error) {
		if !assert.NoError(t, err) {
			return
		}
		connected = true
		fire()
	})
}

// echoStats is what an echo server saw.
type echoStats struct {
	accepted int     // connections
	eofs     int     // connections that ended with EOF
	closed   int     // connections whose close callback ran
	errs     []error // read errors other than EOF, write and shutdown errors
}

// serveEcho is libuv's echo server (test/echo-server.c) for one connection:
// it writes back what it reads; at EOF it shuts down its side and closes
// the connection when that is done; on an error it closes at once.
func serveEcho(t testing.TB, s Stream, st *echoStats) {
	closed := func() { st.closed++ }
	fail := func(err error) {
		st.errs = append(st.errs, err)
		s.Close(closed)
	}
	assert.NoError(t, s.ReadStart(func(p []byte, err error) {
		switch {
		case err == nil:
			if err := s.Write(p, nil); err != nil {
				fail(err)
			}
		case errors.Is(err, io.EOF):
			st.eofs++
			if err := s.Shutdown(func(error) { s.Close(closed) }); err != nil {
				fail(err)
			}
		default:
			fail(err)
		}
	}))
}

// echoServer is a TCP echo server on 127.0.0.1:0 of the test's loop.
type echoServer struct {
	srv  *TCP
	addr netip.AddrPort
	echoStats
}

func startEchoServer(t testing.TB, l *Loop) *echoServer {
	t.Helper()
	return startEchoServerOn(t, l, loopback4)
}

// startEchoServerOn is startEchoServer on bind (loopback4 or loopback6).
func startEchoServerOn(t testing.TB, l *Loop, bind netip.AddrPort) *echoServer {
	t.Helper()
	e := &echoServer{}
	e.srv, e.addr = listenTCPOn(t, l, bind, func(srv *TCP, err error) {
		if !assert.NoError(t, err) {
			return
		}
		if c := acceptTCP(t, srv); c != nil {
			e.accepted++
			serveEcho(t, c, &e.echoStats)
		}
	})
	return e
}

// unresponsiveAddr returns an address where a TCP connect stays pending: a
// socket listening with backlog 0 whose accept queue is full (one
// connection, never accepted), so that Linux drops further SYNs. Both
// sockets are closed when the test ends.
func unresponsiveAddr(t testing.TB) netip.AddrPort {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*syscall.SockaddrInet4).Port))
	filler, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	t.Cleanup(func() { filler.Close() })
	return addr
}

// refusingAddr returns an address where a TCP connect is refused: a port
// held by a bound socket that does not listen (so no other test takes it).
func refusingAddr(t testing.TB, l *Loop) netip.AddrPort {
	t.Helper()
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Bind(loopback4, 0))
	addr, err := h.LocalAddr()
	require.NoError(t, err)
	return addr
}

// fillUntilQueued writes chunks of size n to s, with cb, until a write
// stays queued (the peer does not read), then extra more. It returns how
// many writes it issued.
func fillUntilQueued(t testing.TB, s Stream, n, extra int, cb func(i int, err error)) int {
	buf := bytes.Repeat([]byte{'x'}, n)
	writes := 0
	write := func() bool {
		i := writes
		writes++
		return assert.NoError(t, s.Write(buf, func(err error) { cb(i, err) }))
	}
	for s.WriteQueueSize() == 0 && writes < 1<<16 {
		if !write() {
			return writes
		}
	}
	assert.NotZero(t, s.WriteQueueSize(), "no write was queued after %d writes", writes)
	for range extra {
		if !write() {
			break
		}
	}
	return writes
}

// isAny reports whether err matches one of targets.
func isAny(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// TestStreamCloseInReadCallback closes a stream from its own read callback
// while more data waits: no read callback follows, the close callback runs
// once, and the stream's methods then say it is closing.
func TestStreamCloseInReadCallback(t *testing.T) {
	l := newLoop(t)
	var reads, closes counter
	var inCb struct {
		closing  bool
		readErr  error
		writeErr error
	}
	tcpPair(t, l, func(client, server *TCP) {
		// More than one read's worth: the per-loop buffer is 64 KiB.
		assert.NoError(t, server.Write(make([]byte, 1<<20), nil))
		assert.NoError(t, client.ReadStart(func(p []byte, err error) {
			reads.inc()
			assert.NoError(t, err)
			assert.NoError(t, client.Close(closes.inc))
			inCb.closing = client.IsClosing()
			inCb.readErr = client.ReadStart(func([]byte, error) { reads.inc() })
			inCb.writeErr = client.Write([]byte("x"), nil)
			server.Close(nil)
		}))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, reads.n, "read callbacks")
	assert.Equal(t, 1, closes.n, "close callbacks")
	assert.True(t, inCb.closing)
	// ReadStart on a closing stream is EINVAL (startable); a write reaches
	// libuv, which has no socket left: EBADF.
	assert.ErrorIs(t, inCb.readErr, syscall.EINVAL)
	assert.ErrorIs(t, inCb.writeErr, syscall.EBADF)
}

// TestStreamPeerResetWithQueuedWrites resets the connection from the peer
// while the client has writes queued: every write callback runs exactly
// once, with nil (written at once), the reset (ECONNRESET or EPIPE) or
// ECANCELED (still queued when the client closed); the read side sees
// ECONNRESET.
func TestStreamPeerResetWithQueuedWrites(t *testing.T) {
	l := newLoop(t)
	var results []error
	calls := map[int]int{}
	var readErr error
	var issued int
	tcpPair(t, l, func(client, server *TCP) {
		assert.NoError(t, client.ReadStart(func(p []byte, err error) {
			if err != nil {
				readErr = err
				client.Close(nil)
			}
		}))
		issued = fillUntilQueued(t, client, 256<<10, 8, func(i int, err error) {
			calls[i]++
			results = append(results, err)
		})
		// The server never read: closing with unread data resets.
		assert.NoError(t, server.CloseReset(nil))
	})
	runLoop(t, l, RunDefault)
	require.NotZero(t, issued)
	assert.Len(t, results, issued, "write callbacks")
	for i := range issued {
		assert.Equal(t, 1, calls[i], "callbacks of write %d", i)
	}
	var failed int
	for _, err := range results {
		if err != nil {
			failed++
			assert.True(t, isAny(err, syscall.ECONNRESET, syscall.EPIPE, syscall.ECANCELED), "write error %v", err)
		}
	}
	assert.NotZero(t, failed, "no queued write failed")
	assert.ErrorIs(t, readErr, syscall.ECONNRESET)
}

// TestStreamCallbackPanicWithConnectionOpen panics in a stream callback
// while connections are open: Run re-panics with the *CallbackPanic, and
// the test's cleanup (closeLoop) still closes every handle and request
// and the loop.
func TestStreamCallbackPanicWithConnectionOpen(t *testing.T) {
	run := func(t *testing.T, l *Loop) *CallbackPanic {
		t.Helper()
		v := catchPanic(func() { runLoop(t, l, RunDefault) })
		require.NotNil(t, v, "Run returned without panicking")
		p, ok := v.(*CallbackPanic)
		require.True(t, ok, "Run panicked with %T %v", v, v)
		return p
	}
	t.Run("Read", func(t *testing.T) {
		l := newLoop(t)
		tcpPair(t, l, func(client, server *TCP) {
			assert.NoError(t, server.Write([]byte("boom"), nil))
			assert.NoError(t, client.ReadStart(func(p []byte, err error) { panic("read: " + string(p)) }))
		})
		p := run(t, l)
		assert.Equal(t, "read: boom", p.Value)
		assert.Equal(t, 2, l.Stats().Handles, "both ends stay open")
	})
	t.Run("Connect", func(t *testing.T) {
		l := newLoop(t)
		_, addr := listenTCP(t, l, func(srv *TCP, err error) { acceptTCP(t, srv) })
		dialTCP(t, l, addr, func(*TCP, error) { panic("connect") })
		p := run(t, l)
		assert.Equal(t, "connect", p.Value)
	})
	t.Run("DeferredWrite", func(t *testing.T) {
		// The callback of a write that uv_try_write finished runs from the
		// loop's deferred queue; a panic there leaves the rest of the
		// queue for the next Run.
		l := newLoop(t)
		var after counter
		tcpPair(t, l, func(client, server *TCP) {
			assert.NoError(t, client.Write([]byte("a"), func(error) { panic("write") }))
			assert.NoError(t, client.Write([]byte("b"), func(error) { after.inc() }))
		})
		p := run(t, l)
		assert.Equal(t, "write", p.Value)
		assert.Zero(t, after.n)
		runLoop(t, l, RunNoWait)
		assert.Equal(t, 1, after.n, "the next write callback runs on the next Run")
	})
	t.Run("Close", func(t *testing.T) {
		l := newLoop(t)
		tcpPair(t, l, func(client, server *TCP) {
			client.Close(func() { panic("close") })
		})
		p := run(t, l)
		assert.Equal(t, "close", p.Value)
		assert.Equal(t, 1, l.Stats().Handles, "the client left the table before its callback")
	})
}

// TestStreamClosedErrors: every method of a closed stream returns
// ErrClosed (matching net.ErrClosed); of a closing one, what libuv or
// startable says.
func TestStreamClosedErrors(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	other, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Bind(loopback4, 0))
	require.NoError(t, h.Close(nil))

	// Closing: starting anything is EINVAL.
	assert.ErrorIs(t, h.ReadStart(func([]byte, error) {}), syscall.EINVAL)
	assert.ErrorIs(t, h.Listen(1, func(error) {}), syscall.EINVAL)
	assert.ErrorIs(t, h.Connect(loopback4, func(error) {}), syscall.EINVAL)
	assert.ErrorIs(t, h.Accept(other), syscall.EINVAL)
	assert.ErrorIs(t, other.Accept(h), syscall.EINVAL)
	assert.ErrorIs(t, h.Close(nil), ErrClosed)
	assert.ErrorIs(t, h.CloseReset(nil), ErrClosed)
	assert.True(t, h.IsClosing())
	assert.False(t, h.IsReadable())
	assert.False(t, h.IsWritable())
	doClose(t, other)

	// Closed.
	assert.ErrorIs(t, h.ReadStart(func([]byte, error) {}), ErrClosed)
	assert.ErrorIs(t, h.ReadStart(func([]byte, error) {}), net.ErrClosed)
	assert.ErrorIs(t, h.ReadStop(), ErrClosed)
	assert.ErrorIs(t, h.Write([]byte("x"), func(error) {}), ErrClosed)
	assert.ErrorIs(t, h.WriteV([][]byte{[]byte("x")}, nil), ErrClosed)
	n, err := h.TryWrite([]byte("x"))
	assert.Zero(t, n)
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, h.Shutdown(nil), ErrClosed)
	assert.ErrorIs(t, h.Listen(1, func(error) {}), ErrClosed)
	assert.ErrorIs(t, h.Connect(loopback4, nil), ErrClosed)
	assert.ErrorIs(t, h.Bind(loopback4, 0), ErrClosed)
	assert.ErrorIs(t, h.Open(0), ErrClosed)
	assert.ErrorIs(t, h.SetNoDelay(true), ErrClosed)
	assert.ErrorIs(t, h.SetKeepAlive(true, time.Second), ErrClosed)
	_, err = h.LocalAddr()
	assert.ErrorIs(t, err, ErrClosed)
	_, err = h.RemoteAddr()
	assert.ErrorIs(t, err, ErrClosed)
	assert.False(t, h.IsReadable())
	assert.False(t, h.IsWritable())
	assert.Zero(t, h.WriteQueueSize())
	assert.Zero(t, l.Stats().Requests, "no request left by the failed calls")
}

// TestStreamWriteAfterShutdown: once Shutdown is called the stream is not
// writable and Write fails at once with EPIPE, as TryWrite does.
func TestStreamWriteAfterShutdown(t *testing.T) {
	l := newLoop(t)
	var shutdowns counter
	var writeErr, writeVErr, tryErr error
	var writable bool
	tcpPair(t, l, func(client, server *TCP) {
		assert.NoError(t, client.Shutdown(func(err error) {
			assert.NoError(t, err)
			shutdowns.inc()
			client.Close(nil)
			server.Close(nil)
		}))
		writable = client.IsWritable()
		writeErr = client.Write([]byte("late"), func(error) { t.Error("write callback of a failed write") })
		writeVErr = client.WriteV([][]byte{[]byte("late")}, nil)
		_, tryErr = client.TryWrite([]byte("late"))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, shutdowns.n)
	assert.False(t, writable)
	for _, err := range []error{writeErr, writeVErr, tryErr} {
		assert.ErrorIs(t, err, syscall.EPIPE)
		var e *Error
		if assert.ErrorAs(t, err, &e) {
			assert.Equal(t, EPIPE, e.Code)
		}
	}
}

// TestStreamCloseCancelsQueuedWrites closes a stream with queued writes and
// a pending shutdown: each write callback runs once, before the close
// callback, with nil for the writes the kernel took and ECANCELED for the
// queued ones; the shutdown gets ECANCELED.
func TestStreamCloseCancelsQueuedWrites(t *testing.T) {
	l := newLoop(t)
	var results []error
	var shutdownErr error
	var issued, closedAt int
	closedAt = -1
	tcpPair(t, l, func(client, server *TCP) {
		issued = fillUntilQueued(t, client, 64<<10, 16, func(i int, err error) {
			results = append(results, err)
		})
		assert.NoError(t, client.Shutdown(func(err error) { shutdownErr = err }))
		assert.NoError(t, client.Close(func() { closedAt = len(results) }))
		server.Close(nil)
	})
	runLoop(t, l, RunDefault)
	require.Len(t, results, issued)
	var cancelled int
	for _, err := range results {
		if err != nil {
			assert.ErrorIs(t, err, syscall.ECANCELED)
			assert.ErrorIs(t, err, ECANCELED)
			cancelled++
		}
	}
	assert.NotZero(t, cancelled, "no queued write was cancelled")
	assert.ErrorIs(t, shutdownErr, syscall.ECANCELED)
	// The queued writes are reported before the close callback; the writes
	// that went out at once are not (see TestStreamCallbackOrder).
	assert.GreaterOrEqual(t, closedAt, cancelled)
}

// TestStreamCloseCancelsConnect closes a handle whose connect is pending:
// the connect callback runs once, with ECANCELED, before the close
// callback.
func TestStreamCloseCancelsConnect(t *testing.T) {
	l := newLoop(t)
	var order []string
	var connectErr error
	c := dialTCP(t, l, unresponsiveAddr(t), func(_ *TCP, err error) {
		order = append(order, "connect")
		connectErr = err
	})
	assert.True(t, l.Alive(), "the connect request keeps the loop alive")
	require.NoError(t, c.Close(func() { order = append(order, "close") }))
	assert.Empty(t, order, "callbacks ran inside Close")
	runLoop(t, l, RunDefault)
	assert.Equal(t, []string{"connect", "close"}, order)
	assert.ErrorIs(t, connectErr, syscall.ECANCELED)
}

// TestStreamWriteCopiesRemainder: Write copies what the socket did not take,
// so the caller may reuse its slice as soon as Write returns (gouv's
// contract; libuv's uv_write needs the buffer until the callback).
func TestStreamWriteCopiesRemainder(t *testing.T) {
	l := newLoop(t)
	const size = 8 << 20
	want := make([]byte, size)
	for i := range want {
		want[i] = byte(i * 7)
	}
	var got []byte
	var queued bool
	tcpPair(t, l, func(client, server *TCP) {
		buf := bytes.Clone(want)
		assert.NoError(t, client.Write(buf, nil))
		queued = client.WriteQueueSize() > 0
		clear(buf) // the queued part must not see this
		vbuf := [][]byte{bytes.Clone(want[:size/2]), bytes.Clone(want[size/2:])}
		assert.NoError(t, client.WriteV(vbuf, nil))
		clear(vbuf[0])
		clear(vbuf[1])
		assert.NoError(t, client.Shutdown(nil))
		assert.NoError(t, server.ReadStart(func(p []byte, err error) {
			if err != nil {
				assert.ErrorIs(t, err, io.EOF)
				server.Close(nil)
				client.Close(nil)
				return
			}
			got = append(got, p...)
		}))
	})
	runLoop(t, l, RunDefault)
	assert.True(t, queued, "8 MiB went out at once: the copy was not exercised")
	require.Len(t, got, 2*size)
	assert.True(t, bytes.Equal(want, got[:size]), "Write: the peer saw the cleared buffer")
	assert.True(t, bytes.Equal(want, got[size:]), "WriteV: the peer saw the cleared buffers")
}

// TestStreamWriteCallbackDeferred: the callback of a write that the socket
// took at once does not run inside Write but on the next loop iteration
// (gouv defers it; libuv's callback_stack rule).
func TestStreamWriteCallbackDeferred(t *testing.T) {
	l := newLoop(t)
	var ready bool
	var c, s *TCP
	tcpPair(t, l, func(client, server *TCP) {
		ready = true
		c, s = client, server
		l.Stop()
	})
	runLoop(t, l, RunDefault)
	require.True(t, ready)
	var written counter
	require.NoError(t, c.Write([]byte("now"), func(err error) {
		assert.NoError(t, err)
		written.inc()
	}))
	assert.Zero(t, c.WriteQueueSize(), "a 3-byte write went out at once")
	assert.Zero(t, written.n, "write callback ran inside Write")
	assert.True(t, l.Alive(), "the deferred callback keeps the loop alive")
	runLoop(t, l, RunNoWait)
	assert.Equal(t, 1, written.n)
	doClose(t, c)
	doClose(t, s)
}

// TestStreamReadStartTwice: ReadStart on a reading stream fails with
// EALREADY (libuv >= 1.38) and keeps the first callback; after ReadStop a
// new callback may be set.
func TestStreamReadStartTwice(t *testing.T) {
	l := newLoop(t)
	var got []string
	tcpPair(t, l, func(client, server *TCP) {
		first := func(p []byte, err error) {
			got = append(got, "first:"+string(p))
			assert.NoError(t, client.ReadStop())
			assert.NoError(t, client.ReadStop(), "ReadStop twice")
			assert.NoError(t, client.ReadStart(func(p []byte, err error) {
				if err != nil {
					client.Close(nil)
					return
				}
				got = append(got, "third:"+string(p))
			}))
			assert.NoError(t, server.Write([]byte("2"), nil))
			server.Close(nil)
		}
		assert.NoError(t, client.ReadStart(first))
		err := client.ReadStart(func([]byte, error) { got = append(got, "second") })
		assert.ErrorIs(t, err, syscall.EALREADY)
		assert.NoError(t, server.Write([]byte("1"), nil))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, []string{"first:1", "third:2"}, got)
}

// TestStreamMisuse: nil callbacks where libuv needs one, too many buffers,
// Accept without a pending connection or across loops.
func TestStreamMisuse(t *testing.T) {
	l := newLoop(t)
	srv, _ := listenTCP(t, l, func(*TCP, error) {})
	h, err := NewTCP(l)
	require.NoError(t, err)

	var e *Error
	err = h.ReadStart(nil)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)
	assert.Equal(t, "uv_read_start", e.Op)
	err = srv.Listen(1, nil)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)

	// Reading or writing a handle without a socket.
	assert.ErrorIs(t, h.ReadStart(func([]byte, error) {}), syscall.ENOTCONN)
	assert.ErrorIs(t, h.Write([]byte("x"), nil), syscall.EBADF)
	assert.ErrorIs(t, h.Shutdown(nil), syscall.ENOTCONN)
	// CloseReset needs a socket to set SO_LINGER on; the handle stays open.
	assert.ErrorIs(t, h.CloseReset(nil), syscall.EBADF)
	assert.False(t, h.IsClosing())

	err = h.WriteV(make([][]byte, 1025), func(error) {})
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)
	assert.Contains(t, e.Error(), "1024")

	assert.ErrorIs(t, srv.Accept(h), syscall.EAGAIN, "no pending connection")

	l2 := newLoop(t)
	h2, err := NewTCP(l2)
	require.NoError(t, err)
	err = srv.Accept(h2)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)
	assert.Contains(t, e.Detail, "another loop")

	p, err := NewPipe(l, false)
	require.NoError(t, err)
	err = srv.Accept(p)
	require.ErrorAs(t, err, &e, "a TCP connection accepted into a Pipe")
	assert.Equal(t, EINVAL, e.Code)
	assert.Contains(t, e.Detail, "pipe")
	assert.Zero(t, l.Stats().Requests)
}

// TestStreamReadBufferView: the read callback's slice is a view of the
// loop's buffer, the same memory for every read of every stream of the
// loop (stream.go's contract); copying it is the caller's job.
func TestStreamReadBufferView(t *testing.T) {
	l := newLoop(t)
	var bases []uintptr
	var got []byte
	tcpPair(t, l, func(client, server *TCP) {
		assert.NoError(t, client.ReadStart(func(p []byte, err error) {
			if err != nil {
				client.Close(nil)
				return
			}
			bases = append(bases, uintptr(unsafe.Pointer(unsafe.SliceData(p))))
			got = append(got, p...)
			if len(got) == 1 {
				assert.NoError(t, server.Write([]byte("b"), nil))
				server.Close(nil)
			}
		}))
		assert.NoError(t, server.Write([]byte("a"), nil))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, "ab", string(got))
	require.Len(t, bases, 2)
	assert.Equal(t, bases[0], bases[1])
}

// TestStreamReadableWritable follows uv_is_readable and uv_is_writable
// through a connection's life: both before shutdown, readable only after
// it, neither after a read error (libuv clears both) nor once closed.
func TestStreamReadableWritable(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	assert.False(t, h.IsReadable(), "no socket yet")
	assert.False(t, h.IsWritable(), "no socket yet")
	type state struct{ r, w bool }
	var connected, shut, afterReset state
	tcpPair(t, l, func(client, server *TCP) {
		connected = state{client.IsReadable(), client.IsWritable()}
		assert.NoError(t, client.Shutdown(func(error) {
			shut = state{client.IsReadable(), client.IsWritable()}
			assert.NoError(t, client.ReadStart(func(p []byte, err error) {
				if err != nil {
					afterReset = state{client.IsReadable(), client.IsWritable()}
					client.Close(nil)
				}
			}))
			assert.NoError(t, server.CloseReset(nil))
		}))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, state{true, true}, connected)
	assert.Equal(t, state{true, false}, shut)
	assert.Equal(t, state{false, false}, afterReset)
}

// TestStreamCallbackOrder pins libuv's order of write, shutdown and close
// callbacks: write callbacks in the order of the writes, all before the
// shutdown callback (which waits for the writes) and the close callback
// (libuv's tcp_close and tcp_close_reset_* tests assert "write callbacks
// should run before the close callback"; tcp_writealot, "we should have
// had all the writes called already" in the shutdown callback).
func TestStreamCallbackOrder(t *testing.T) {
	note := func(order *[]string, s string) func(error) {
		return func(err error) {
			assert.NoError(t, err)
			*order = append(*order, s)
		}
	}
	t.Run("Marker", func(t *testing.T) {
		l := newLoop(t)
		var order []string
		tcpPair(t, l, func(client, server *TCP) {
			assert.NoError(t, client.Write([]byte("a"), note(&order, "a")))
			assert.NoError(t, client.Write(nil, note(&order, "marker")))
			assert.NoError(t, client.Write([]byte("b"), note(&order, "b")))
			client.Close(func() { order = append(order, "close") })
			server.Close(nil)
		})
		runLoop(t, l, RunDefault)
		assert.Equal(t, []string{"a", "marker", "b", "close"}, order)
	})
	t.Run("Shutdown", func(t *testing.T) {
		l := newLoop(t)
		var order []string
		tcpPair(t, l, func(client, server *TCP) {
			assert.NoError(t, client.Write([]byte("a"), note(&order, "a")))
			assert.NoError(t, client.Shutdown(func(err error) {
				note(&order, "shutdown")(err)
				client.Close(nil)
				server.Close(nil)
			}))
		})
		runLoop(t, l, RunDefault)
		assert.Equal(t, []string{"a", "shutdown"}, order)
	})
	t.Run("CloseWithQueuedWrites", func(t *testing.T) {
		l := newLoop(t)
		var order []int
		var closedAt int
		var issued int
		tcpPair(t, l, func(client, server *TCP) {
			issued = fillUntilQueued(t, client, 64<<10, 4, func(i int, err error) { order = append(order, i) })
			client.Close(func() { closedAt = len(order) })
			server.Close(nil)
		})
		runLoop(t, l, RunDefault)
		assert.Equal(t, issued, closedAt, "write callbacks after the close callback")
		assert.IsIncreasing(t, order, "write callbacks out of order")
	})
}
