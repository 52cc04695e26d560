package uv

// Address conversion (addr.go): netip.AddrPort to the fields uvgo.c makes a
// sockaddr from (toSockaddr), and what uvgo_tcp_addr returns back to a
// netip.AddrPort (fromAddr). The fuzz test round-trips through both in Go
// (addrRoundTrip, testhooks.go), without sockets; the other tests go
// through real sockets and so through uvgo.c's C conversions as well.

import (
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wantRoundTrip is what a conversion round trip of ap should give: ap
// itself, except that a zone becomes the interface index it names, in
// decimal, and index 0 no zone; an invalid address or a zone that is
// neither a uint32 nor an interface name is an EINVAL.
func wantRoundTrip(ap netip.AddrPort) (netip.AddrPort, bool) {
	a := ap.Addr()
	if !a.IsValid() {
		return netip.AddrPort{}, false
	}
	z := a.Zone()
	if z == "" {
		return ap, true
	}
	var idx uint64
	if n, err := strconv.ParseUint(z, 10, 32); err == nil {
		idx = n
	} else if ifi, err := net.InterfaceByName(z); err == nil {
		idx = uint64(ifi.Index)
	} else {
		return netip.AddrPort{}, false
	}
	a = a.WithZone("")
	if idx != 0 {
		a = a.WithZone(strconv.FormatUint(idx, 10))
	}
	return netip.AddrPortFrom(a, ap.Port()), true
}

func checkRoundTrip(t *testing.T, ap netip.AddrPort) {
	t.Helper()
	got, err := addrRoundTrip(ap)
	want, ok := wantRoundTrip(ap)
	if !ok {
		var e *Error
		if assert.ErrorAs(t, err, &e, "%v: got %v", ap, got) {
			assert.Equal(t, EINVAL, e.Code)
			assert.Equal(t, "roundtrip", e.Op)
			assert.NotEmpty(t, e.Detail)
		}
		return
	}
	if assert.NoError(t, err, "%v", ap) {
		assert.Equal(t, want, got, "%v", ap)
		assert.Equal(t, want.Addr().Is4(), got.Addr().Is4(), "%v: family changed", ap)
	}
}

// FuzzAddrPortRoundTrip converts an address built from raw bytes (4 or 16
// of them; any other length is invalid), a port and a zone.
func FuzzAddrPortRoundTrip(f *testing.F) {
	for _, s := range []string{
		"127.0.0.1:0", "0.0.0.0:65535", "255.255.255.255:1",
		"[::1]:80", "[::]:0", "[::ffff:1.2.3.4]:443", "[2001:db8::1]:8080",
		"[fe80::1%1]:1", "[fe80::1%0]:1", "[fe80::1%lo]:1", "[fe80::1%01]:1",
		"[fe80::1%no-such-if]:1", "[fe80::1%-1]:1", "[fe80::1%+1]:1",
		"[fe80::1%4294967295]:1", "[fe80::1%4294967297]:1",
	} {
		ap := netip.MustParseAddrPort(s)
		ip := ap.Addr().AsSlice()
		f.Add(ip, ap.Port(), ap.Addr().Zone())
	}
	f.Add([]byte(nil), uint16(0), "")
	f.Add([]byte{1, 2, 3}, uint16(7), "1")
	f.Fuzz(func(t *testing.T, ip []byte, port uint16, zone string) {
		a, _ := netip.AddrFromSlice(ip) // invalid unless 4 or 16 bytes
		if a.Is6() {
			a = a.WithZone(zone)
		}
		checkRoundTrip(t, netip.AddrPortFrom(a, port))
	})
}

// TestAddrRoundTrip runs the fuzz seeds that pin the zone rules: a zone is
// an interface index or name; "-1", "+1" and numbers over 32 bits are
// neither (they used to wrap to another interface's index).
func TestAddrRoundTrip(t *testing.T) {
	for _, c := range []struct {
		in, out string // out "" for EINVAL
	}{
		{"127.0.0.1:5", "127.0.0.1:5"},
		{"[::ffff:1.2.3.4]:443", "[::ffff:1.2.3.4]:443"},
		{"[fe80::1%7]:1", "[fe80::1%7]:1"},
		{"[fe80::1%0]:1", "[fe80::1]:1"},
		{"[fe80::1%007]:1", "[fe80::1%7]:1"},
		{"[fe80::1%4294967295]:1", "[fe80::1%4294967295]:1"},
		{"[fe80::1%4294967297]:1", ""},
		{"[fe80::1%-1]:1", ""},
		{"[fe80::1%+1]:1", ""},
		{"[fe80::1%no-such-if]:1", ""},
	} {
		got, err := addrRoundTrip(netip.MustParseAddrPort(c.in))
		if c.out == "" {
			assert.ErrorIs(t, err, syscall.EINVAL, "%s gave %v", c.in, got)
			continue
		}
		if assert.NoError(t, err, c.in) {
			assert.Equal(t, netip.MustParseAddrPort(c.out), got, c.in)
		}
	}
	lo, err := net.InterfaceByIndex(1)
	if err == nil {
		got, err := addrRoundTrip(netip.AddrPortFrom(netip.MustParseAddr("fe80::1").WithZone(lo.Name), 9))
		require.NoError(t, err)
		assert.Equal(t, "1", got.Addr().Zone(), "an interface name becomes its index")
	}
	_, err = addrRoundTrip(netip.AddrPort{})
	assert.ErrorIs(t, err, syscall.EINVAL)
}

// ipv6Loopback skips the test when ::1 cannot be bound.
func ipv6Loopback(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
}

// TestTCPAddrFamilies connects over 127.0.0.1 and ::1 and reads both
// ends' addresses back through the C conversion: the family and address
// are kept, the port is the bound one.
func TestTCPAddrFamilies(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			ip := netip.MustParseAddr(host)
			if ip.Is6() {
				ipv6Loopback(t)
			}
			l := newLoop(t)
			srv, err := NewTCP(l)
			require.NoError(t, err)
			require.NoError(t, srv.Bind(netip.AddrPortFrom(ip, 0), 0))
			local, err := srv.LocalAddr()
			require.NoError(t, err)
			assert.Equal(t, ip, local.Addr())
			assert.NotZero(t, local.Port())
			var accepted netip.AddrPort
			require.NoError(t, srv.Listen(1, func(err error) {
				c := acceptTCP(t, srv)
				if c != nil {
					accepted, err = c.RemoteAddr()
					assert.NoError(t, err)
					c.Close(nil)
				}
				srv.Close(nil)
			}))
			var clientLocal, clientRemote netip.AddrPort
			dialTCP(t, l, local, func(c *TCP, err error) {
				assert.NoError(t, err)
				clientLocal, err = c.LocalAddr()
				assert.NoError(t, err)
				clientRemote, err = c.RemoteAddr()
				assert.NoError(t, err)
				c.Close(nil)
			})
			runLoop(t, l, RunDefault)
			assert.Equal(t, local, clientRemote)
			assert.Equal(t, clientLocal, accepted)
			assert.Equal(t, ip, clientLocal.Addr())
		})
	}
}

// TestTCPBindIPv6Only: TCPIPv6Only on an IPv4 address is EINVAL (libuv's
// tcp_bind_invalid_flags); on [::] it keeps IPv4 clients out, while a
// dual-stack [::] listener takes them, as IPv4-mapped addresses.
func TestTCPBindIPv6Only(t *testing.T) {
	ipv6Loopback(t)
	l := newLoop(t)
	h, err := NewTCP(l)
	require.NoError(t, err)
	assert.ErrorIs(t, h.Bind(loopback4, TCPIPv6Only), syscall.EINVAL)

	var results []error
	var remotes []netip.AddrPort
	for _, flags := range []TCPFlags{TCPIPv6Only, 0} {
		srv, err := NewTCP(l)
		require.NoError(t, err)
		require.NoError(t, srv.Bind(netip.MustParseAddrPort("[::]:0"), flags))
		require.NoError(t, srv.Listen(1, func(err error) {
			if c := acceptTCP(t, srv); c != nil {
				r, err := c.RemoteAddr()
				assert.NoError(t, err)
				remotes = append(remotes, r)
				c.Close(nil)
			}
		}))
		addr, err := srv.LocalAddr()
		require.NoError(t, err)
		v4 := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), addr.Port())
		dialTCP(t, l, v4, func(c *TCP, err error) {
			results = append(results, err)
			c.Close(nil)
			srv.Close(nil)
		})
		runLoop(t, l, RunDefault)
	}
	require.Len(t, results, 2)
	assert.ErrorIs(t, results[0], syscall.ECONNREFUSED, "IPv6-only listener took an IPv4 client")
	assert.NoError(t, results[1], "dual-stack listener refused an IPv4 client")
	if assert.Len(t, remotes, 1) {
		assert.True(t, remotes[0].Addr().Is4In6(), "remote %v", remotes[0])
	}
}
