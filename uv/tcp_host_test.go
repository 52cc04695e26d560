package uv

// TCP.ConnectHost: a name resolved on the thread pool, then each address
// tried in order, as net.Dial does. Not a libuv test.

import (
	"net/netip"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostServer listens on 127.0.0.1:0 and accepts (and closes) connections.
func hostServer(t *testing.T, l *Loop) (port uint16, accepted *counter) {
	t.Helper()
	srv, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	accepted = &counter{}
	require.NoError(t, srv.Listen(16, func(err error) {
		assert.NoError(t, err)
		c, err := NewTCP(l)
		if !assert.NoError(t, err) {
			return
		}
		assert.NoError(t, srv.Accept(c))
		accepted.inc()
		c.Close(nil)
		srv.Close(nil)
	}))
	a, err := srv.LocalAddr()
	require.NoError(t, err)
	return a.Port(), accepted
}

// refusedPort returns a port of 127.0.0.1 that refuses connections: a
// socket bound to it that does not listen, kept until the test ends.
func refusedPort(t *testing.T, l *Loop) uint16 {
	t.Helper()
	s, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, s.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	a, err := s.LocalAddr()
	require.NoError(t, err)
	return a.Port()
}

func TestTCPConnectHostLocalhost(t *testing.T) {
	l := newLoop(t)
	port, accepted := hostServer(t, l)
	c, err := NewTCP(l)
	require.NoError(t, err)
	var calls counter
	var cbErr error
	var peer netip.AddrPort
	require.NoError(t, c.ConnectHost("localhost", port, func(err error) {
		calls.inc()
		cbErr = err
		peer, _ = c.RemoteAddr()
		c.Close(nil)
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)
	assert.NoError(t, cbErr)
	assert.Equal(t, port, peer.Port())
	assert.True(t, peer.Addr().IsLoopback())
	assert.Equal(t, 1, accepted.n)
}

func TestTCPConnectHostRefused(t *testing.T) {
	l := newLoop(t)
	port := refusedPort(t, l)
	c, err := NewTCP(l)
	require.NoError(t, err)
	var calls counter
	var cbErr error
	require.NoError(t, c.ConnectHost("localhost", port, func(err error) {
		calls.inc()
		cbErr = err
		c.Close(nil)
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)
	assert.ErrorIs(t, cbErr, ECONNREFUSED)
}

// Several addresses, the first ones refusing (one of another family): the
// handle is renewed between attempts and the last address connects.
func TestTCPConnectHostFallback(t *testing.T) {
	l := newLoop(t)
	port, accepted := hostServer(t, l)
	refused := refusedPort(t, l)
	c, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, c.SetNoDelay(true))
	var calls counter
	var cbErr error
	var peer netip.AddrPort
	nodelay := -1
	addrs := []netip.AddrPort{
		netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), refused),
		netip.AddrPortFrom(netip.MustParseAddr("::1"), refused), // refused, or no IPv6
		netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port),
	}
	c.dial(addrs, nil, false, func(err error) {
		calls.inc()
		cbErr = err
		peer, _ = c.RemoteAddr()
		if fd, err := c.Fd(); err == nil {
			nodelay, _ = syscall.GetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
		}
		c.Close(nil)
	})
	assert.Zero(t, calls.n, "callback ran synchronously")
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)
	assert.NoError(t, cbErr)
	assert.Equal(t, addrs[2], peer)
	assert.Equal(t, 1, nodelay, "TCP_NODELAY on the renewed handle")
	assert.Equal(t, 1, accepted.n)

	// Every address refuses: the last error.
	c, err = NewTCP(l)
	require.NoError(t, err)
	c.dial(addrs[:1], nil, false, func(err error) {
		cbErr = err
		c.Close(nil)
	})
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, cbErr, ECONNREFUSED)
}

func TestTCPConnectHostNumeric(t *testing.T) {
	l := newLoop(t)
	port, accepted := hostServer(t, l)
	c, err := NewTCP(l)
	require.NoError(t, err)
	var cbErr error = ErrClosed
	require.NoError(t, c.ConnectHost("127.0.0.1", port, func(err error) {
		cbErr = err
		c.Close(nil)
	}))
	runLoop(t, l, RunDefault)
	assert.NoError(t, cbErr)
	assert.Equal(t, 1, accepted.n)
}

func TestTCPConnectHostErrors(t *testing.T) {
	l := newLoop(t)
	c, err := NewTCP(l)
	require.NoError(t, err)
	never := func(error) { t.Error("callback ran") }
	for _, host := range []string{"", "local\x00host"} {
		err := c.ConnectHost(host, 80, never)
		var e *Error
		if assert.ErrorAs(t, err, &e, host) {
			assert.Equal(t, EINVAL, e.Code)
		}
	}
	assert.ErrorIs(t, c.ConnectHost("localhost", 80, nil), EINVAL)

	// An unknown name: the resolver's error in the callback.
	var cbErr error
	require.NoError(t, c.ConnectHost(badName, 80, func(err error) { cbErr = err }))
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, cbErr, EAI_NONAME)

	// Closed while resolving: ECANCELED.
	cbErr = nil
	require.NoError(t, c.ConnectHost("localhost", 80, func(err error) { cbErr = err }))
	require.NoError(t, c.Close(nil))
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, cbErr, ECANCELED)
	assert.ErrorIs(t, c.ConnectHost("localhost", 80, never), ErrClosed)
}
