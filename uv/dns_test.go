package uv

// libuv's DNS tests, row 58 of LIBUV_TESTS.md (test-getaddrinfo.c,
// test-getnameinfo.c), under their libuv names. This machine has no
// network: only "localhost" (from /etc/hosts), numeric names, and a name
// that the resolver rejects before asking any server.

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badName fails at once with EAI_NONAME: its empty label makes the
// resolver give up before any query (libuv's "example.invalid." would ask
// a name server, which may hang on a machine without network).
const badName = "xyzzy..invalid"

func TestGetaddrinfoFail(t *testing.T) {
	l := newLoop(t)
	// No node and no service: libuv's EINVAL, as a clear *Error.
	_, err := GetAddrInfo(l, "", "", nil, func([]AddrInfo, error) { t.Error("callback ran") })
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "uv_getaddrinfo", e.Op)
	assert.Equal(t, EINVAL, e.Code)

	var calls counter
	var got []AddrInfo
	var cbErr error
	r, err := GetAddrInfo(l, badName, "", nil, func(res []AddrInfo, err error) {
		calls.inc()
		got, cbErr = res, err
	})
	require.NoError(t, err)
	require.NotNil(t, r)
	assert.Zero(t, calls.n, "callback ran synchronously")
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)
	assert.Nil(t, got)
	assert.ErrorIs(t, cbErr, EAI_NONAME)
	var n Errno
	require.ErrorAs(t, cbErr, &n)
	assert.Equal(t, "EAI_NONAME", n.Name())
}

func TestGetaddrinfoFailSync(t *testing.T) {
	l := newLoop(t)
	res, err := GetAddrInfoSync(l, badName, "", nil)
	assert.Nil(t, res)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "uv_getaddrinfo", e.Op)
	assert.Equal(t, EAI_NONAME, e.Code)
	assert.Contains(t, e.Error(), badName)
}

func TestGetaddrinfoBasic(t *testing.T) {
	l := newLoop(t)
	var calls counter
	var got []AddrInfo
	_, err := GetAddrInfo(l, "localhost", "", nil, func(res []AddrInfo, err error) {
		calls.inc()
		assert.NoError(t, err)
		got = res
	})
	require.NoError(t, err)
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)
	require.NotEmpty(t, got)
	for _, a := range got {
		assert.True(t, a.Addr.Addr().IsLoopback(), "%v", a.Addr)
	}
}

func TestGetaddrinfoBasicSync(t *testing.T) {
	l := newLoop(t)
	hints := &AddrInfoHints{Family: syscall.AF_INET, SockType: syscall.SOCK_STREAM, Flags: AICanonName}
	got, err := GetAddrInfoSync(l, "localhost", "8080", hints)
	require.NoError(t, err)
	require.NotEmpty(t, got)
	assert.Equal(t, netip.MustParseAddrPort("127.0.0.1:8080"), got[0].Addr)
	assert.Equal(t, syscall.AF_INET, got[0].Family)
	assert.Equal(t, syscall.SOCK_STREAM, got[0].SockType)
	assert.Equal(t, syscall.IPPROTO_TCP, got[0].Protocol)
	assert.Equal(t, "localhost", got[0].CanonName)
}

func TestGetaddrinfoConcurrent(t *testing.T) {
	const n = 10 // libuv's CONCURRENT_COUNT
	l := newLoop(t)
	var calls [n]int
	for i := range n {
		_, err := GetAddrInfo(l, "localhost", "", nil, func(res []AddrInfo, err error) {
			assert.NoError(t, err)
			assert.NotEmpty(t, res)
			calls[i]++
		})
		require.NoError(t, err)
	}
	runLoop(t, l, RunDefault)
	for i, c := range calls {
		assert.Equal(t, 1, c, "callbacks of request %d", i)
	}
}

// Numeric names and services, hints: each result as Go values.
func TestGetaddrinfoNumeric(t *testing.T) {
	l := newLoop(t)
	hints := &AddrInfoHints{SockType: syscall.SOCK_DGRAM, Flags: AINumericHost | AINumericServ}
	got, err := GetAddrInfoSync(l, "::1", "53", hints)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, AddrInfo{Addr: netip.MustParseAddrPort("[::1]:53"), Family: syscall.AF_INET6,
		SockType: syscall.SOCK_DGRAM, Protocol: syscall.IPPROTO_UDP}, got[0])

	// A name where a number is required fails without a lookup.
	_, err = GetAddrInfoSync(l, "localhost", "", &AddrInfoHints{Flags: AINumericHost})
	assert.ErrorIs(t, err, EAI_NONAME)
	// A family the system does not resolve for.
	_, err = GetAddrInfoSync(l, "localhost", "", &AddrInfoHints{Family: 12345})
	assert.ErrorIs(t, err, EAI_FAMILY)
	// Service only, passive: the wildcard address.
	got, err = GetAddrInfoSync(l, "", "7000", &AddrInfoHints{Family: syscall.AF_INET, SockType: syscall.SOCK_STREAM, Flags: AIPassive})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, netip.MustParseAddrPort("0.0.0.0:7000"), got[0].Addr)
}

// Bad input is a clear *Error and leaves nothing behind.
func TestGetaddrinfoBadInput(t *testing.T) {
	l := newLoop(t)
	never := func([]AddrInfo, error) { t.Error("callback ran") }
	cases := []struct {
		name          string
		node, service string
		cb            func([]AddrInfo, error)
		detail        string
	}{
		{"empty", "", "", never, "empty node and service"},
		{"nul node", "local\x00host", "", never, "NUL"},
		{"nul service", "localhost", "h\x00ttp", never, "NUL"},
		{"nil cb", "localhost", "", nil, "GetAddrInfoSync"},
	}
	for _, c := range cases {
		r, err := GetAddrInfo(l, c.node, c.service, nil, c.cb)
		assert.Nil(t, r, c.name)
		var e *Error
		if assert.ErrorAs(t, err, &e, c.name) {
			assert.Equal(t, "uv_getaddrinfo", e.Op, c.name)
			assert.Equal(t, EINVAL, e.Code, c.name)
			assert.Contains(t, e.Detail, c.detail, c.name)
		}
		if c.cb != nil {
			_, err = GetAddrInfoSync(l, c.node, c.service, nil)
			assert.ErrorIs(t, err, EINVAL, c.name)
		}
	}
	_, err := GetAddrInfo(nil, "localhost", "", nil, never)
	assert.ErrorIs(t, err, EINVAL)
	assert.Zero(t, l.Stats().Requests)
}

func TestGetnameinfoBasicIP4(t *testing.T) {
	l := newLoop(t)
	var calls counter
	var host, serv string
	_, err := GetNameInfo(l, netip.MustParseAddrPort("127.0.0.1:80"), 0, func(h, s string, err error) {
		calls.inc()
		assert.NoError(t, err)
		host, serv = h, s
	})
	require.NoError(t, err)
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)
	assert.NotEmpty(t, host)
	assert.NotEmpty(t, serv)
}

func TestGetnameinfoBasicIP4Sync(t *testing.T) {
	l := newLoop(t)
	host, serv, err := GetNameInfoSync(l, netip.MustParseAddrPort("127.0.0.1:80"), 0)
	require.NoError(t, err)
	assert.NotEmpty(t, host)
	assert.NotEmpty(t, serv)
	host, serv, err = GetNameInfoSync(l, netip.MustParseAddrPort("127.0.0.1:80"), NINumericHost|NINumericServ)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
	assert.Equal(t, "80", serv)
}

// libuv asks with flags 0, which makes the resolver look ::1 up in DNS on
// hosts whose /etc/hosts lacks it; NINumericHost keeps it local.
func TestGetnameinfoBasicIP6(t *testing.T) {
	l := newLoop(t)
	var calls counter
	var host, serv string
	_, err := GetNameInfo(l, netip.MustParseAddrPort("[::1]:80"), NINumericHost, func(h, s string, err error) {
		calls.inc()
		assert.NoError(t, err)
		host, serv = h, s
	})
	require.NoError(t, err)
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, calls.n)
	assert.Equal(t, "::1", host)
	assert.NotEmpty(t, serv)
}

func TestGetnameinfoBadInput(t *testing.T) {
	l := newLoop(t)
	never := func(string, string, error) { t.Error("callback ran") }
	_, err := GetNameInfo(l, netip.AddrPort{}, 0, never)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "uv_getnameinfo", e.Op)
	assert.Equal(t, EINVAL, e.Code)
	_, _, err = GetNameInfoSync(l, netip.AddrPort{}, 0)
	assert.ErrorIs(t, err, EINVAL)
	_, err = GetNameInfo(l, netip.MustParseAddrPort("127.0.0.1:80"), 0, nil)
	assert.ErrorIs(t, err, EINVAL)
	// Unknown flags: the resolver's EAI_BADFLAGS, in the callback.
	var cbErr error
	_, err = GetNameInfo(l, netip.MustParseAddrPort("127.0.0.1:80"), 1<<20, func(_, _ string, err error) { cbErr = err })
	require.NoError(t, err)
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, cbErr, EAI_BADFLAGS)
	assert.True(t, errors.Is(cbErr, EAI_BADFLAGS))
}

// Loop misuse: a closed loop.
func TestDNSClosedLoop(t *testing.T) {
	l, err := NewLoop()
	require.NoError(t, err)
	require.NoError(t, l.Close())
	_, err = GetAddrInfo(l, "localhost", "", nil, func([]AddrInfo, error) {})
	assert.ErrorIs(t, err, ErrLoopClosed)
	_, err = GetAddrInfoSync(l, "localhost", "", nil)
	assert.ErrorIs(t, err, ErrLoopClosed)
	_, err = GetNameInfo(l, netip.MustParseAddrPort("127.0.0.1:80"), 0, func(string, string, error) {})
	assert.ErrorIs(t, err, ErrLoopClosed)
}
