package uv

/*
#include "uvgo.h"
#include <sys/socket.h>
*/
import "C"

import (
	"net"
	"net/netip"
	"strconv"
)

// sockaddr is a netip.AddrPort in the plain fields uvgo.c builds a struct
// sockaddr from.
type sockaddr struct {
	family C.int
	ip     [16]byte
	port   C.uint16_t
	scope  C.uint32_t
}

// toSockaddr converts ap for op; an invalid address (the zero AddrPort, or
// a zone that is neither a uint32 interface index nor an interface name)
// is an EINVAL *Error.
func toSockaddr(op string, ap netip.AddrPort) (sockaddr, error) {
	var sa sockaddr
	a := ap.Addr()
	if !a.IsValid() {
		return sa, &Error{Op: op, Code: EINVAL, Detail: "invalid address " + strconv.Quote(ap.String())}
	}
	sa.port = C.uint16_t(ap.Port())
	if a.Is4() {
		sa.family = C.AF_INET
		b := a.As4()
		copy(sa.ip[:], b[:])
		return sa, nil
	}
	sa.family = C.AF_INET6
	sa.ip = a.As16()
	if z := a.Zone(); z != "" {
		if n, err := strconv.ParseUint(z, 10, 32); err == nil {
			sa.scope = C.uint32_t(n)
		} else if ifi, err := net.InterfaceByName(z); err == nil {
			sa.scope = C.uint32_t(ifi.Index)
		} else {
			return sa, &Error{Op: op, Code: EINVAL, Detail: "unknown zone " + strconv.Quote(z)}
		}
	}
	return sa, nil
}

// fromAddr converts what uvgo_tcp_addr returned.
func fromAddr(op string, a C.uvgo_addr_t) (netip.AddrPort, error) {
	if a.err != 0 {
		return netip.AddrPort{}, check(op, int(a.err))
	}
	var ip netip.Addr
	switch a.family {
	case C.AF_INET:
		ip = netip.AddrFrom4([4]byte{byte(a.ip[0]), byte(a.ip[1]), byte(a.ip[2]), byte(a.ip[3])})
	case C.AF_INET6:
		var b [16]byte
		for i := range b {
			b[i] = byte(a.ip[i])
		}
		ip = netip.AddrFrom16(b)
		if a.scope != 0 {
			ip = ip.WithZone(strconv.Itoa(int(a.scope)))
		}
	default:
		return netip.AddrPort{}, &Error{Op: op, Code: EAFNOSUPPORT}
	}
	return netip.AddrPortFrom(ip, uint16(a.port)), nil
}
