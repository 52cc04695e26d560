package netecho

import (
	"errors"
	"net"
	"sync"
)

// UDPServer is a UDP echo server on Go's net package: one goroutine reads
// each datagram (ReadFromUDPAddrPort) and writes it back to its sender
// (WriteToUDPAddrPort). It is the baseline for examples/echo -udp.
type UDPServer struct {
	conn *net.UDPConn
	wg   sync.WaitGroup
}

// StartUDP binds addr (host:port, port 0 picks one) and echoes on a new
// goroutine until Stop. rcvbuf, when positive, sets SO_RCVBUF.
func StartUDP(addr string, rcvbuf int) (*UDPServer, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	c, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	if rcvbuf > 0 {
		if err := c.SetReadBuffer(rcvbuf); err != nil {
			c.Close()
			return nil, err
		}
	}
	s := &UDPServer{conn: c}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr returns the bound address with the real port.
func (s *UDPServer) Addr() string { return s.conn.LocalAddr().String() }

// Stop closes the socket and waits for the goroutine to end.
func (s *UDPServer) Stop() error {
	err := s.conn.Close()
	s.wg.Wait()
	return err
}

func (s *UDPServer) serve() {
	defer s.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue // e.g. ECONNREFUSED from an earlier send: go on
		}
		s.conn.WriteToUDPAddrPort(buf[:n], from) // a lost echo is UDP's right
	}
}
