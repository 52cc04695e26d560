//go:build gouv_udp

package main

import "github.com/gouv/gouv/examples/echo/uvecho"

func init() {
	startUDP = func(addr string, loops int, mmsg bool, rcvbuf int) (string, func() error, error) {
		rs, err := uvecho.StartUDPN(uvecho.UDPConfig{Addr: addr, NoMmsg: !mmsg, RecvBuffer: rcvbuf}, loops)
		if err != nil {
			return "", nil, err
		}
		return rs[0].Addr(), func() error { return uvecho.StopAllUDP(rs) }, nil
	}
}
