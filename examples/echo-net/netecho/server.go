// Package netecho is the same echo server as uvecho on Go's net package
// (the netpoller, a goroutine per connection): the baseline that tests and
// benchmarks compare gouv with.
package netecho

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// BufferSize is the size of each connection's buffer: the most the server
// holds for a connection, read but not yet echoed.
const BufferSize = 64 << 10

// Config says where to listen, as uvecho.Config.
type Config struct {
	Addr string // TCP host:port; ignored when Pipe is set
	Pipe string // unix socket path
}

// Server is a running echo server.
type Server struct {
	lis   net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
	wg    sync.WaitGroup

	maxHeld atomic.Int64 // MaxHeld
}

// Start listens as cfg says and serves on new goroutines until Stop.
func Start(cfg Config) (*Server, error) {
	network, addr := "tcp", cfg.Addr
	if cfg.Pipe != "" {
		network, addr = "unix", cfg.Pipe
	}
	lis, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	s := &Server{lis: lis, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr returns the listening address: host:port or the socket path.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Conns returns the number of open connections.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// MaxHeld returns the most bytes any connection has held since the server
// started: read from the socket, not yet echoed (at most BufferSize, since
// a blocked write also stops the reading). Tests compare it with uvecho's
// MaxWriteQueue.
func (s *Server) MaxHeld() int { return int(s.maxHeld.Load()) }

// Stop closes the listener and every connection and waits for the
// goroutines to end.
func (s *Server) Stop() error {
	s.mu.Lock()
	s.done = true
	err := s.lis.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.lis.Accept()
		if err != nil {
			return
		}
		if !s.track(c) {
			c.Close()
			return
		}
		s.wg.Add(1)
		go s.echo(c)
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// echo copies c to itself. A blocked write stops the reading too, so a slow
// reader holds at most one buffer. At EOF it closes its write side.
func (s *Server) echo(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	buf := make([]byte, BufferSize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			s.noteHeld(n)
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if errors.Is(err, io.EOF) {
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			}
			return
		}
		if err != nil {
			return
		}
	}
}

// noteHeld records n bytes held for echoing in maxHeld; one atomic load
// per read once the maximum is reached.
func (s *Server) noteHeld(n int) {
	for {
		m := s.maxHeld.Load()
		if int64(n) <= m || s.maxHeld.CompareAndSwap(m, int64(n)) {
			return
		}
	}
}
