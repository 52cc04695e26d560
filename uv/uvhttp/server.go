package uvhttp

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/gouv/gouv/uv"
)

// ErrServerClosed is what ListenAndServe and Wait return once Shutdown or
// Close has ended the server; it is net/http's own.
var ErrServerClosed = http.ErrServerClosed

// Defaults for the limits left zero.
const (
	// DefaultMaxHeaderBytes is net/http's: 1 MiB of request line and
	// headers.
	DefaultMaxHeaderBytes = http.DefaultMaxHeaderBytes
	// DefaultMaxBodyBytes is the request body limit when MaxBodyBytes is
	// zero: 8 MiB. net/http's server has no such limit (a handler wraps
	// the body in http.MaxBytesReader); an on-loop handler gets the body
	// whole, so uvhttp needs one.
	DefaultMaxBodyBytes = 8 << 20
)

// A Server serves HTTP/1.x on gouv loops: N loops (Loops) on one port with
// SO_REUSEPORT, each on its own goroutine, or on a gouv listener (Serve).
// Requests are parsed by llhttp inside libuv's read callback and answered
// by Handler on the loop's goroutine. The zero value of every field but
// Handler is usable. Fields must not change once the server has started.
type Server struct {
	// Addr is the TCP address to listen on, host:port ("127.0.0.1:8080",
	// ":8080"); an empty host listens on every IPv4 address, port 0 picks
	// a free port (Start returns it).
	Addr string
	// Loops is the number of loops (and goroutines) ListenAndServe runs,
	// each with its own listening socket on Addr with SO_REUSEPORT, so the
	// kernel spreads connections over them. 0 means 1.
	Loops int
	// Handler answers requests on the loop's goroutine.
	Handler func(w *ResponseWriter, r *Request)
	// StreamBody makes Handler run as soon as a request's head is in,
	// before its body, which it takes as it streams with Request.OnBody.
	// Without it, Handler runs once the body is whole (up to MaxBodyBytes)
	// and gets it from Request.Body.
	StreamBody bool
	// HTTPHandler, when set instead of Handler, answers requests with a
	// standard http.Handler run off the loop (the net/http face).
	HTTPHandler http.Handler
	// HandlerGoroutines bounds the goroutines that run HTTPHandler, and
	// HandlerQueue the requests waiting for one; when both are full,
	// connections stop reading until one frees. 0 means
	// DefaultHandlerGoroutines and DefaultHandlerQueue (nethttp_pool.go).
	HandlerGoroutines int
	HandlerQueue      int

	// ReadHeaderTimeout bounds the time from a request's first byte to the
	// end of its head; 0 means ReadTimeout.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the time from a request's first byte to its end.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of a request's head to
	// the end of its response's write.
	WriteTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a keep-alive
	// connection; 0 means ReadTimeout. Timeouts are enforced by one
	// sweep timer per loop, so they fire up to a quarter of the smallest
	// of them (at most a second, at least 10 ms) late.
	IdleTimeout time.Duration

	// MaxHeaderBytes limits a request's line and headers (431 past it); 0
	// means DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// MaxBodyBytes limits a request's body (413 past it); 0 means
	// DefaultMaxBodyBytes, or no limit with HTTPHandler (its handlers read
	// the body as it streams, as net/http's do).
	MaxBodyBytes int64
	// MaxConnsPerLoop, when positive, limits the connections of each loop:
	// at the limit the loop stops accepting until one closes.
	MaxConnsPerLoop int

	// ErrorLog logs handler panics and failed accepts; nil means the log
	// package's standard logger.
	ErrorLog *log.Logger

	mu       sync.Mutex
	loops    []*loopState
	started  bool
	closed   bool
	runDone  []chan error
	bound    netip.AddrPort
	nextLoop int
	nhOnce   sync.Once
	nh       *nhFace // the net/http face (nethttp.go)
}

// logf logs through ErrorLog.
func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

func (s *Server) maxHeader() int64 {
	if s.MaxHeaderBytes > 0 {
		return int64(s.MaxHeaderBytes)
	}
	return DefaultMaxHeaderBytes
}

func (s *Server) maxBody() int64 {
	if s.MaxBodyBytes > 0 {
		return s.MaxBodyBytes
	}
	if s.Handler == nil {
		return 1 << 62 // HTTPHandler streams the body: no limit, as net/http
	}
	return DefaultMaxBodyBytes
}

// ListenAndServe listens on Addr with Loops loops, each on a goroutine of
// its own, and serves until Shutdown or Close, then returns
// ErrServerClosed; it returns another error at once when it cannot
// listen. It is Start followed by Wait.
func (s *Server) ListenAndServe() error {
	if _, err := s.Start(); err != nil {
		return err
	}
	return s.Wait()
}

// Start listens on Addr with Loops loops (uv_tcp_bind, uv_listen) and
// serves on their goroutines; it returns the address bound (with the port
// chosen when Addr's is 0) once every loop listens. Wait waits for the end.
func (s *Server) Start() (netip.AddrPort, error) {
	if s.Handler == nil && s.HTTPHandler == nil {
		return netip.AddrPort{}, errors.New("uvhttp: Server has neither Handler nor HTTPHandler")
	}
	addr, err := parseAddr(s.Addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return netip.AddrPort{}, ErrServerClosed
	}
	if s.started {
		s.mu.Unlock()
		return netip.AddrPort{}, errors.New("uvhttp: Server started already")
	}
	s.started = true
	s.mu.Unlock()
	n := max(s.Loops, 1)
	for i := 0; i < n; i++ {
		bound, err := s.startLoop(addr, n > 1)
		if err != nil {
			s.Close()
			s.Wait()
			return netip.AddrPort{}, err
		}
		addr = bound // the other loops share the port the first one got
	}
	s.mu.Lock()
	s.bound = addr
	s.mu.Unlock()
	return addr, nil
}

// startLoop creates a loop listening on addr and runs it on a goroutine.
func (s *Server) startLoop(addr netip.AddrPort, reuse bool) (netip.AddrPort, error) {
	type result struct {
		addr netip.AddrPort
		err  error
	}
	ready := make(chan result, 1)
	done := make(chan error, 1)
	go func() {
		l, err := uv.NewLoop()
		if err != nil {
			ready <- result{err: err}
			done <- nil
			return
		}
		bound, err := s.listen(l, addr, reuse)
		ready <- result{bound, err}
		_, rerr := l.Run(uv.RunDefault)
		if cerr := l.Close(); rerr == nil {
			rerr = cerr
		}
		done <- rerr
	}()
	r := <-ready
	s.mu.Lock()
	s.runDone = append(s.runDone, done)
	s.mu.Unlock()
	return r.addr, r.err
}

// listen binds and listens on loop l, before it runs.
func (s *Server) listen(l *uv.Loop, addr netip.AddrPort, reuse bool) (netip.AddrPort, error) {
	t, err := uv.NewTCP(l)
	if err != nil {
		return netip.AddrPort{}, err
	}
	var flags uv.TCPFlags
	if reuse {
		flags = uv.TCPReusePort
	}
	if err = t.Bind(addr, flags); err == nil {
		err = s.Serve(t)
	}
	if err != nil {
		t.Close(nil)
		return netip.AddrPort{}, err
	}
	return t.LocalAddr()
}

// Serve serves on ln, a bound gouv TCP handle, on ln's loop: it starts
// listening (uv_listen) and returns; the server then runs as the loop
// does. Call it on the loop's goroutine. Shutdown and Close stop it like
// the loops of ListenAndServe (closing ln), and Wait does not wait for it.
func (s *Server) Serve(ln *uv.TCP) error {
	if s.Handler == nil && s.HTTPHandler == nil {
		return errors.New("uvhttp: Server has neither Handler nor HTTPHandler")
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.mu.Unlock()
	ls, err := newLoopState(s, ln)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.loops = append(s.loops, ls)
	s.mu.Unlock()
	return nil
}

// Wait waits until the loops of Start have ended and returns
// ErrServerClosed, or the first error a loop's Run or Close returned.
func (s *Server) Wait() error {
	s.mu.Lock()
	done := s.runDone
	s.mu.Unlock()
	var first error
	for _, d := range done {
		if err := <-d; err != nil && first == nil {
			first = err
		}
		d <- nil // for another Wait
	}
	if first != nil {
		return first
	}
	return ErrServerClosed
}

// Shutdown stops the server gracefully: every loop closes its listener
// and its idle connections, lets the requests in flight finish (their
// responses say Connection: close) and closes their connections after
// them. It returns nil once every connection is gone, or ctx's error when
// ctx ends first (the server then goes on shutting down). It waits for
// the loops: call it from another goroutine than theirs.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.stop(ctx, false)
}

// Close closes the listeners and every connection at once, requests in
// flight or not, and waits until they are closed: call it from another
// goroutine than the loops'.
func (s *Server) Close() error {
	return s.stop(context.Background(), true)
}

func (s *Server) stop(ctx context.Context, hard bool) error {
	s.mu.Lock()
	s.closed = true
	loops := append([]*loopState(nil), s.loops...)
	s.mu.Unlock()
	for _, ls := range loops {
		ls.post(hard)
	}
	for _, ls := range loops {
		select {
		case <-ls.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.stopHandlers()
	return nil
}

// parseAddr parses host:port; an empty host is 0.0.0.0, a name other than
// localhost is refused (resolve it first).
func parseAddr(a string) (netip.AddrPort, error) {
	if a == "" {
		a = ":80"
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return netip.AddrPort{}, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, errors.New("uvhttp: bad port in " + strconv.Quote(a))
	}
	var ip netip.Addr
	switch host {
	case "":
		ip = netip.IPv4Unspecified()
	case "localhost":
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	default:
		if ip, err = netip.ParseAddr(host); err != nil {
			return netip.AddrPort{}, errors.New("uvhttp: Addr needs a numeric host: " + strconv.Quote(a))
		}
	}
	return netip.AddrPortFrom(ip, uint16(p)), nil
}
