package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
)

// ConnectHost connects to port on host, a host name or a numeric address,
// as net.Dial does: the name is resolved with GetAddrInfo on the thread
// pool (a numeric address is not), then each address is tried in the
// resolver's order until one connects (uv_tcp_connect). cb runs on the
// loop with nil once connected, with the resolver's error (EAI_NONAME...)
// when the name does not resolve, or with the error of the last address
// tried when none connects (ENOMEM stops the attempts at once). When the handle is closed meanwhile, cb gets
// ECANCELED; if it is closed while the name is being resolved, that
// happens when resolution ends, which may be after the close callback.
//
// libuv cannot connect a handle again once a connect failed, so between
// attempts gouv replaces the handle's C side by a fresh uv_tcp_t (the old
// one is closed internally and the *TCP stays the same): TCP_NODELAY,
// keep-alive and the reference state carry over, a Bind made before
// ConnectHost applies to the first attempt only, and writes queued before
// cb(nil) get ECANCELED when an attempt fails; write from cb. The returned
// error is for bad arguments (an empty host, a NUL byte, a nil cb), a
// closed or closing handle, and a resolution that could not start.
func (t *TCP) ConnectHost(host string, port uint16, cb func(err error)) error {
	const op = "uv_tcp_connect"
	if err := t.startable(op); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: op, Code: EINVAL, Detail: "nil callback"}
	}
	if host == "" || strings.IndexByte(host, 0) >= 0 {
		return &Error{Op: op, Code: EINVAL, Detail: "bad host " + strconv.Quote(host)}
	}
	if ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")); err == nil {
		t.dial([]netip.AddrPort{netip.AddrPortFrom(ip, port)}, nil, false, cb)
		return nil
	}
	hints := &AddrInfoHints{SockType: syscall.SOCK_STREAM, Protocol: syscall.IPPROTO_TCP}
	_, err := GetAddrInfo(t.loop, host, "", hints, func(res []AddrInfo, err error) {
		switch {
		case t.state != stateOpen:
			cb(errECANCELED)
		case err != nil:
			cb(err)
		default:
			addrs := make([]netip.AddrPort, len(res))
			for i, a := range res {
				addrs[i] = netip.AddrPortFrom(a.Addr.Addr(), port)
			}
			t.dial(addrs, nil, true, cb)
		}
	})
	return err
}

// dial connects to the first of addrs that accepts, replacing the C handle
// after each failure (last, the error of the previous attempt). inCallback
// says whether cb may run now; otherwise a failure that did not reach
// libuv's callback is deferred, so that cb never runs inside ConnectHost.
func (t *TCP) dial(addrs []netip.AddrPort, last error, inCallback bool, cb func(error)) {
	for i, a := range addrs {
		if last != nil {
			if err := t.renew(); err != nil {
				last = err
				break
			}
		}
		rest := addrs[i+1:]
		err := t.Connect(a, func(err error) {
			if err == nil || t.state != stateOpen || len(rest) == 0 {
				cb(err)
				return
			}
			t.dial(rest, err, true, cb)
		})
		if err == nil {
			return
		}
		last = err
		if errors.Is(err, ENOMEM) {
			break // out of memory, not a bad address: the next fails too
		}
	}
	if last == nil {
		last = EAI_NONAME // the resolver gave no address gouv can use
	}
	if inCallback {
		cb(last)
	} else {
		t.loop.deferCall(cb, last)
	}
}

// renew gives the handle a fresh C side after a failed connect
// (uvgo_tcp_renew): same ID, same Go handle.
func (t *TCP) renew() error {
	r := C.uvgo_tcp_renew(t.tp())
	if r.err != 0 {
		return check("uv_tcp_init", int(r.err))
	}
	t.ptr = r.ptr
	return nil
}
