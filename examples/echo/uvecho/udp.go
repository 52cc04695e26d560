package uvecho

import (
	"errors"
	"net"
	"net/netip"
	"syscall"

	"github.com/gouv/gouv/uv"
)

// soReusePort is SO_REUSEPORT on Linux (package syscall lacks it).
const soReusePort = 0xf

// UDPConfig says where a UDP echo server listens.
type UDPConfig struct {
	Addr string // host:port (port 0 picks one)

	// NoMmsg turns off UV_UDP_RECVMMSG: one recvmsg per datagram instead
	// of up to libuv's batch per recvmmsg.
	NoMmsg bool

	// ReusePort sets SO_REUSEPORT on the socket before it binds, so that
	// several servers, on several loops, can share the address; the
	// kernel spreads the datagrams over them by a hash of the sender's
	// address and port. StartUDPN sets it.
	ReusePort bool

	// RecvBuffer, when positive, sets SO_RCVBUF: the bytes of datagrams
	// the kernel holds for the socket until the loop reads them (Linux
	// caps it at net.core.rmem_max and doubles it for its bookkeeping).
	RecvBuffer int

	// StopSignals shut the server down, as Config.StopSignals does.
	StopSignals []syscall.Signal
}

// UDPServer echoes every datagram back to its sender, on one loop. Each
// datagram is sent straight from the loop's receive buffer
// (uv_udp_try_send; only what the kernel does not take at once is copied
// and queued), with no callback. Its methods run on the loop's goroutine.
type UDPServer struct {
	loop *uv.Loop
	h    *uv.UDP
	addr string
	sigs signalWatchers
	done bool

	// Inspection (Received, Errors): loop goroutine only.
	received int
	errs     int
}

// NewUDP binds a UDP echo server on l as cfg says and starts receiving.
// Call it on l's goroutine (before Run or from a callback).
func NewUDP(l *uv.Loop, cfg UDPConfig) (*UDPServer, error) {
	ap, err := parseUDPAddr(cfg.Addr)
	if err != nil {
		return nil, err
	}
	var flags uv.UDPFlags
	if !cfg.NoMmsg {
		flags |= uv.UDPRecvMmsg
	}
	if cfg.ReusePort {
		// Ask for the socket now (the address family in the low bits, as
		// uv_udp_init_ex takes it), to set SO_REUSEPORT before the bind:
		// libuv's UV_UDP_REUSEADDR is SO_REUSEADDR on Linux, which lets
		// sockets share a port but sends each datagram to one of them.
		if ap.Addr().Is4() {
			flags |= uv.UDPFlags(syscall.AF_INET)
		} else {
			flags |= uv.UDPFlags(syscall.AF_INET6)
		}
	}
	h, err := uv.NewUDPEx(l, flags)
	if err != nil {
		return nil, err
	}
	s := &UDPServer{loop: l, h: h}
	err = s.listen(ap, cfg.ReusePort, cfg.RecvBuffer)
	if err == nil {
		s.sigs, err = watchSignals(l, s.Shutdown, cfg.StopSignals)
	}
	if err != nil {
		h.Close(nil)
		return nil, err
	}
	return s, nil
}

func (s *UDPServer) listen(ap netip.AddrPort, reuse bool, rcvbuf int) error {
	var bind uv.UDPFlags
	if reuse {
		fd, err := s.h.Fd()
		if err != nil {
			return err
		}
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, soReusePort, 1); err != nil {
			return &net.OpError{Op: "setsockopt SO_REUSEPORT", Net: "udp", Err: err}
		}
		bind = uv.UDPReuseAddr
	}
	if err := s.h.Bind(ap, bind); err != nil {
		return err
	}
	if rcvbuf > 0 {
		fd, err := s.h.Fd()
		if err != nil {
			return err
		}
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf); err != nil {
			return &net.OpError{Op: "setsockopt SO_RCVBUF", Net: "udp", Err: err}
		}
	}
	bound, err := s.h.LocalAddr()
	if err != nil {
		return err
	}
	s.addr = bound.String()
	return s.h.RecvStart(s.recv)
}

// parseUDPAddr takes an IP address and port, or a host name resolved to
// its first address.
func parseUDPAddr(addr string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap, nil
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap := ua.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

func (s *UDPServer) recv(p []byte, from netip.AddrPort, _ uv.UDPFlags, err error) {
	if err != nil {
		s.errs++
		return
	}
	if s.done || !from.IsValid() {
		return
	}
	s.received++
	// No callback: a datagram that cannot be sent is lost, as UDP allows.
	if err := s.h.Send(p, from, nil); err != nil {
		s.errs++
	}
}

// Addr returns the address the server is bound to, with the real port.
func (s *UDPServer) Addr() string { return s.addr }

// Received returns how many datagrams the server has received (and echoed).
// Call it on the loop's goroutine.
func (s *UDPServer) Received() int { return s.received }

// Errors returns how many receive or send errors the server has seen. Call
// it on the loop's goroutine.
func (s *UDPServer) Errors() int { return s.errs }

// Shutdown closes the socket; the loop then has nothing left to run.
func (s *UDPServer) Shutdown() {
	if s.done {
		return
	}
	s.done = true
	s.sigs.close()
	s.h.Close(nil)
}

// RunningUDP is a UDP echo server on its own loop and goroutine.
type RunningUDP struct {
	Loop   *uv.Loop
	Server *UDPServer
	done   chan error
}

// StartUDP creates a loop, starts a UDP echo server on it as cfg says, and
// runs the loop on a new goroutine until Stop.
func StartUDP(cfg UDPConfig) (*RunningUDP, error) {
	l, err := uv.NewLoop()
	if err != nil {
		return nil, err
	}
	s, err := NewUDP(l, cfg)
	if err != nil {
		l.Run(uv.RunDefault) // finish closing the handle
		l.Close()
		return nil, err
	}
	r := &RunningUDP{Loop: l, Server: s, done: make(chan error, 1)}
	go func() {
		_, err := l.Run(uv.RunDefault)
		r.done <- err
	}()
	return r, nil
}

// StartUDPN starts n UDP echo servers as cfg says, each on its own loop
// and goroutine (n <= 1: one, as StartUDP). With n > 1 they share one
// address with SO_REUSEPORT: the first binds cfg.Addr (port 0 picks a
// port), the others the address it got. On an error the servers already
// started are stopped.
func StartUDPN(cfg UDPConfig, n int) ([]*RunningUDP, error) {
	if n > 1 {
		cfg.ReusePort = true
	}
	var rs []*RunningUDP
	for range max(n, 1) {
		r, err := StartUDP(cfg)
		if err != nil {
			StopAllUDP(rs)
			return nil, err
		}
		rs = append(rs, r)
		cfg.Addr = rs[0].Addr()
	}
	return rs, nil
}

// Addr returns the server's address.
func (r *RunningUDP) Addr() string { return r.Server.addr }

// Stop shuts the server down from another goroutine, waits for its loop to
// finish and closes the loop.
func (r *RunningUDP) Stop() error {
	if err := r.Loop.Post(r.Server.Shutdown); err != nil {
		return err
	}
	return r.Wait()
}

// Wait waits until the server's loop has finished, when the server shut
// down on its own (one of its StopSignals), and closes the loop.
func (r *RunningUDP) Wait() error {
	if err := <-r.done; err != nil {
		return err
	}
	return r.Loop.Close()
}

// Do runs f on the server's loop goroutine and waits for it.
func (r *RunningUDP) Do(f func()) error {
	ch := make(chan struct{})
	if err := r.Loop.Post(func() { f(); close(ch) }); err != nil {
		return err
	}
	<-ch
	return nil
}

// StopAllUDP stops every server of rs and returns the first error.
func StopAllUDP(rs []*RunningUDP) error {
	var errs []error
	for _, r := range rs {
		errs = append(errs, r.Stop())
	}
	return errors.Join(errs...)
}
