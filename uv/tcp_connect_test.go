package uv

// libuv's tests of TCP connects, closes and resets, urgent data, failed
// writes, IPv6 ping-pong, addresses and socket buffer sizes (row 65 of
// LIBUV_TESTS.md), each under its libuv name. libuv's connect timeouts
// connect to an address off this machine; these find the same states on
// loopback (see TestTCPConnectTimeout).

import (
	"io"
	"net/netip"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refusingAddr6 is refusingAddr on ::1.
func refusingAddr6(t testing.TB, l *Loop) netip.AddrPort {
	t.Helper()
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Bind(loopback6, 0))
	addr, err := h.LocalAddr()
	require.NoError(t, err)
	return addr
}

// TestConnectUnspecified is libuv's connect_unspecified: a connect to the
// unspecified address (0.0.0.0, ::) is not EADDRNOTAVAIL. Linux takes it
// for the loopback address, so with a server on 127.0.0.1 (::1) at that
// port the connect succeeds and the server accepts it; nothing leaves the
// machine.
func TestConnectUnspecified(t *testing.T) {
	for _, c := range []struct{ name, listen, unspec string }{
		{"IPv4", "127.0.0.1:0", "0.0.0.0"},
		{"IPv6", "[::1]:0", "::"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "IPv6" {
				ipv6Loopback(t)
			}
			l := newLoop(t)
			var accepted counter
			srv, err := NewTCP(l)
			require.NoError(t, err)
			require.NoError(t, srv.Bind(netip.MustParseAddrPort(c.listen), 0))
			require.NoError(t, srv.Listen(1, func(err error) {
				assert.NoError(t, err)
				if h := acceptTCP(t, srv); h != nil {
					accepted.inc()
					h.Close(nil)
				}
				srv.Close(nil)
			}))
			addr, err := srv.LocalAddr()
			require.NoError(t, err)
			var connectErr error
			var connects counter
			target := netip.AddrPortFrom(netip.MustParseAddr(c.unspec), addr.Port())
			dialTCP(t, l, target, func(h *TCP, err error) {
				connects.inc()
				connectErr = err
				h.Close(nil)
			})
			runLoop(t, l, RunDefault)
			assert.Equal(t, 1, connects.n)
			assert.NotErrorIs(t, connectErr, syscall.EADDRNOTAVAIL)
			assert.NoError(t, connectErr)
			assert.Equal(t, 1, accepted.n)
		})
	}
}

// connectionFail is libuv's connection_fail helper: a handle bound to
// 127.0.0.1:0 (libuv: 0.0.0.0:0) connects to a port where nothing
// listens; cb gets the handle and the connect status.
func connectionFail(t *testing.T, l *Loop, cb func(h *TCP, err error)) {
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Bind(loopback4, 0))
	require.NoError(t, h.Connect(refusingAddr(t, l), func(err error) { cb(h, err) }))
}

// TestConnectionFail is libuv's connection_fail: the connect callback gets
// ECONNREFUSED, and closing the handle from it works.
func TestConnectionFail(t *testing.T) {
	l := newLoop(t)
	var connects, closes counter
	connectionFail(t, l, func(h *TCP, err error) {
		connects.inc()
		assert.Equal(t, ECONNREFUSED, err)
		assert.Zero(t, closes.n)
		assert.NoError(t, h.Close(closes.inc))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, closes.n)
}

// TestConnectionFailDoesntAutoClose is libuv's
// connection_fail_doesnt_auto_close: a failed connect does not close the
// handle; a timer started from the connect callback finds it open, and
// closes it and itself.
func TestConnectionFailDoesntAutoClose(t *testing.T) {
	l := newLoop(t)
	timer, err := NewTimer(l)
	require.NoError(t, err)
	var connects, closes, timerCloses, fired counter
	connectionFail(t, l, func(h *TCP, err error) {
		connects.inc()
		assert.Equal(t, ECONNREFUSED, err)
		assert.NoError(t, timer.Start(10*time.Millisecond, 0, func(*Timer) {
			fired.inc()
			assert.Zero(t, closes.n)
			assert.Equal(t, 1, connects.n)
			assert.False(t, h.IsClosing(), "the failed connect closed the handle")
			assert.NoError(t, h.Close(closes.inc))
			assert.NoError(t, timer.Close(timerCloses.inc))
		}))
		assert.Zero(t, closes.n)
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, closes.n)
	assert.Equal(t, 1, fired.n)
	assert.Equal(t, 1, timerCloses.n)
}

// TestTCPConnectErrorAfterWrite is libuv's tcp_connect_error_after_write:
// a Write before Connect is EBADF (no socket yet); a Write issued while
// the connect is pending is queued, and when the connect fails its
// callback gets an error too (ECANCELED), after the connect callback.
func TestTCPConnectErrorAfterWrite(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	assertUVError(t, h.Write([]byte("TEST"), func(error) { t.Error("callback of a failed write") }), "uv_write", EBADF)
	var order []string
	var connectErr, writeErr error
	var closes counter
	require.NoError(t, h.Connect(refusingAddr(t, l), func(err error) {
		order = append(order, "connect")
		connectErr = err
		assert.NoError(t, h.Close(closes.inc))
	}))
	require.NoError(t, h.Write([]byte("TEST"), func(err error) {
		order = append(order, "write")
		writeErr = err
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, []string{"connect", "write"}, order)
	assert.Equal(t, ECONNREFUSED, connectErr)
	assert.ErrorIs(t, writeErr, syscall.ECANCELED)
	assert.Equal(t, 1, closes.n)
}

// connectTimeout connects to addr under a timer of d that closes the
// handle and itself, as libuv's test-tcp-connect-timeout.c does; it
// returns the connect status (nil when the callback did not run).
func connectTimeout(t *testing.T, addr netip.AddrPort, d time.Duration) (connects int, status error) {
	l := newLoop(t)
	timer, err := NewTimer(l)
	require.NoError(t, err)
	conn, err := NewTCP(l)
	require.NoError(t, err)
	var closes counter
	closeBoth := func() {
		if !conn.IsClosing() {
			assert.NoError(t, conn.Close(closes.inc))
			assert.NoError(t, timer.Close(closes.inc))
		}
	}
	require.NoError(t, timer.Start(d, 0, func(*Timer) { closeBoth() }))
	require.NoError(t, conn.Connect(addr, func(err error) {
		connects++
		status = err
		closeBoth()
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 2, closes.n)
	return connects, status
}

// TestTCPConnectTimeout is libuv's tcp_connect_timeout: a connect that
// gets no answer does not hang the loop; closing the handle from a timer
// cancels it (ECANCELED). libuv connects to 8.8.8.8; this connects to a
// loopback listener whose accept queue is full, so Linux drops the SYN
// (unresponsiveAddr) and the connect stays pending the same way.
func TestTCPConnectTimeout(t *testing.T) {
	n, status := connectTimeout(t, unresponsiveAddr(t), 50*time.Millisecond)
	assert.Equal(t, 1, n)
	assert.ErrorIs(t, status, syscall.ECANCELED)
}

// TestTCPLocalConnectTimeout is libuv's tcp_local_connect_timeout: a
// connect to a local port where nothing listens fails at once
// (ECONNREFUSED), long before the 1 s timer would cancel it; the callback
// then closes both handles, so the test does not wait for the timer.
func TestTCPLocalConnectTimeout(t *testing.T) {
	l := newLoop(t)
	n, status := connectTimeout(t, refusingAddr(t, l), time.Second)
	assert.Equal(t, 1, n)
	assert.Equal(t, ECONNREFUSED, status)
}

// TestTCP6LocalConnectTimeout is libuv's tcp6_local_connect_timeout: the
// same on ::1.
func TestTCP6LocalConnectTimeout(t *testing.T) {
	ipv6Loopback(t)
	l := newLoop(t)
	n, status := connectTimeout(t, refusingAddr6(t, l), time.Second)
	assert.Equal(t, 1, n)
	assert.Equal(t, ECONNREFUSED, status)
}

// TestTCPCloseAfterReadTimeout is libuv's tcp_close_after_read_timeout: a
// client reads from a connection that never sends; a timer (50 ms; libuv
// waits 1 s) finds no read happened, stops reading and closes the client;
// the server's end then reads EOF and closes. The server is unreferenced,
// so the loop ends after the three close callbacks.
func TestTCPCloseAfterReadTimeout(t *testing.T) {
	l := newLoop(t)
	timer, err := NewTimer(l)
	require.NoError(t, err)
	var reads, closes counter
	var serverErr error
	srv, addr := listenTCP(t, l, func(srv *TCP, err error) {
		assert.NoError(t, err)
		conn := acceptTCP(t, srv)
		if conn == nil {
			return
		}
		assert.NoError(t, conn.ReadStart(func(p []byte, err error) {
			reads.inc()
			serverErr = err
			assert.NoError(t, conn.Close(closes.inc))
		}))
	})
	srv.Unref()
	client := dialTCP(t, l, addr, func(c *TCP, err error) {
		assert.NoError(t, err)
		assert.NoError(t, c.ReadStart(func(p []byte, err error) {
			t.Errorf("client read %q, %v", p, err)
			reads.inc()
		}))
		assert.NoError(t, timer.Start(50*time.Millisecond, 0, func(*Timer) {
			assert.Zero(t, reads.n)
			assert.NoError(t, c.ReadStop())
			assert.NoError(t, c.Close(closes.inc))
			assert.NoError(t, timer.Close(closes.inc))
		}))
	})
	runLoop(t, l, RunDefault)
	assert.True(t, client.IsClosing())
	assert.Equal(t, 1, reads.n)
	assert.ErrorIs(t, serverErr, io.EOF)
	assert.Equal(t, 3, closes.n)
}

// TestTCPCloseResetAcceptedAfterShutdown is libuv's
// tcp_close_reset_accepted_after_shutdown (see closeResetCase).
func TestTCPCloseResetAcceptedAfterShutdown(t *testing.T) {
	closeResetCase(t, false, resetAfterShutdown)
}

// TestTCPCloseResetAcceptedAfterSocketShutdown is libuv's
// tcp_close_reset_accepted_after_socket_shutdown: a shutdown(2) made on
// the fd behind libuv's back does not stop CloseReset (see
// closeResetCase).
func TestTCPCloseResetAcceptedAfterSocketShutdown(t *testing.T) {
	closeResetCase(t, false, resetAfterSocketShutdown)
}

// TestTCPCloseResetClientAfterShutdown is libuv's
// tcp_close_reset_client_after_shutdown (see closeResetCase).
func TestTCPCloseResetClientAfterShutdown(t *testing.T) {
	closeResetCase(t, true, resetAfterShutdown)
}

// TestTCPRST is libuv's tcp_rst: the server resets the connection when it
// reads "QSH" (libuv's echo server does); the client, which sent it with
// TryWrite, reads ECONNRESET once, and its fd is still a TCP socket
// (libuv checks with uv_guess_handle; this asks the socket its type).
func TestTCPRST(t *testing.T) {
	l := newLoop(t)
	var reads, connects, closes counter
	var readErr error
	sockType := -1
	_, addr := listenTCP(t, l, func(srv *TCP, err error) {
		assert.NoError(t, err)
		conn := acceptTCP(t, srv)
		if conn == nil {
			return
		}
		var got []byte
		assert.NoError(t, conn.ReadStart(func(p []byte, err error) {
			if err != nil {
				conn.Close(nil)
				return
			}
			if got = append(got, p...); string(got) == "QSH" {
				assert.NoError(t, conn.CloseReset(nil))
				assert.NoError(t, srv.Close(nil))
			}
		}))
	})
	dialTCP(t, l, addr, func(c *TCP, err error) {
		assert.NoError(t, err)
		connects.inc()
		assert.NoError(t, c.ReadStart(func(p []byte, err error) {
			reads.inc()
			readErr = err
			if fd, err := c.Fd(); assert.NoError(t, err) {
				sockType, err = syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE)
				assert.NoError(t, err)
			}
			assert.NoError(t, c.Close(closes.inc))
		}))
		n, err := c.TryWrite([]byte("QSH"))
		assert.NoError(t, err)
		assert.Equal(t, 3, n)
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, reads.n)
	assert.Equal(t, 1, closes.n)
	assert.Equal(t, ECONNRESET, readErr)
	assert.Equal(t, syscall.SOCK_STREAM, sockType)
}

// TestTCPOOB is libuv's tcp_oob: the client sends "hello" twice as urgent
// data (send with MSG_OOB on its fd; NoDelay, so as two packets); the
// peer's reads deliver the in-band bytes with no error and do not spin:
// an idle handle started by the first read closes everything after 10
// loop iterations.
func TestTCPOOB(t *testing.T) {
	const maxTicks = 10
	l := newLoop(t)
	idle, err := NewIdle(l)
	require.NoError(t, err)
	client, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, client.SetNoDelay(true)) // two packets
	var peer *TCP
	var ticks, reads int
	var read []byte
	srv, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(loopback4, 0))
	idleCb := func(*Idle) {
		if ticks++; ticks < maxTicks {
			return
		}
		for _, h := range []Handle{srv, client, peer, idle} {
			assert.NoError(t, h.Close(nil))
		}
	}
	require.NoError(t, srv.Listen(1, func(err error) {
		assert.NoError(t, err)
		if peer = acceptTCP(t, srv); peer == nil {
			return
		}
		assert.NoError(t, peer.ReadStart(func(p []byte, err error) {
			assert.NoError(t, err)
			reads++
			read = append(read, p...)
			if !idle.IsActive() {
				assert.NoError(t, idle.Start(idleCb))
			}
		}))
		fd, err := client.Fd()
		if !assert.NoError(t, err) {
			return
		}
		for range 2 {
			assert.NoError(t, syscall.Sendto(fd, []byte("hello"), syscall.MSG_OOB, nil))
		}
	}))
	addr, err := srv.LocalAddr()
	require.NoError(t, err)
	require.NoError(t, client.Connect(addr, func(err error) { assert.NoError(t, err) }))
	runLoop(t, l, RunDefault)
	assert.Equal(t, maxTicks, ticks)
	assert.Positive(t, reads)
	// Each send's last byte is the urgent one, kept out of band (one at
	// a time: a second urgent byte may push the first in band).
	assert.Contains(t, string(read), "hell")
	assert.LessOrEqual(t, len(read), 10)
}

// TestTCPWriteFail is libuv's tcp_write_fail: the client's fd is closed
// behind libuv's back, then a Write fails with EBADF. libuv reports it to
// the write callback; gouv's Write tries the socket first, so it returns
// the error at once and never calls back. Either way the handle then
// closes normally. The server is a socket that never accepts, so no other
// descriptor can take the closed one's number before the handle closes.
func TestTCPWriteFail(t *testing.T) {
	l := newLoop(t)
	var connects, closes, writeCbs counter
	var writeErr error
	dialTCP(t, l, silentListener(t), func(c *TCP, err error) {
		assert.NoError(t, err)
		connects.inc()
		fd, err := c.Fd()
		if !assert.NoError(t, err) {
			return
		}
		assert.NoError(t, syscall.Close(fd))
		writeErr = c.Write([]byte("hello\n"), func(err error) {
			writeCbs.inc()
			writeErr = err
			assert.NoError(t, c.Close(closes.inc))
		})
		if writeErr != nil {
			assert.NoError(t, c.Close(closes.inc))
		}
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, closes.n)
	assert.Zero(t, writeCbs.n, "write callback after Write returned an error")
	assertUVError(t, writeErr, "uv_write", EBADF)
}

// TestTCPWriteReady is libuv's tcp_write_ready: on a handle that adopted
// its socket (Open) and connected to the echo server, each write
// callback writes one more "P" until a timer (100 ms; libuv waits 2 s)
// shuts down; the client reads back only "P"s, then EOF, and closes.
func TestTCPWriteReady(t *testing.T) {
	l := newLoop(t)
	echo := startEchoServer(t, l)
	client, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, client.Open(newSocket(t)))
	timer, err := NewTimer(l)
	require.NoError(t, err)
	var connects, writes, shutdowns, closes counter
	var shutdownRequested bool
	var echoed int
	var write func()
	write = func() {
		assert.NoError(t, client.Write([]byte("P"), func(err error) {
			if err != nil || shutdownRequested {
				assert.NoError(t, err)
				return
			}
			writes.inc()
			write()
		}))
	}
	require.NoError(t, client.Connect(echo.addr, func(err error) {
		assert.NoError(t, err)
		connects.inc()
		assert.NoError(t, timer.Start(100*time.Millisecond, 0, func(*Timer) {
			shutdownRequested = true
			assert.NoError(t, client.Shutdown(func(err error) {
				assert.NoError(t, err)
				shutdowns.inc()
			}))
			timer.Close(nil)
		}))
		write()
		assert.NoError(t, client.ReadStart(func(p []byte, err error) {
			if err != nil {
				assert.ErrorIs(t, err, io.EOF)
				client.Close(closes.inc)
				echo.srv.Close(nil)
				return
			}
			for _, b := range p {
				if b != 'P' {
					t.Errorf("read %q", b)
					break
				}
			}
			echoed += len(p)
		}))
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Positive(t, writes.n)
	assert.Equal(t, 1, shutdowns.n)
	assert.Equal(t, 1, closes.n)
	assert.GreaterOrEqual(t, echoed, writes.n)
	assert.Empty(t, echo.errs)
}

// TestTCP6PingPong is libuv's tcp6_ping_pong: tcp_ping_pong over ::1.
func TestTCP6PingPong(t *testing.T) {
	ipv6Loopback(t)
	testTCPPingPong(t, loopback6, false)
}

// TestTCP6PingPongVec is libuv's tcp6_ping_pong_vec: tcp_ping_pong_vec
// over ::1.
func TestTCP6PingPongVec(t *testing.T) {
	ipv6Loopback(t)
	testTCPPingPong(t, loopback6, true)
}

// TestGetsocknameTCP is libuv's getsockname_tcp: the listening server's
// address (127.0.0.1 here; libuv binds 0.0.0.0) and ENOTCONN for its
// peer; the client's local address right after Connect, before the
// connect completes; both ends' addresses once connected, which mirror
// each other.
func TestGetsocknameTCP(t *testing.T) {
	l := newLoop(t)
	var accepted, connected counter
	var connectAddr netip.AddrPort
	srv, srvAddr := listenTCP(t, l, func(srv *TCP, err error) {
		assert.NoError(t, err)
		h := acceptTCP(t, srv)
		if h == nil {
			return
		}
		accepted.inc()
		local, err := h.LocalAddr()
		assert.NoError(t, err)
		peer, err := h.RemoteAddr()
		assert.NoError(t, err)
		srvLocal, _ := srv.LocalAddr()
		assert.Equal(t, srvLocal, local, "accepted socket")
		assert.Equal(t, connectAddr, peer, "accepted socket's peer")
		h.Close(nil)
		srv.Close(nil)
	})
	got, err := srv.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, loopback4.Addr(), got.Addr())
	_, err = srv.RemoteAddr()
	assertUVError(t, err, "uv_tcp_getpeername", ENOTCONN)

	client := dialTCP(t, l, srvAddr, func(c *TCP, err error) {
		assert.NoError(t, err)
		connected.inc()
		local, err := c.LocalAddr()
		assert.NoError(t, err)
		assert.Equal(t, connectAddr, local, "connected socket")
		peer, err := c.RemoteAddr()
		assert.NoError(t, err)
		assert.Equal(t, srvAddr, peer, "connected socket's peer")
		c.Close(nil)
	})
	connectAddr, err = client.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, loopback4.Addr(), connectAddr.Addr())
	assert.NotZero(t, connectAddr.Port())
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, accepted.n)
	assert.Equal(t, 1, connected.n)
}

// checkBufferSizes is libuv's check_buffer_size (test-socket-buffer-size.c)
// for both buffers: the size is positive; after setting 10000, Linux
// reports double that (libuv allows either).
func checkBufferSizes(t *testing.T, get func(send bool) (int, error), set func(send bool, n int) error) {
	t.Helper()
	for _, send := range []bool{false, true} {
		n, err := get(send)
		require.NoError(t, err)
		assert.Positive(t, n)
		require.NoError(t, set(send, 10000))
		n, err = get(send)
		require.NoError(t, err)
		assert.Contains(t, []int{10000, 20000}, n, "send %v", send)
		for _, bad := range []int{0, -1, 1 << 40} {
			err := set(send, bad)
			assert.ErrorIs(t, err, syscall.EINVAL, "size %d", bad)
		}
	}
}

// TestSocketBufferSize is libuv's socket_buffer_size: the receive (and
// here also the send) buffer size of a bound TCP and a bound UDP handle,
// and of a bound Pipe, read and set through gouv's RecvBufferSize,
// SendBufferSize and their setters. Before a handle has a socket, they
// are EBADF; a size that is not positive or does not fit a C int is
// EINVAL.
func TestSocketBufferSize(t *testing.T) {
	l := newLoop(t)
	tcp, err := NewTCP(l)
	require.NoError(t, err)
	_, err = tcp.RecvBufferSize()
	assertUVError(t, err, "uv_recv_buffer_size", EBADF)
	assertUVError(t, tcp.SetSendBufferSize(10000), "uv_send_buffer_size", EBADF)
	require.NoError(t, tcp.Bind(loopback4, 0))
	checkBufferSizes(t, func(send bool) (int, error) {
		if send {
			return tcp.SendBufferSize()
		}
		return tcp.RecvBufferSize()
	}, func(send bool, n int) error {
		if send {
			return tcp.SetSendBufferSize(n)
		}
		return tcp.SetRecvBufferSize(n)
	})

	udp, err := NewUDP(l)
	require.NoError(t, err)
	require.NoError(t, udp.Bind(loopback4, 0))
	checkBufferSizes(t, func(send bool) (int, error) {
		if send {
			return udp.SendBufferSize()
		}
		return udp.RecvBufferSize()
	}, func(send bool, n int) error {
		if send {
			return udp.SetSendBufferSize(n)
		}
		return udp.SetRecvBufferSize(n)
	})

	pipe, err := NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, pipe.Bind(filepath.Join(t.TempDir(), "sock")))
	checkBufferSizes(t, func(send bool) (int, error) {
		if send {
			return pipe.SendBufferSize()
		}
		return pipe.RecvBufferSize()
	}, func(send bool, n int) error {
		if send {
			return pipe.SetSendBufferSize(n)
		}
		return pipe.SetRecvBufferSize(n)
	})

	var closes counter
	for _, h := range []Handle{tcp, udp, pipe} {
		require.NoError(t, h.Close(closes.inc))
	}
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 3, closes.n)
	_, err = tcp.RecvBufferSize()
	assert.ErrorIs(t, err, ErrClosed)
}
