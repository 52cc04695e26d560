package uv

/*
#cgo noescape uvgo_tcp_bind
#cgo noescape uvgo_tcp_connect
#include "uvgo.h"
*/
import "C"

import (
	"math"
	"net/netip"
	"syscall"
	"time"
)

// TCP is a TCP handle (uv_tcp_t): a listening socket or a connection. It
// has every Stream method.
//
// https://docs.libuv.org/en/v1.x/tcp.html
type TCP struct {
	stream
}

// TCPFlags are flags for TCP.Bind.
type TCPFlags uint

const (
	// TCPIPv6Only binds an IPv6 address without dual-stack support
	// (UV_TCP_IPV6ONLY).
	TCPIPv6Only TCPFlags = C.UV_TCP_IPV6ONLY
	// TCPReusePort sets SO_REUSEPORT before binding, so several sockets
	// (of this or other loops and processes) can listen on one port and the
	// kernel spreads connections over them. libuv 1.44 has no flag for it
	// (UV_TCP_REUSEPORT came in 1.49): gouv creates the socket, sets the
	// option on its fd, then calls uv_tcp_bind.
	TCPReusePort TCPFlags = 1 << 16
)

// NewTCP creates a TCP handle on l (uv_tcp_init). No socket exists until
// Bind, Connect or Open.
func NewTCP(l *Loop) (*TCP, error) {
	return NewTCPEx(l, syscall.AF_UNSPEC)
}

// NewTCPEx creates a TCP handle with a socket of the given family,
// syscall.AF_INET or syscall.AF_INET6 (uv_tcp_init_ex); AF_UNSPEC creates
// none, as NewTCP. Any other family is EINVAL.
func NewTCPEx(l *Loop, family int) (*TCP, error) {
	if family < 0 || family > 0xFF { // libuv's flags keep the family in 8 bits
		return nil, &Error{Op: "uv_tcp_init_ex", Code: EINVAL, Detail: "unknown family " + itoa(family)}
	}
	t := &TCP{}
	if err := l.newHandle(t, TypeTCP, uint(family), "uv_tcp_init_ex"); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *TCP) tp() *C.uv_tcp_t { return (*C.uv_tcp_t)(t.ptr) }

// Bind binds the handle to addr (uv_tcp_bind); port 0 picks a free port,
// read it back with LocalAddr. flags: TCPIPv6Only, TCPReusePort; any
// other bit is EINVAL (libuv would ignore it). libuv reports some bind
// errors (EADDRINUSE among them) only at Listen or Connect, as the system
// does.
func (t *TCP) Bind(addr netip.AddrPort, flags TCPFlags) error {
	if err := t.startable("uv_tcp_bind"); err != nil {
		return err
	}
	if flags&^(TCPIPv6Only|TCPReusePort) != 0 {
		return &Error{Op: "uv_tcp_bind", Code: EINVAL, Detail: "unknown flags"}
	}
	sa, err := toSockaddr("uv_tcp_bind", addr)
	if err != nil {
		return err
	}
	reuse := C.int(0)
	if flags&TCPReusePort != 0 {
		reuse = 1
	}
	return check("uv_tcp_bind", int(C.uvgo_tcp_bind(t.tp(), sa.family, (*C.uint8_t)(&sa.ip[0]), sa.port, sa.scope,
		C.uint(flags&^TCPReusePort), reuse)))
}

// Connect connects to addr (uv_tcp_connect). cb runs on the loop's
// goroutine when the connection is established (nil) or failed
// (ECONNREFUSED...), with ECANCELED when the handle was closed first.
// Writes issued before then are queued and sent once connected.
func (t *TCP) Connect(addr netip.AddrPort, cb func(err error)) error {
	if err := t.startable("uv_tcp_connect"); err != nil {
		return err
	}
	sa, err := toSockaddr("uv_tcp_connect", addr)
	if err != nil {
		return err
	}
	id := t.newReq(cb, reqConnect)
	err = check("uv_tcp_connect", int(C.uvgo_tcp_connect(t.tp(), sa.family, (*C.uint8_t)(&sa.ip[0]), sa.port, sa.scope, id)))
	if err != nil {
		t.loop.dropReq(id)
	}
	return err
}

// SetNoDelay enables or disables Nagle's algorithm (uv_tcp_nodelay), as
// net.TCPConn.SetNoDelay.
func (t *TCP) SetNoDelay(on bool) error {
	if err := t.live(); err != nil {
		return err
	}
	return check("uv_tcp_nodelay", int(C.uv_tcp_nodelay(t.tp(), cbool(on))))
}

// SetKeepAlive enables or disables TCP keep-alive (uv_tcp_keepalive), with
// delay the idle time before the first probe, in whole seconds (rounded
// up; ignored when disabling). net.TCPConn splits this in SetKeepAlive and
// SetKeepAlivePeriod.
func (t *TCP) SetKeepAlive(on bool, delay time.Duration) error {
	if err := t.live(); err != nil {
		return err
	}
	secs := (delay + time.Second - 1) / time.Second
	if on && secs < 1 {
		return &Error{Op: "uv_tcp_keepalive", Code: EINVAL, Detail: "delay under one second"}
	}
	if on && secs > math.MaxInt32 { // libuv hands it to setsockopt as an int
		return &Error{Op: "uv_tcp_keepalive", Code: EINVAL, Detail: "delay too long"}
	}
	return check("uv_tcp_keepalive", int(C.uv_tcp_keepalive(t.tp(), cbool(on), C.uint(secs))))
}

// SetSimultaneousAccepts is a Windows-only tuning knob
// (uv_tcp_simultaneous_accepts); elsewhere it succeeds and does nothing.
func (t *TCP) SetSimultaneousAccepts(on bool) error {
	if err := t.live(); err != nil {
		return err
	}
	return check("uv_tcp_simultaneous_accepts", int(C.uv_tcp_simultaneous_accepts(t.tp(), cbool(on))))
}

// LocalAddr returns the address the socket is bound to (uv_tcp_getsockname).
func (t *TCP) LocalAddr() (netip.AddrPort, error) {
	if err := t.live(); err != nil {
		return netip.AddrPort{}, err
	}
	return fromAddr("uv_tcp_getsockname", C.uvgo_tcp_addr(t.tp(), 0))
}

// RemoteAddr returns the address of the peer (uv_tcp_getpeername).
func (t *TCP) RemoteAddr() (netip.AddrPort, error) {
	if err := t.live(); err != nil {
		return netip.AddrPort{}, err
	}
	return fromAddr("uv_tcp_getpeername", C.uvgo_tcp_addr(t.tp(), 1))
}

// Open adopts an existing socket fd (uv_tcp_open), which must be a TCP
// socket; libuv puts it in non-blocking mode. The handle owns fd from then
// on and closes it with the handle: do not close it yourself.
func (t *TCP) Open(fd int) error {
	if err := t.startable("uv_tcp_open"); err != nil {
		return err
	}
	if err := validFd("uv_tcp_open", fd); err != nil {
		return err
	}
	return check("uv_tcp_open", int(C.uv_tcp_open(t.tp(), C.uv_os_sock_t(fd))))
}

// CloseReset closes the connection with a RST instead of a FIN
// (uv_tcp_close_reset, SO_LINGER 0), then the handle, as Close does. It
// fails with EINVAL on a handle that shut down its write side.
func (t *TCP) CloseReset(cb func()) error {
	if err := t.closable(); err != nil {
		return err
	}
	t.loop.checkThread("uv_tcp_close_reset")
	if err := check("uv_tcp_close_reset", int(C.uvgo_tcp_close_reset(t.tp()))); err != nil {
		return err
	}
	t.startClose(cb)
	return nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
