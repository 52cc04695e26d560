package uv

// libuv's tests of TCP references, sockets created early and adopted
// sockets (test-ref.c, test-tcp-create-socket-early.c, test-tcp-open.c;
// row 64 of LIBUV_TESTS.md), each under its libuv name.

import (
	"io"
	"net/netip"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// silentListener returns the address of a socket listening on 127.0.0.1
// that never accepts: connects to it complete from its backlog, and
// nothing of it lives on a loop (so it keeps none alive). It is closed
// when the test ends.
func silentListener(t testing.TB) netip.AddrPort {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 16))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*syscall.SockaddrInet4).Port))
}

// TestTCPRef is libuv's tcp_ref: an unreferenced fresh handle does not
// keep the loop alive.
func TestTCPRef(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	h.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	doClose(t, h)
}

// TestTCPRef2 is libuv's tcp_ref2: nor does an unreferenced listening one
// (bound to 127.0.0.1 here; libuv listens without binding, which
// TestTCPListenWithoutBind covers).
func TestTCPRef2(t *testing.T) {
	l := newLoop(t)
	h, _ := listenTCP(t, l, func(*TCP, error) { t.Error("connection") })
	h.Unref()
	assert.True(t, h.IsActive())
	assert.False(t, runLoop(t, l, RunDefault))
	doClose(t, h)
}

// TestTCPRef2b is libuv's tcp_ref2b: an unreferenced listening handle
// closed before Run still gets its close callback from that Run.
func TestTCPRef2b(t *testing.T) {
	l := newLoop(t)
	h, _ := listenTCP(t, l, func(*TCP, error) { t.Error("connection") })
	h.Unref()
	var closes counter
	require.NoError(t, h.Close(closes.inc))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, closes.n)
}

// TestTCPRef3 is libuv's tcp_ref3: a connect, and the shutdown started in
// its callback, keep the loop alive although the handle is unreferenced.
func TestTCPRef3(t *testing.T) {
	l := newLoop(t)
	var connects, shutdowns counter
	c := dialTCP(t, l, silentListener(t), func(c *TCP, err error) {
		assert.NoError(t, err)
		connects.inc()
		assert.NoError(t, c.Shutdown(func(err error) {
			assert.NoError(t, err)
			shutdowns.inc()
		}))
	})
	c.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, shutdowns.n)
	doClose(t, c)
}

// TestTCPRef4 is libuv's tcp_ref4: the same with a 32767-byte write
// between the connect and the shutdown; the write's callback (deferred
// when the socket took it all at once) keeps the loop alive too.
func TestTCPRef4(t *testing.T) {
	l := newLoop(t)
	var connects, writes, shutdowns counter
	c := dialTCP(t, l, silentListener(t), func(c *TCP, err error) {
		assert.NoError(t, err)
		connects.inc()
		assert.NoError(t, c.Write(make([]byte, 32767), func(err error) {
			assert.NoError(t, err)
			writes.inc()
			assert.NoError(t, c.Shutdown(func(err error) {
				assert.NoError(t, err)
				shutdowns.inc()
			}))
		}))
	})
	c.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, writes.n)
	assert.Equal(t, 1, shutdowns.n)
	doClose(t, c)
}

// TestTCPCreateEarly is libuv's tcp_create_early: NewTCPEx(AF_INET) makes
// the socket at once: it has an fd and an unbound IPv4 address (0.0.0.0:0),
// and Bind binds that socket.
func TestTCPCreateEarly(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCPEx(l, syscall.AF_INET)
	require.NoError(t, err)
	fd, err := h.Fd()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, fd, 0)
	addr, err := h.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, netip.MustParseAddrPort("0.0.0.0:0"), addr)
	require.NoError(t, h.Bind(loopback4, 0))
	addr, err = h.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, loopback4.Addr(), addr.Addr())
	fd2, err := h.Fd()
	require.NoError(t, err)
	assert.Equal(t, fd, fd2, "Bind made another socket")
	doClose(t, h)
}

// TestTCPCreateEarlyAccept is libuv's tcp_create_early_accept: a handle
// that NewTCPEx gave a socket cannot take an accepted connection (EBUSY);
// the connection is dropped with the server, and the client connected.
func TestTCPCreateEarlyAccept(t *testing.T) {
	l := newLoop(t)
	var acceptErr error
	var connections, connects counter
	_, addr := listenTCP(t, l, func(srv *TCP, err error) {
		assert.NoError(t, err)
		connections.inc()
		h, err := NewTCPEx(l, syscall.AF_INET)
		if !assert.NoError(t, err) {
			return
		}
		acceptErr = srv.Accept(h)
		assert.NoError(t, srv.Close(nil))
		assert.NoError(t, h.Close(nil))
	})
	dialTCP(t, l, addr, func(c *TCP, err error) {
		assert.NoError(t, err)
		connects.inc()
		assert.NoError(t, c.Close(nil))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connections.n)
	assert.Equal(t, 1, connects.n)
	assertUVError(t, acceptErr, "uv_accept", EBUSY)
}

// TestTCPCreateEarlyBadBind is libuv's tcp_create_early_bad_bind: a
// handle with an IPv6 socket (unbound: [::]:0) cannot bind an IPv4
// address: EINVAL.
func TestTCPCreateEarlyBadBind(t *testing.T) {
	ipv6Loopback(t)
	l := newLoop(t)
	h, err := NewTCPEx(l, syscall.AF_INET6)
	require.NoError(t, err)
	_, err = h.Fd()
	require.NoError(t, err)
	addr, err := h.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, netip.MustParseAddrPort("[::]:0"), addr)
	assertUVError(t, h.Bind(loopback4, 0), "uv_tcp_bind", EINVAL)
	doClose(t, h)
}

// TestTCPCreateEarlyBadDomain is libuv's tcp_create_early_bad_domain:
// NewTCPEx with a family other than AF_UNSPEC, AF_INET and AF_INET6 is
// EINVAL (libuv checks 47 and 1024). In Go the family is an int, so
// negative values and values past 32 bits are EINVAL too, not truncated
// into a valid family. No handle is left behind.
func TestTCPCreateEarlyBadDomain(t *testing.T) {
	l := newLoop(t)
	for _, family := range []int{47, 1024, -1, syscall.AF_UNIX, 1<<32 | syscall.AF_INET, 1<<8 | syscall.AF_INET6} {
		h, err := NewTCPEx(l, family)
		assert.Nil(t, h, "family %#x", family)
		assertUVError(t, err, "uv_tcp_init_ex", EINVAL)
	}
	assert.Zero(t, l.Stats().Handles)
	assert.False(t, runLoop(t, l, RunDefault))
}

// TestTCPOpenBound is libuv's tcp_open_bound: a handle adopts a socket
// bound outside libuv and listens on it; a client connects to that
// address and the connection is accepted.
func TestTCPOpenBound(t *testing.T) {
	l := newLoop(t)
	sock := newSocket(t)
	require.NoError(t, syscall.Bind(sock, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	srv, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Open(sock))
	var accepted, connects counter
	require.NoError(t, srv.Listen(128, func(err error) {
		assert.NoError(t, err)
		if c := acceptTCP(t, srv); c != nil {
			accepted.inc()
			c.Close(nil)
		}
		srv.Close(nil)
	}))
	addr, err := srv.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, loopback4.Addr(), addr.Addr())
	dialTCP(t, l, addr, func(c *TCP, err error) {
		assert.NoError(t, err)
		connects.inc()
		c.Close(nil)
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, accepted.n)
	assert.Equal(t, 1, connects.n)
}

// TestTCPOpenConnected is libuv's tcp_open_connected: a handle adopts a
// socket connected outside libuv (the kernel completes the connect from
// the echo server's backlog), writes "PING", shuts down, and reads the
// echo and EOF.
func TestTCPOpenConnected(t *testing.T) {
	l := newLoop(t)
	echo := startEchoServer(t, l)
	sock := newSocket(t)
	sa := &syscall.SockaddrInet4{Port: int(echo.addr.Port()), Addr: echo.addr.Addr().As4()}
	require.NoError(t, syscall.Connect(sock, sa))
	c, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, c.Open(sock))
	remote, err := c.RemoteAddr()
	require.NoError(t, err)
	assert.Equal(t, echo.addr, remote)
	var writes, shutdowns, closes counter
	var echoed []byte
	require.NoError(t, c.Write([]byte("PING"), func(err error) { assert.NoError(t, err); writes.inc() }))
	require.NoError(t, c.Shutdown(func(err error) { assert.NoError(t, err); shutdowns.inc() }))
	require.NoError(t, c.ReadStart(func(p []byte, err error) {
		if err != nil {
			assert.ErrorIs(t, err, io.EOF)
			c.Close(closes.inc)
			echo.srv.Close(nil)
			return
		}
		echoed = append(echoed, p...)
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, shutdowns.n)
	assert.Equal(t, 1, writes.n)
	assert.Equal(t, 1, closes.n)
	assert.Equal(t, "PING", string(echoed))
}

// TestTCPOpenTwice is libuv's tcp_open_twice: a handle that adopted a
// socket cannot adopt another (EBUSY); that fd stays the caller's.
func TestTCPOpenTwice(t *testing.T) {
	l := newLoop(t)
	sock1, sock2 := newSocket(t), newSocket(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Open(sock1))
	assertUVError(t, h.Open(sock2), "uv_tcp_open", EBUSY)
	assert.NoError(t, syscall.Close(sock2))
	doClose(t, h) // and sock1 with it
}
