package uv

/*
#include <netdb.h>
#include "uvgo.h"
*/
import "C"

import (
	"net/netip"
	"strconv"
	"strings"
	"unsafe"
)

// Flags for AddrInfoHints.Flags (getaddrinfo's AI_*).
const (
	AIPassive     = C.AI_PASSIVE     // addresses to bind to: the wildcard address when node is empty
	AICanonName   = C.AI_CANONNAME   // fill in CanonName of the first result
	AINumericHost = C.AI_NUMERICHOST // node must be a numeric address: no lookup
	AINumericServ = C.AI_NUMERICSERV // service must be a port number: no lookup
	AIV4Mapped    = C.AI_V4MAPPED    // with Family AF_INET6: IPv4-mapped addresses when no IPv6 one
	AIAll         = C.AI_ALL         // with AIV4Mapped: IPv6 and IPv4-mapped addresses
	AIAddrConfig  = C.AI_ADDRCONFIG  // only families the host has a non-loopback address of
)

// Flags for GetNameInfo (getnameinfo's NI_*).
const (
	NINumericHost = C.NI_NUMERICHOST // the numeric address, no reverse lookup
	NINumericServ = C.NI_NUMERICSERV // the port number, no service name
	NINameReqd    = C.NI_NAMEREQD    // fail (EAI_NONAME) when the name is unknown
	NINoFQDN      = C.NI_NOFQDN      // only the host part of local names
	NIDgram       = C.NI_DGRAM       // the service is UDP (a few ports differ)
)

// AddrInfoHints narrows what GetAddrInfo returns (getaddrinfo's hints):
// the zero value asks for every family, socket type and protocol, without
// flags. A nil *AddrInfoHints is libuv's NULL hints: the system's default
// (on glibc, AIV4Mapped|AIAddrConfig).
type AddrInfoHints struct {
	Family   int // syscall.AF_INET, syscall.AF_INET6, or 0 (AF_UNSPEC) for both
	SockType int // syscall.SOCK_STREAM, SOCK_DGRAM... or 0 for any
	Protocol int // syscall.IPPROTO_TCP, IPPROTO_UDP... or 0 for any
	Flags    int // AIPassive, AICanonName...
}

// AddrInfo is one result of GetAddrInfo (struct addrinfo): an address with
// the port of the service, and the socket type and protocol to reach it.
type AddrInfo struct {
	Addr      netip.AddrPort
	Family    int    // syscall.AF_INET or syscall.AF_INET6
	SockType  int    // syscall.SOCK_STREAM...
	Protocol  int    // syscall.IPPROTO_TCP...
	CanonName string // the canonical name, in the first result, with AICanonName
}

// GetAddrInfo resolves node and service to addresses on the thread pool
// (uv_getaddrinfo), as getaddrinfo(3) does: node is a host name or a
// numeric address, service a service name ("http") or a port number;
// either may be empty, not both. cb runs on the loop with the results in
// the system's order, or with an error: an EAI_* Errno (EAI_NONAME for an
// unknown name), or ECANCELED when the request was cancelled (libuv says
// EAI_CANCELED; gouv gives every cancelled request the same ECANCELED).
// The returned request can be cancelled until it starts running.
//
// For the synchronous form, which libuv runs inline when given no
// callback, call GetAddrInfoSync: it returns the results. A nil cb here is
// an EINVAL *Error. Call GetAddrInfo on the loop's goroutine.
func GetAddrInfo(l *Loop, node, service string, hints *AddrInfoHints, cb func(res []AddrInfo, err error)) (*Req, error) {
	const op = "uv_getaddrinfo"
	if err := l.reqUsable(op); err != nil {
		return nil, err
	}
	if cb == nil {
		return nil, &Error{Op: op, Code: EINVAL, Detail: "nil callback (GetAddrInfoSync is the synchronous form)"}
	}
	cnode, cserv, err := addrInfoArgs(node, service)
	if err != nil {
		return nil, err
	}
	defer freeCString(cnode)
	defer freeCString(cserv)
	r := l.newLoopReq(reqGetAddrInfo, func(r *Req, status int) {
		if status != 0 {
			cb(nil, reqStatusErr(status))
			return
		}
		cb(addrInfos((*C.uv_getaddrinfo_t)(r.ptr).addrinfo), nil)
	})
	has, h := hintsC(hints)
	res := C.uvgo_getaddrinfo(l.ptr, C.uintptr_t(r.id), cnode, cserv, has, h.Family, h.SockType, h.Protocol, h.Flags, 1)
	if err := r.started(res, op, ""); err != nil {
		err.(*Error).Detail = addrInfoDetail(node, service)
		return nil, err
	}
	return r, nil
}

// GetAddrInfoSync is the synchronous form of GetAddrInfo: libuv runs
// getaddrinfo inline, on the calling goroutine, which blocks (and the
// loop with it, when called from a callback) until the system has an
// answer. It returns the results or an *Error{Op: "uv_getaddrinfo"} whose
// Code is an EAI_* Errno. Call it on the loop's goroutine.
func GetAddrInfoSync(l *Loop, node, service string, hints *AddrInfoHints) ([]AddrInfo, error) {
	const op = "uv_getaddrinfo"
	if err := l.reqUsable(op); err != nil {
		return nil, err
	}
	cnode, cserv, err := addrInfoArgs(node, service)
	if err != nil {
		return nil, err
	}
	defer freeCString(cnode)
	defer freeCString(cserv)
	has, h := hintsC(hints)
	res := C.uvgo_getaddrinfo(l.ptr, 0, cnode, cserv, has, h.Family, h.SockType, h.Protocol, h.Flags, 0)
	if res.err != 0 {
		return nil, &Error{Op: op, Code: Errno(res.err), Detail: addrInfoDetail(node, service)}
	}
	req := (*C.uv_getaddrinfo_t)(res.ptr)
	defer C.uvgo_getaddrinfo_free(req)
	return addrInfos(req.addrinfo), nil
}

// hintsArgs are AddrInfoHints as C ints.
type hintsArgs struct{ Family, SockType, Protocol, Flags C.int }

func hintsC(h *AddrInfoHints) (C.int, hintsArgs) {
	if h == nil {
		return 0, hintsArgs{}
	}
	return 1, hintsArgs{C.int(h.Family), C.int(h.SockType), C.int(h.Protocol), C.int(h.Flags)}
}

// addrInfoArgs checks node and service and returns them as C strings (nil
// for an empty one), which the caller frees.
func addrInfoArgs(node, service string) (*C.char, *C.char, error) {
	const op = "uv_getaddrinfo"
	switch {
	case node == "" && service == "":
		return nil, nil, &Error{Op: op, Code: EINVAL, Detail: "empty node and service"}
	case strings.IndexByte(node, 0) >= 0:
		return nil, nil, &Error{Op: op, Code: EINVAL, Detail: "node " + strconv.Quote(node) + " contains a NUL byte"}
	case strings.IndexByte(service, 0) >= 0:
		return nil, nil, &Error{Op: op, Code: EINVAL, Detail: "service " + strconv.Quote(service) + " contains a NUL byte"}
	}
	var cn, cs *C.char
	if node != "" {
		cn = C.CString(node)
	}
	if service != "" {
		cs = C.CString(service)
	}
	return cn, cs, nil
}

func addrInfoDetail(node, service string) string {
	return "node " + strconv.Quote(node) + ", service " + strconv.Quote(service)
}

func freeCString(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

// addrInfos copies a struct addrinfo list. Entries of families other than
// IPv4 and IPv6 are left out.
func addrInfos(ai *C.struct_addrinfo) []AddrInfo {
	var res []AddrInfo
	for ; ai != nil; ai = ai.ai_next {
		ap, err := fromAddr("getaddrinfo", C.uvgo_sockaddr(ai.ai_addr))
		if err != nil {
			continue
		}
		a := AddrInfo{Addr: ap, Family: int(ai.ai_family), SockType: int(ai.ai_socktype), Protocol: int(ai.ai_protocol)}
		if ai.ai_canonname != nil {
			a.CanonName = C.GoString(ai.ai_canonname)
		}
		res = append(res, a)
	}
	return res
}

// GetNameInfo looks up the host and service names of addr on the thread
// pool (uv_getnameinfo), as getnameinfo(3) does with flags (NINumericHost,
// NINameReqd...). cb runs on the loop with the names, or with an error: an
// EAI_* Errno, or ECANCELED when the request was cancelled. The returned
// request can be cancelled until it starts running.
//
// GetNameInfoSync is the synchronous form; a nil cb here is an EINVAL
// *Error. Call GetNameInfo on the loop's goroutine.
func GetNameInfo(l *Loop, addr netip.AddrPort, flags int, cb func(host, service string, err error)) (*Req, error) {
	const op = "uv_getnameinfo"
	if err := l.reqUsable(op); err != nil {
		return nil, err
	}
	if cb == nil {
		return nil, &Error{Op: op, Code: EINVAL, Detail: "nil callback (GetNameInfoSync is the synchronous form)"}
	}
	sa, err := toSockaddr(op, addr)
	if err != nil {
		return nil, err
	}
	r := l.newLoopReq(reqGetNameInfo, func(r *Req, status int) {
		if status != 0 {
			cb("", "", reqStatusErr(status))
			return
		}
		req := (*C.uv_getnameinfo_t)(r.ptr)
		cb(C.GoString(&req.host[0]), C.GoString(&req.service[0]), nil)
	})
	res := C.uvgo_getnameinfo(l.ptr, C.uintptr_t(r.id), sa.family, (*C.uint8_t)(&sa.ip[0]), sa.port, sa.scope, C.int(flags), 1)
	if err := r.started(res, op, ""); err != nil {
		err.(*Error).Detail = addr.String()
		return nil, err
	}
	return r, nil
}

// GetNameInfoSync is the synchronous form of GetNameInfo: libuv runs
// getnameinfo inline, on the calling goroutine, which blocks until the
// system has an answer. Errors are *Error{Op: "uv_getnameinfo"} whose Code
// is an EAI_* Errno. Call it on the loop's goroutine.
func GetNameInfoSync(l *Loop, addr netip.AddrPort, flags int) (host, service string, err error) {
	const op = "uv_getnameinfo"
	if err := l.reqUsable(op); err != nil {
		return "", "", err
	}
	sa, err := toSockaddr(op, addr)
	if err != nil {
		return "", "", err
	}
	res := C.uvgo_getnameinfo(l.ptr, 0, sa.family, (*C.uint8_t)(&sa.ip[0]), sa.port, sa.scope, C.int(flags), 0)
	if res.err != 0 {
		return "", "", &Error{Op: op, Code: Errno(res.err), Detail: addr.String()}
	}
	defer C.free(res.ptr)
	req := (*C.uv_getnameinfo_t)(res.ptr)
	return C.GoString(&req.host[0]), C.GoString(&req.service[0]), nil
}

// reqStatusErr is statusErr for the thread pool's requests: the
// resolver's EAI_CANCELED becomes ECANCELED, as for every other request.
func reqStatusErr(status int) error {
	if Errno(status) == EAI_CANCELED {
		return errECANCELED
	}
	return statusErr(status)
}
