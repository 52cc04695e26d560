// Package uvecho is a TCP and unix-socket echo server on gouv: ordinary Go
// over the public uv API, what a user would write. examples/echo runs it;
// tests and benchmarks start it in-process.
//
// Each connection echoes every byte in order: the read callback writes what
// it got (TryWrite first; only the rest is queued, with a callback that
// closes the connection when the write fails). When more
// than HighWater bytes are queued for a slow reader, the connection stops
// reading until the queue drains, so memory stays bounded. At end of
// stream it finishes echoing, shuts down its write side and closes; a reset
// or error closes it at once.
//
// Several servers, each on its own loop, can share one TCP address with
// SO_REUSEPORT (Config.ReusePort, StartN: examples/echo -loops N). Out of
// file descriptors, the server keeps running: libuv drops the connections
// it has no fd for, and accepts again once fds are free (TestEmfile). The
// UDP echo (UDPServer, udp.go) echoes every datagram to its sender.
package uvecho

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"

	"github.com/gouv/gouv/uv"
)

// DefaultHighWater is the write-queue size above which a connection stops
// reading.
const DefaultHighWater = 1 << 20

// Config says where to listen.
type Config struct {
	Addr      string // TCP host:port (port 0 picks one); ignored when Pipe is set
	Pipe      string // unix socket path
	Backlog   int    // listen backlog; 0 means 1024
	HighWater int    // bytes queued before reading pauses; 0 means DefaultHighWater

	// ReusePort sets SO_REUSEPORT (uv.TCPReusePort) on the TCP listener,
	// so that several servers, on several loops, can listen on the same
	// address; the kernel spreads the connections over them by a hash of
	// their addresses and ports. StartN sets it.
	ReusePort bool

	// StopSignals shut the server down when one of them reaches the
	// process (examples/echo passes SIGINT and SIGTERM): each gets a
	// uv.Signal watcher on the server's loop, closed by Shutdown.
	StopSignals []syscall.Signal
}

// Server is an echo server on one loop. Its methods run on the loop's
// goroutine.
type Server struct {
	loop  *uv.Loop
	lis   uv.Stream
	pipe  bool
	addr  string
	hwm   int
	reuse bool // Config.ReusePort
	conns map[*conn]struct{}
	sigs  signalWatchers
	done  bool

	// Inspection (MaxWriteQueue, Pauses, Accepted, AcceptErrors): loop
	// goroutine only.
	maxQueue   int
	pauses     int
	accepted   int
	acceptErrs int
}

// New starts listening on l as cfg says. Call it on l's goroutine (before
// Run or from a callback).
func New(l *uv.Loop, cfg Config) (*Server, error) {
	s := &Server{loop: l, hwm: cfg.HighWater, reuse: cfg.ReusePort, conns: map[*conn]struct{}{}}
	if s.hwm <= 0 {
		s.hwm = DefaultHighWater
	}
	backlog := cfg.Backlog
	if backlog <= 0 {
		backlog = 1024
	}
	var err error
	if cfg.Pipe != "" {
		err = s.listenPipe(cfg.Pipe)
	} else {
		err = s.listenTCP(cfg.Addr)
	}
	if err == nil {
		err = s.lis.Listen(backlog, s.accept)
	}
	if err == nil {
		s.sigs, err = watchSignals(l, s.Shutdown, cfg.StopSignals)
	}
	if err != nil {
		if s.lis != nil {
			s.lis.Close(nil)
		}
		return nil, err
	}
	return s, nil
}

// listenTCP listens on addr, "ip:port" or "host:port": a host name is
// resolved with gouv's resolver (GetAddrInfoSync) and the first address
// it gives is used.
func (s *Server) listenTCP(addr string) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		host, port, serr := net.SplitHostPort(addr)
		if serr != nil {
			return serr
		}
		res, rerr := uv.GetAddrInfoSync(s.loop, host, port, &uv.AddrInfoHints{Flags: uv.AIPassive | uv.AINumericServ})
		if rerr != nil {
			return rerr
		}
		ap = res[0].Addr
	}
	t, err := uv.NewTCP(s.loop)
	if err != nil {
		return err
	}
	s.lis = t
	if err := t.Bind(ap, s.bindFlags()); err != nil {
		return err
	}
	bound, err := t.LocalAddr()
	s.addr = bound.String()
	return err
}

// bindFlags returns the flags of the TCP listener's Bind.
func (s *Server) bindFlags() uv.TCPFlags {
	if s.reuse {
		return uv.TCPReusePort
	}
	return 0
}

func (s *Server) listenPipe(path string) error {
	p, err := uv.NewPipe(s.loop, false)
	if err != nil {
		return err
	}
	s.lis, s.pipe, s.addr = p, true, path
	return p.Bind(path)
}

// Addr returns the address the server listens on: host:port with the real
// port, or the socket path.
func (s *Server) Addr() string { return s.addr }

// Conns returns the number of open connections.
func (s *Server) Conns() int { return len(s.conns) }

// HighWater returns the write-queue size above which a connection stops
// reading (Config.HighWater, or DefaultHighWater).
func (s *Server) HighWater() int { return s.hwm }

// MaxWriteQueue returns the largest write queue (bytes accepted for
// writing but not yet handed to the kernel, WriteQueueSize) that any
// connection has had since the server started, sampled right after each
// echo write, which is when the queue is at its largest. It is what the
// server buffers for a slow reader: reading stops as soon as the queue
// passes HighWater, so it stays within HighWater plus one read (the loop's
// 64 KiB read buffer). Tests use it; call it on the loop's goroutine.
func (s *Server) MaxWriteQueue() int { return s.maxQueue }

// Pauses returns how many times a connection has stopped reading because
// its write queue passed HighWater. Call it on the loop's goroutine.
func (s *Server) Pauses() int { return s.pauses }

// Shutdown closes the listener and every connection; the loop then has
// nothing left to run and Run returns.
func (s *Server) Shutdown() {
	if s.done {
		return
	}
	s.done = true
	s.sigs.close()
	s.lis.Close(nil)
	for c := range s.conns {
		c.close()
	}
}

// Accepted returns how many connections the server has accepted. Call it
// on the loop's goroutine.
func (s *Server) Accepted() int { return s.accepted }

// AcceptErrors returns how many times the listener reported an error
// instead of a connection. Out of fds (EMFILE), libuv drops the pending
// connections itself (it closes a reserve fd, accepts and closes them) and
// reports nothing, so this stays 0 then; a connection callback with an
// error is skipped and the server goes on listening. Call it on the loop's
// goroutine.
func (s *Server) AcceptErrors() int { return s.acceptErrs }

func (s *Server) accept(err error) {
	if err != nil {
		s.acceptErrs++
		return
	}
	if s.done {
		return
	}
	h, err := s.newStream()
	if err != nil {
		return
	}
	if err := s.lis.Accept(h); err != nil {
		h.Close(nil)
		return
	}
	s.accepted++
	c := &conn{srv: s, h: h}
	c.onRead, c.onWritten, c.onDrained = c.read, c.written, c.drained
	c.onShutdown, c.onClosed = c.shutdownDone, c.closed
	s.conns[c] = struct{}{}
	if err := h.ReadStart(c.onRead); err != nil {
		c.close()
	}
}

func (s *Server) newStream() (uv.Stream, error) {
	if s.pipe {
		return uv.NewPipe(s.loop, false)
	}
	t, err := uv.NewTCP(s.loop)
	if err == nil {
		t.SetNoDelay(true)
	}
	return t, err
}

// conn is one echoed connection. Its callbacks are method values made once
// per connection, so the echo path does not allocate.
type conn struct {
	srv     *Server
	h       uv.Stream
	paused  bool
	eof     bool
	closing bool

	onRead     func([]byte, error)
	onWritten  func(error)
	onDrained  func(error)
	onShutdown func(error)
	onClosed   func()
}

func (c *conn) read(p []byte, err error) {
	if err != nil {
		c.readFailed(err)
		return
	}
	if err := c.write(p); err != nil {
		c.close()
		return
	}
	q := c.h.WriteQueueSize()
	if q > c.srv.maxQueue {
		c.srv.maxQueue = q
	}
	if q > c.srv.hwm && !c.paused {
		// A slow reader: stop reading until what is queued has gone. The
		// empty write's callback runs when the writes before it are done.
		c.paused = true
		c.srv.pauses++
		c.h.ReadStop()
		if err := c.h.Write(nil, c.onDrained); err != nil {
			c.close()
		}
	}
}

// write echoes p: what the socket takes at once costs nothing more (no
// request, no callback); the rest is queued with a callback. Every queued
// write has one because after a failed write libuv stops writing and
// leaves the later requests queued until close: the failure of a write
// without a callback would go unheard while reading is paused, and the
// connection would stay open forever.
func (c *conn) write(p []byte) error {
	if c.h.WriteQueueSize() == 0 {
		n, err := c.h.TryWrite(p)
		if err != nil && !errors.Is(err, uv.EAGAIN) {
			return err
		}
		if n == len(p) {
			return nil
		}
		p = p[n:]
	}
	return c.h.Write(p, c.onWritten)
}

func (c *conn) written(err error) {
	if err != nil {
		c.close()
	}
}

func (c *conn) readFailed(err error) {
	if !errors.Is(err, io.EOF) {
		c.close()
		return
	}
	// Half-close: echo what is queued, then shut down our write side.
	c.eof = true
	if err := c.h.Shutdown(c.onShutdown); err != nil {
		c.close()
	}
}

func (c *conn) drained(err error) {
	if c.closing {
		return
	}
	if err != nil {
		c.close()
		return
	}
	c.paused = false
	if !c.eof {
		if err := c.h.ReadStart(c.onRead); err != nil {
			c.close()
		}
	}
}

func (c *conn) shutdownDone(error) { c.close() }

func (c *conn) close() {
	if c.closing {
		return
	}
	c.closing = true
	c.h.Close(c.onClosed)
}

func (c *conn) closed() { delete(c.srv.conns, c) }
