package uv

/*
#include "uvgo.h"
*/
import "C"

import "net/netip"

// Hooks for the package's own tests. Nothing outside the tests calls them.

// setReadBufferCap limits how much of the loop's read buffer alloc_cb lends
// to a read (uvgo_set_rbuf_cap), at most its full size. 0 makes alloc_cb
// return an empty buffer, so that libuv calls the read callback with
// ENOBUFS (libuv's tcp_alloc_cb_fail test).
func (l *Loop) setReadBufferCap(n int) {
	C.uvgo_set_rbuf_cap(l.ptr, C.size_t(n))
}

// addrRoundTrip converts ap as Bind and Connect do (toSockaddr) and the
// result back as LocalAddr and RemoteAddr do (fromAddr), without a socket,
// for FuzzAddrPortRoundTrip.
func addrRoundTrip(ap netip.AddrPort) (netip.AddrPort, error) {
	sa, err := toSockaddr("roundtrip", ap)
	if err != nil {
		return netip.AddrPort{}, err
	}
	var a C.uvgo_addr_t
	a.family = sa.family
	a.port = sa.port
	a.scope = sa.scope
	for i, b := range sa.ip {
		a.ip[i] = C.uint8_t(b)
	}
	return fromAddr("roundtrip", a)
}

// udpRecvCalls returns how many times the loop's UDP receive path called
// Go (uvgo_udp.c): once per datagram without recvmmsg, once per batch with.
func (l *Loop) udpRecvCalls() uint64 {
	return uint64(C.uvgo_udp_recv_calls(l.ptr))
}

// setUDPTryFirst makes UDP.Send skip (false) or make (true) its first
// try, so that tests can reach the queued path, which a loopback socket
// hardly ever needs.
func (l *Loop) setUDPTryFirst(on bool) {
	if C.uvgo_udp_set_try_first(l.ptr, cbool(on)) != 0 {
		panic("uv: setUDPTryFirst: out of memory")
	}
}
