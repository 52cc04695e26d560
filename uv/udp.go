package uv

/*
#cgo noescape uvgo_udp_bind
#cgo nocallback uvgo_udp_bind
#cgo noescape uvgo_udp_connect
#cgo nocallback uvgo_udp_connect
#cgo noescape uvgo_udp_send
#cgo nocallback uvgo_udp_send
#cgo noescape uvgo_udp_try_send
#cgo nocallback uvgo_udp_try_send
#cgo nocallback uv_udp_recv_stop
#include "uvgo.h"
#include <sys/socket.h>
*/
import "C"

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"unsafe"
)

// UDP is a UDP socket handle (uv_udp_t): it sends and receives datagrams,
// connected to one peer or not.
//
// https://docs.libuv.org/en/v1.x/udp.html
type UDP struct {
	handle
	onRecv func(p []byte, from netip.AddrPort, flags UDPFlags, err error)
}

// UDPFlags are libuv's uv_udp_flags, with their values: flags for
// NewUDPEx, Bind, and those a receive callback gets.
//
// NewUDPEx takes, as uv_udp_init_ex does, the address family in the low 8
// bits (syscall.AF_INET, syscall.AF_INET6 or syscall.AF_UNSPEC) or'ed with
// UDPRecvMmsg: NewUDPEx(l, syscall.AF_INET|uv.UDPRecvMmsg).
type UDPFlags uint

const (
	// UDPIPv6Only binds an IPv6 address without dual-stack support
	// (UV_UDP_IPV6ONLY). A Bind flag.
	UDPIPv6Only UDPFlags = C.UV_UDP_IPV6ONLY
	// UDPPartial tells the receive callback that the datagram did not fit
	// the buffer and the rest was discarded by the system (UV_UDP_PARTIAL).
	UDPPartial UDPFlags = C.UV_UDP_PARTIAL
	// UDPReuseAddr sets SO_REUSEADDR before binding, so that several
	// sockets may bind one address and port (UV_UDP_REUSEADDR). A Bind
	// flag.
	UDPReuseAddr UDPFlags = C.UV_UDP_REUSEADDR
	// UDPLinuxRecvErr sets IP_RECVERR / IPV6_RECVERR, so that ICMP errors
	// (ECONNREFUSED...) reach the socket on Linux (UV_UDP_LINUX_RECVERR). A
	// Bind flag.
	UDPLinuxRecvErr UDPFlags = C.UV_UDP_LINUX_RECVERR
	// UDPRecvMmsg makes the handle read up to 20 datagrams per system call
	// with recvmmsg (UV_UDP_RECVMMSG). A NewUDPEx flag. Each datagram still
	// reaches the receive callback on its own, but a batch costs one call
	// from C into Go.
	UDPRecvMmsg UDPFlags = C.UV_UDP_RECVMMSG
)

// Membership says whether SetMembership and SetSourceMembership join or
// leave a multicast group (uv_membership).
type Membership int

// Memberships.
const (
	// LeaveGroup leaves the group (UV_LEAVE_GROUP).
	LeaveGroup Membership = C.UV_LEAVE_GROUP
	// JoinGroup joins the group (UV_JOIN_GROUP).
	JoinGroup Membership = C.UV_JOIN_GROUP
)

// NewUDP creates a UDP handle on l (uv_udp_init). No socket exists until
// Bind, Connect or Open, or until the first Send (which binds it to the
// wildcard address of the destination's family and a free port) or
// RecvStart (0.0.0.0 and a free port).
func NewUDP(l *Loop) (*UDP, error) {
	return NewUDPEx(l, C.AF_UNSPEC)
}

// NewUDPEx creates a UDP handle with flags (uv_udp_init_ex): the low 8
// bits are the family of a socket created at once (syscall.AF_INET or
// syscall.AF_INET6; syscall.AF_UNSPEC creates none, as NewUDP), the others
// may hold UDPRecvMmsg. Any other value is EINVAL.
func NewUDPEx(l *Loop, flags UDPFlags) (*UDP, error) {
	if flags > math.MaxUint32 {
		return nil, &Error{Op: "uv_udp_init_ex", Code: EINVAL, Detail: "unknown flags"}
	}
	u := &UDP{}
	if err := l.newHandle(u, TypeUDP, uint(flags), "uv_udp_init_ex"); err != nil {
		return nil, err
	}
	return u, nil
}

func (u *UDP) up() *C.uv_udp_t { return (*C.uv_udp_t)(u.ptr) }

// Bind binds the handle to addr (uv_udp_bind); port 0 picks a free port,
// read it back with LocalAddr. flags: UDPIPv6Only, UDPReuseAddr,
// UDPLinuxRecvErr; others are EINVAL, as is UDPIPv6Only with an IPv4
// address or an address of the other family than a socket NewUDPEx made.
func (u *UDP) Bind(addr netip.AddrPort, flags UDPFlags) error {
	if err := u.startable("uv_udp_bind"); err != nil {
		return err
	}
	if flags > math.MaxUint32 {
		return &Error{Op: "uv_udp_bind", Code: EINVAL, Detail: "unknown flags"}
	}
	sa, err := toSockaddr("uv_udp_bind", addr)
	if err != nil {
		return err
	}
	return check("uv_udp_bind", int(C.uvgo_udp_bind(u.up(), sa.family, (*C.uint8_t)(&sa.ip[0]), sa.port, sa.scope, C.uint(flags))))
}

// Connect associates the handle with a peer (uv_udp_connect): Send and
// TrySend then take the zero netip.AddrPort as their address (any other is
// EISCONN), and only the peer's datagrams are received. An unbound handle
// is bound to a free port first. Connecting a connected handle is EISCONN:
// Disconnect first (the zero AddrPort, which stands for libuv's NULL
// address in Send, is EINVAL here).
func (u *UDP) Connect(addr netip.AddrPort) error {
	if err := u.startable("uv_udp_connect"); err != nil {
		return err
	}
	sa, err := toSockaddr("uv_udp_connect", addr)
	if err != nil {
		return err
	}
	return check("uv_udp_connect", int(C.uvgo_udp_connect(u.up(), sa.family, (*C.uint8_t)(&sa.ip[0]), sa.port, sa.scope)))
}

// Disconnect dissolves the association Connect made (uv_udp_connect with
// a NULL address); ENOTCONN when the handle is not connected.
func (u *UDP) Disconnect() error {
	if err := u.startable("uv_udp_connect"); err != nil {
		return err
	}
	return check("uv_udp_connect", int(C.uvgo_udp_connect(u.up(), 0, nil, 0, 0)))
}

// LocalAddr returns the address the socket is bound to (uv_udp_getsockname).
func (u *UDP) LocalAddr() (netip.AddrPort, error) {
	if err := u.live(); err != nil {
		return netip.AddrPort{}, err
	}
	return fromAddr("uv_udp_getsockname", C.uvgo_udp_addr(u.up(), 0))
}

// RemoteAddr returns the peer of a connected handle (uv_udp_getpeername);
// ENOTCONN when it has none.
func (u *UDP) RemoteAddr() (netip.AddrPort, error) {
	if err := u.live(); err != nil {
		return netip.AddrPort{}, err
	}
	return fromAddr("uv_udp_getpeername", C.uvgo_udp_addr(u.up(), 1))
}

// Open adopts an existing datagram socket fd (uv_udp_open); libuv makes it
// non-blocking and sets SO_REUSEADDR on it, and the handle is connected
// when the socket is. The handle owns fd from then on and closes it with
// the handle: do not close it yourself. A handle with a socket already is
// EBUSY; an fd another handle of the loop watches is EEXIST; a negative or
// closed fd is EBADF, one that is no socket ENOTSOCK.
func (u *UDP) Open(fd int) error {
	if err := u.startable("uv_udp_open"); err != nil {
		return err
	}
	if err := validFd("uv_udp_open", fd); err != nil {
		return err
	}
	return check("uv_udp_open", int(C.uv_udp_open(u.up(), C.uv_os_sock_t(fd))))
}

// maxDatagram bounds what Send and TrySend pass on: libuv's buffers hold
// an unsigned int length, and no datagram comes near it.
const maxDatagram = 1<<31 - 1

// Send sends p as one datagram to addr (uv_udp_send); on a connected
// handle addr must be the zero netip.AddrPort (the peer), on another it
// must not. It first tries to send at once (uv_udp_try_send); only when
// the socket cannot take the datagram now, or earlier sends are still
// queued, is p copied into C memory and queued. Replies sent from the
// receive callback of a recvmmsg batch of several datagrams are queued
// too, without the try: libuv then sends them together with one sendmmsg
// once the batch is handled (as it does for uv_udp_send from a receive
// callback), which costs less than a sendmsg each. p may be reused as soon
// as Send returns.
//
// Send returns the errors uv_udp_send returns: EINVAL (a bad address),
// EISCONN, EDESTADDRREQ, and failures of the implicit bind of an unbound
// handle (to 0.0.0.0 or :: and a free port). The send's own result,
// EMSGSIZE or ECONNREFUSED say, goes to cb, which, if not nil, runs on a
// later loop iteration (never inside Send), with ECANCELED when the handle
// was closed first. Callbacks keep libuv's order: sends in order, before
// the close callback. With a nil cb a send costs no callback and its
// failure goes unreported, as in libuv.
func (u *UDP) Send(p []byte, addr netip.AddrPort, cb func(err error)) error {
	if err := u.startable("uv_udp_send"); err != nil {
		return err
	}
	var sa sockaddr
	if addr.IsValid() {
		var err error
		if sa, err = toSockaddr("uv_udp_send", addr); err != nil {
			return err
		}
	}
	if len(p) > maxDatagram {
		return &Error{Op: "uv_udp_send", Code: EMSGSIZE}
	}
	l := u.loop
	var id C.uintptr_t
	if cb != nil {
		l.dbg.reqStarted(reqKindNames[reqSend])
		id = C.uintptr_t(l.reqs.New(reqEntry{cb: cb, seq: l.deferred.issued, kind: reqSend}))
	}
	r := C.uvgo_udp_send(u.up(), (*C.char)(unsafe.Pointer(unsafe.SliceData(p))), C.size_t(len(p)),
		sa.family, (*C.uint8_t)(&sa.ip[0]), sa.port, sa.scope, id)
	switch {
	case r.r < 0:
		if id != 0 {
			l.dropReq(id)
		}
		return check("uv_udp_send", int(r.status))
	case r.r == 0 && id != 0:
		l.dropReq(id)
		l.deferCall(cb, statusErr(int(r.status)))
	}
	return nil
}

// TrySend sends p as one datagram to addr if the socket takes it at once,
// without queueing (uv_udp_try_send); addr as for Send. It returns the
// number of bytes sent (all of p); EAGAIN when it cannot send now or
// earlier sends are queued; the send's error (EMSGSIZE...) otherwise.
func (u *UDP) TrySend(p []byte, addr netip.AddrPort) (int, error) {
	if err := u.startable("uv_udp_try_send"); err != nil {
		return 0, err
	}
	var sa sockaddr
	if addr.IsValid() {
		var err error
		if sa, err = toSockaddr("uv_udp_try_send", addr); err != nil {
			return 0, err
		}
	}
	if len(p) > maxDatagram {
		return 0, &Error{Op: "uv_udp_try_send", Code: EMSGSIZE}
	}
	n := int(C.uvgo_udp_try_send(u.up(), (*C.char)(unsafe.Pointer(unsafe.SliceData(p))), C.size_t(len(p)),
		sa.family, (*C.uint8_t)(&sa.ip[0]), sa.port, sa.scope))
	switch {
	case n == int(EAGAIN):
		return 0, errTrySendAgain
	case n < 0:
		return 0, check("uv_udp_try_send", n)
	}
	return n, nil
}

// errTrySendAgain is TrySend's EAGAIN, pre-boxed for the hot path.
var errTrySendAgain error = &Error{Op: "uv_udp_try_send", Code: EAGAIN}

// SendQueueSize returns the number of bytes queued for sending
// (uv_udp_get_send_queue_size). It reads the field, without a call into C.
func (u *UDP) SendQueueSize() int {
	if u.ptr == nil {
		return 0
	}
	return int(u.up().send_queue_size)
}

// SendQueueCount returns the number of sends queued
// (uv_udp_get_send_queue_count). It reads the field, without a call into C.
func (u *UDP) SendQueueCount() int {
	if u.ptr == nil {
		return 0
	}
	return int(u.up().send_queue_count)
}

// RecvStart starts receiving (uv_udp_recv_start); an unbound handle is
// bound to 0.0.0.0 and a free port first. cb runs on the loop's goroutine
// for every datagram, with p its bytes (possibly none: an empty datagram),
// from its sender and flags UDPPartial when it was cut to fit the buffer
// (64 KiB); on a failed receive with err the Errno and no address. libuv's
// "nothing more to read" calls (no bytes, no address) and its recvmmsg
// bookkeeping (UV_UDP_MMSG_CHUNK, UV_UDP_MMSG_FREE) stay in C.
//
// p is a view of a buffer that the loop reuses: it is valid only until cb
// returns, so copy what you keep. Passing it to Send inside cb is fine.
// With UDPRecvMmsg, one recvmmsg reads up to 20 datagrams, which reach cb
// one after the other; after RecvStop or Close in cb the rest of the batch
// is dropped. RecvStart on a receiving handle fails with EALREADY and keeps
// the callback in place: RecvStop first to change it.
func (u *UDP) RecvStart(cb func(p []byte, from netip.AddrPort, flags UDPFlags, err error)) error {
	if err := u.startable("uv_udp_recv_start"); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: "uv_udp_recv_start", Code: EINVAL, Detail: "nil callback"}
	}
	if err := check("uv_udp_recv_start", int(C.uvgo_udp_recv_start(u.up()))); err != nil {
		return err
	}
	u.onRecv = cb
	return nil
}

// RecvStop stops receiving (uv_udp_recv_stop); it may be called from the
// receive callback and any number of times.
func (u *UDP) RecvStop() error {
	if err := u.live(); err != nil {
		return err
	}
	u.loop.checkThread("uv_udp_recv_stop")
	u.onRecv = nil
	return check("uv_udp_recv_stop", int(C.uv_udp_recv_stop(u.up())))
}

// UsingRecvMmsg reports whether the handle reads with recvmmsg
// (uv_udp_using_recvmmsg): created with UDPRecvMmsg on a system that has
// it.
func (u *UDP) UsingRecvMmsg() bool {
	return u.ptr != nil && C.uv_udp_using_recvmmsg(u.up()) != 0
}

// recvCb delivers n received datagrams (goUVUDPRecv) from the loop's C
// array, each to the callback in place then, while the handle receives.
func (u *UDP) recvCb(p unsafe.Pointer, n int) {
	ds := unsafe.Slice((*C.uvgo_dgram_t)(p), n)
	for i := range ds {
		e := &ds[i]
		cb := u.onRecv
		if cb == nil || u.state != stateOpen {
			return
		}
		if e.nread < 0 {
			cb(nil, netip.AddrPort{}, UDPFlags(e.flags), statusErr(int(e.nread)))
			continue
		}
		cb(unsafe.Slice((*byte)(unsafe.Pointer(e.base)), int(e.nread)), dgramAddr(&e.addr), UDPFlags(e.flags), nil)
	}
}

// dgramAddr converts a sender's address; the zero AddrPort for a family
// other than IPv4 and IPv6.
func dgramAddr(a *C.uvgo_addr_t) netip.AddrPort {
	switch a.family {
	case C.AF_INET:
		return netip.AddrPortFrom(netip.AddrFrom4(*(*[4]byte)(unsafe.Pointer(&a.ip[0]))), uint16(a.port))
	case C.AF_INET6:
		ip := netip.AddrFrom16(*(*[16]byte)(unsafe.Pointer(&a.ip[0])))
		if a.scope != 0 {
			ip = ip.WithZone(strconv.Itoa(int(a.scope)))
		}
		return netip.AddrPortFrom(ip, uint16(a.port))
	}
	return netip.AddrPort{}
}

// SetBroadcast sets or clears SO_BROADCAST (uv_udp_set_broadcast). Like
// the other options it needs a socket: EBADF before one exists.
func (u *UDP) SetBroadcast(on bool) error {
	if err := u.startable("uv_udp_set_broadcast"); err != nil {
		return err
	}
	return check("uv_udp_set_broadcast", int(C.uv_udp_set_broadcast(u.up(), cbool(on))))
}

// SetTTL sets the time to live of sent datagrams, 1 to 255
// (uv_udp_set_ttl; IP_TTL or IPV6_UNICAST_HOPS).
func (u *UDP) SetTTL(ttl int) error {
	if err := u.startable("uv_udp_set_ttl"); err != nil {
		return err
	}
	if err := ttlIn("uv_udp_set_ttl", ttl, 1); err != nil {
		return err
	}
	return check("uv_udp_set_ttl", int(C.uv_udp_set_ttl(u.up(), C.int(ttl))))
}

// SetMulticastLoop sets whether multicast datagrams sent are looped back
// to local sockets (uv_udp_set_multicast_loop).
func (u *UDP) SetMulticastLoop(on bool) error {
	if err := u.startable("uv_udp_set_multicast_loop"); err != nil {
		return err
	}
	return check("uv_udp_set_multicast_loop", int(C.uv_udp_set_multicast_loop(u.up(), cbool(on))))
}

// SetMulticastTTL sets the time to live of multicast datagrams sent, 0 to
// 255 (uv_udp_set_multicast_ttl).
func (u *UDP) SetMulticastTTL(ttl int) error {
	if err := u.startable("uv_udp_set_multicast_ttl"); err != nil {
		return err
	}
	if err := ttlIn("uv_udp_set_multicast_ttl", ttl, 0); err != nil {
		return err
	}
	return check("uv_udp_set_multicast_ttl", int(C.uv_udp_set_multicast_ttl(u.up(), C.int(ttl))))
}

// ttlIn returns EINVAL for a ttl outside lo..255.
func ttlIn(op string, ttl, lo int) error {
	if ttl < lo || ttl > 255 {
		return &Error{Op: op, Code: EINVAL, Detail: "ttl " + strconv.Itoa(ttl) + " not in " + strconv.Itoa(lo) + "..255"}
	}
	return nil
}

// SetMulticastInterface sets the interface multicast datagrams are sent
// from (uv_udp_set_multicast_interface): an IPv4 address of it, or for
// IPv6 "::%zone" (the zone an interface name or index); "" for the
// system's default.
func (u *UDP) SetMulticastInterface(iface string) error {
	const op = "uv_udp_set_multicast_interface"
	if err := u.startable(op); err != nil {
		return err
	}
	ci, err := cOptString(op, iface)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ci))
	return check(op, int(C.uv_udp_set_multicast_interface(u.up(), ci)))
}

// SetMembership joins or leaves the multicast group (an IPv4 or IPv6
// address) on the interface given by its address ("" lets the system
// choose) (uv_udp_set_membership). An unbound handle is bound to a free
// port first, with SO_REUSEADDR.
func (u *UDP) SetMembership(group, iface string, m Membership) error {
	const op = "uv_udp_set_membership"
	if err := u.startable(op); err != nil {
		return err
	}
	cg, err := cString(op, group)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cg))
	ci, err := cOptString(op, iface)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ci))
	return check(op, int(C.uv_udp_set_membership(u.up(), cg, ci, C.uv_membership(m))))
}

// SetSourceMembership joins or leaves the source-specific multicast
// group: datagrams to group from source only (uv_udp_set_source_membership).
// iface as for SetMembership.
func (u *UDP) SetSourceMembership(group, iface, source string, m Membership) error {
	const op = "uv_udp_set_source_membership"
	if err := u.startable(op); err != nil {
		return err
	}
	cg, err := cString(op, group)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cg))
	ci, err := cOptString(op, iface)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ci))
	cs, err := cString(op, source)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cs))
	return check(op, int(C.uv_udp_set_source_membership(u.up(), cg, ci, cs, C.uv_membership(m))))
}

// cString converts an address argument for C; one with a NUL byte is
// EINVAL.
func cString(op, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, &Error{Op: op, Code: EINVAL, Detail: "address with a NUL byte"}
	}
	return C.CString(s), nil
}

// cOptString is cString with "" as NULL.
func cOptString(op, s string) (*C.char, error) {
	if s == "" {
		return nil, nil
	}
	return cString(op, s)
}
