package uv

// libuv's TCP bind and listen error tests (test-tcp-bind-error.c,
// test-tcp-bind6-error.c; row 63 of LIBUV_TESTS.md), each under its libuv
// name. libuv binds fixed ports and the wildcard address; these bind port 0
// of 127.0.0.1 and ::1 instead, except where the scenario is about another
// address (one not on this machine, only ever bound, never sent to).

import (
	"net/netip"
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
