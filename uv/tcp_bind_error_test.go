package uv

// libuv's TCP bind and listen error tests (test-tcp-bind-error.c,
// test-tcp-bind6-error.c; row 63 of LIBUV_TESTS.md), each under its libuv
// name. libuv binds fixed ports and the wildcard address; these bind port 0
// of 127.0.0.1 and ::1 instead, except where the scenario is about another
// address (one not on this machine, only ever bound, never sent to).

import (
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopback6 is where IPv6 test servers bind: a free port on ::1.
var loopback6 = netip.MustParseAddrPort("[::1]:0")

// assertUVError checks that err is an *Error of op with code.
func assertUVError(t testing.TB, err error, op string, code Errno) {
	t.Helper()
	var e *Error
	if assert.ErrorAs(t, err, &e, "want %s from %s", code.Name(), op) {
		assert.Equal(t, op, e.Op)
		assert.Equal(t, code, e.Code, "%v", err)
	}
}

// nonlocalBind reports whether the system lets sockets bind addresses it
// does not have (net.ipv4.ip_nonlocal_bind and its IPv6 twin).
func nonlocalBind(t testing.TB, v6 bool) bool {
	name := "/proc/sys/net/ipv4/ip_nonlocal_bind"
	if v6 {
		name = "/proc/sys/net/ipv6/ip_nonlocal_bind"
	}
	b, err := os.ReadFile(name)
	return err == nil && strings.TrimSpace(string(b)) != "0"
}

// TestTCPBindErrorAddrinuseConnect is libuv's
// tcp_bind_error_addrinuse_connect: a client binds the address of a
// listening server. Bind succeeds (libuv keeps EADDRINUSE for later),
// LocalAddr reports it at once, and the Connect callback gets it as the
// Errno; the handle then closes normally.
func TestTCPBindErrorAddrinuseConnect(t *testing.T) {
	l := newLoop(t)
	srv, addr := listenTCP(t, l, func(*TCP, error) { t.Error("connection to the server") })
	srv.Unref()
	other := refusingAddr(t, l)
	c, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, c.Bind(addr, 0))
	var connects, closes counter
	var connectErr error
	require.NoError(t, c.Connect(other, func(err error) {
		connects.inc()
		connectErr = err
		assert.NoError(t, c.Close(closes.inc))
	}))
	_, err = c.LocalAddr()
	assertUVError(t, err, "uv_tcp_getsockname", EADDRINUSE)
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, closes.n)
	assert.ErrorIs(t, connectErr, syscall.EADDRINUSE)
	assert.Equal(t, EADDRINUSE, connectErr)
}

// TestTCPBindErrorAddrnotavail1 is libuv's tcp_bind_error_addrnotavail_1:
// 127.255.255.255 is the broadcast address of the loopback net; Linux
// lets a socket bind it (libuv accepts either answer), and the handle
// closes normally.
func TestTCPBindErrorAddrnotavail1(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	err = h.Bind(netip.MustParseAddrPort("127.255.255.255:0"), 0)
	if err != nil {
		assertUVError(t, err, "uv_tcp_bind", EADDRNOTAVAIL)
	}
	doClose(t, h)
}

// testBindAddrnotavail binds addr, an address this machine does not have
// (binding sends nothing), and expects EADDRNOTAVAIL; the handle's socket
// stays unbound, so a Bind to the loopback address and a Listen still work.
func testBindAddrnotavail(t *testing.T, addr, good netip.AddrPort) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	err = h.Bind(addr, 0)
	if nonlocalBind(t, addr.Addr().Is6()) {
		t.Logf("ip_nonlocal_bind is on: Bind(%v) = %v", addr, err)
	} else {
		assertUVError(t, err, "uv_tcp_bind", EADDRNOTAVAIL)
		assert.ErrorIs(t, err, syscall.EADDRNOTAVAIL)
		require.NoError(t, h.Bind(good, 0), "the handle after a failed Bind")
		require.NoError(t, h.Listen(1, func(error) { t.Error("connection") }))
		got, err := h.LocalAddr()
		require.NoError(t, err)
		assert.Equal(t, good.Addr(), got.Addr())
	}
	doClose(t, h)
}

// TestTCPBindErrorAddrnotavail2 is libuv's tcp_bind_error_addrnotavail_2:
// binding an address that is not on this machine is EADDRNOTAVAIL. libuv
// binds 4.4.4.4; this binds 192.0.2.1, from TEST-NET-1 (RFC 5737), which
// no machine has.
func TestTCPBindErrorAddrnotavail2(t *testing.T) {
	testBindAddrnotavail(t, netip.MustParseAddrPort("192.0.2.1:0"), loopback4)
}

// testBindFault is libuv's tcp_bind_error_fault and tcp_bind6_error_fault,
// adapted: C passes a garbage sockaddr and gets EINVAL. A netip.AddrPort
// cannot be garbage; the invalid ones are the zero AddrPort and a zone
// that names no interface. Bind fails at once with an EINVAL *Error,
// creates no socket, and the handle can still bind good.
func testBindFault(t *testing.T, bad []netip.AddrPort, good netip.AddrPort) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	for _, addr := range bad {
		err := h.Bind(addr, 0)
		assertUVError(t, err, "uv_tcp_bind", EINVAL)
		assert.ErrorIs(t, err, syscall.EINVAL)
		_, err = h.Fd()
		assert.ErrorIs(t, err, syscall.EBADF, "a failed Bind made a socket")
	}
	require.NoError(t, h.Bind(good, 0))
	doClose(t, h)
}

// TestTCPBindErrorFault is libuv's tcp_bind_error_fault (see testBindFault).
func TestTCPBindErrorFault(t *testing.T) {
	testBindFault(t, []netip.AddrPort{{}, netip.AddrPortFrom(netip.Addr{}, 80)}, loopback4)
}

// testBindInval binds a bound handle again: EINVAL, and the first address
// stays.
func testBindInval(t *testing.T, addr netip.AddrPort) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Bind(addr, 0))
	first, err := h.LocalAddr()
	require.NoError(t, err)
	err = h.Bind(addr, 0)
	assertUVError(t, err, "uv_tcp_bind", EINVAL)
	got, err := h.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, first, got)
	doClose(t, h)
}

// TestTCPBindErrorInval is libuv's tcp_bind_error_inval: a second Bind of
// a bound handle is EINVAL (libuv binds 0.0.0.0 twice; this 127.0.0.1).
func TestTCPBindErrorInval(t *testing.T) { testBindInval(t, loopback4) }

// TestTCPBindInvalidFlags is libuv's tcp_bind_invalid_flags: TCPIPv6Only
// with an IPv4 address is EINVAL. gouv adds flags libuv does not know
// (anything but TCPIPv6Only and TCPReusePort): libuv would ignore them
// silently, gouv says EINVAL; neither creates a socket.
func TestTCPBindInvalidFlags(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	err = h.Bind(netip.MustParseAddrPort("127.0.0.1:0"), TCPIPv6Only)
	assertUVError(t, err, "uv_tcp_bind", EINVAL)
	for _, flags := range []TCPFlags{2, 1 << 8, 1 << 17, 1 << 40, TCPIPv6Only | 1<<20} {
		err = h.Bind(loopback6, flags)
		assertUVError(t, err, "uv_tcp_bind", EINVAL)
	}
	_, err = h.Fd()
	assert.ErrorIs(t, err, syscall.EBADF, "a failed Bind made a socket")
	doClose(t, h)
}

// TestTCPBindLocalhostOk is libuv's tcp_bind_localhost_ok: binding
// 127.0.0.1 works, and LocalAddr gives it back with the chosen port.
func TestTCPBindLocalhostOk(t *testing.T) { testBindLocalhost(t, loopback4) }

func testBindLocalhost(t *testing.T, addr netip.AddrPort) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Bind(addr, 0))
	got, err := h.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, addr.Addr(), got.Addr())
	assert.NotZero(t, got.Port())
	doClose(t, h)
}

// TestTCPBindOrListenErrorAfterClose is libuv's
// tcp_bind_or_listen_error_after_close: Bind and Listen on a closing
// handle are EINVAL and start nothing (the loop ends at once); once the
// close callback ran they are ErrClosed.
func TestTCPBindOrListenErrorAfterClose(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Close(nil))
	assertUVError(t, h.Bind(loopback4, 0), "uv_tcp_bind", EINVAL)
	assertUVError(t, h.Listen(5, func(error) { t.Error("connection") }), "uv_listen", EINVAL)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.ErrorIs(t, h.Bind(loopback4, 0), ErrClosed)
	assert.ErrorIs(t, h.Listen(5, func(error) {}), ErrClosed)
}

// TestTCPBindWritableFlags is libuv's tcp_bind_writable_flags: a listening
// handle is neither readable nor writable; Write is EPIPE, Shutdown and
// ReadStart ENOTCONN, and none of them calls back.
func TestTCPBindWritableFlags(t *testing.T) {
	l := newLoop(t)
	srv, _ := listenTCP(t, l, func(*TCP, error) { t.Error("connection") })
	assert.False(t, srv.IsWritable())
	assert.False(t, srv.IsReadable())
	fail := func(error) { t.Error("callback of a failed call") }
	assertUVError(t, srv.Write([]byte("PING"), fail), "uv_write", EPIPE)
	assertUVError(t, srv.Shutdown(fail), "uv_shutdown", ENOTCONN)
	assertUVError(t, srv.ReadStart(func([]byte, error) { t.Error("read") }), "uv_read_start", ENOTCONN)
	assert.Zero(t, l.Stats().Requests)
	doClose(t, srv)
}

// TestTCPListenWithoutBind is libuv's tcp_listen_without_bind: Listen on a
// handle that has no socket makes one, which the system binds to a free
// port of the wildcard address (so this is the one test that listens
// beyond loopback, for as long as it takes to read the address and close).
func TestTCPListenWithoutBind(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Listen(128, func(error) { t.Error("connection") }))
	addr, err := h.LocalAddr()
	require.NoError(t, err)
	assert.True(t, addr.Addr().IsUnspecified(), "%v", addr)
	assert.NotZero(t, addr.Port())
	assert.True(t, h.IsActive())
	doClose(t, h)
}

// TestTCPBind6ErrorAddrinuse is libuv's tcp_bind6_error_addrinuse: a
// second server binds the IPv6 address of a first one without error, and
// its Listen is EADDRINUSE once the first listens.
func TestTCPBind6ErrorAddrinuse(t *testing.T) {
	ipv6Loopback(t)
	l := newLoop(t)
	srv1, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv1.Bind(loopback6, 0))
	addr, err := srv1.LocalAddr()
	require.NoError(t, err)
	srv2, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv2.Bind(addr, 0))
	require.NoError(t, srv1.Listen(128, func(error) { t.Error("connection") }))
	assertUVError(t, srv2.Listen(128, func(error) { t.Error("connection") }), "uv_listen", EADDRINUSE)
	var closes counter
	require.NoError(t, srv1.Close(closes.inc))
	require.NoError(t, srv2.Close(closes.inc))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 2, closes.n)
}

// TestTCPBind6ErrorAddrnotavail is libuv's tcp_bind6_error_addrnotavail:
// libuv binds 4:4:4:4:4:4:4:4; this binds 2001:db8::1, from the IPv6
// documentation prefix (RFC 3849), which no machine has.
func TestTCPBind6ErrorAddrnotavail(t *testing.T) {
	ipv6Loopback(t)
	testBindAddrnotavail(t, netip.MustParseAddrPort("[2001:db8::1]:0"), loopback6)
}

// TestTCPBind6ErrorFault is libuv's tcp_bind6_error_fault (see
// testBindFault): IPv6 addresses whose zone names no interface.
func TestTCPBind6ErrorFault(t *testing.T) {
	ipv6Loopback(t)
	testBindFault(t, []netip.AddrPort{
		netip.AddrPortFrom(netip.MustParseAddr("fe80::1%no-such-interface0"), 0),
		netip.AddrPortFrom(netip.MustParseAddr("::1%no-such-interface0"), 0),
	}, loopback6)
}

// TestTCPBind6ErrorInval is libuv's tcp_bind6_error_inval: a second Bind
// of a handle bound to an IPv6 address is EINVAL.
func TestTCPBind6ErrorInval(t *testing.T) {
	ipv6Loopback(t)
	testBindInval(t, loopback6)
}

// TestTCPBind6LocalhostOk is libuv's tcp_bind6_localhost_ok: binding ::1
// works.
func TestTCPBind6LocalhostOk(t *testing.T) {
	ipv6Loopback(t)
	testBindLocalhost(t, loopback6)
}

// TestTCPListenBadBacklog: a backlog that is negative or does not fit
// libuv's C int is EINVAL (it was truncated: 1<<32 listened with a
// backlog of 0), and the handle can still listen.
func TestTCPListenBadBacklog(t *testing.T) {
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, h.Bind(loopback4, 0))
	for _, backlog := range []int{-1, 1 << 31, 1 << 32, 1<<32 | 128} {
		assertUVError(t, h.Listen(backlog, func(error) { t.Error("connection") }), "uv_listen", EINVAL)
	}
	assert.False(t, h.IsActive())
	require.NoError(t, h.Listen(0, func(error) { t.Error("connection") }))
	doClose(t, h)
}
