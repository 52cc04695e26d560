package uvecho

import (
	"errors"

	"github.com/gouv/gouv/uv"
)

// Running is a server on its own loop and goroutine, as tests and
// benchmarks start it.
type Running struct {
	Loop   *uv.Loop
	Server *Server
	done   chan error
}

// Start creates a loop, starts a server on it as cfg says, and runs the
// loop on a new goroutine until Stop.
func Start(cfg Config) (*Running, error) {
	l, err := uv.NewLoop()
	if err != nil {
		return nil, err
	}
	s, err := New(l, cfg)
	if err != nil {
		l.Run(uv.RunDefault) // finish closing the listener
		l.Close()
		return nil, err
	}
	r := &Running{Loop: l, Server: s, done: make(chan error, 1)}
	go func() {
		_, err := l.Run(uv.RunDefault)
		r.done <- err
	}()
	return r, nil
}

// Addr returns the server's address.
func (r *Running) Addr() string { return r.Server.addr }

// Stop shuts the server down from another goroutine, waits for its loop to
// finish and closes the loop.
func (r *Running) Stop() error {
	if err := r.Loop.Post(r.Server.Shutdown); err != nil {
		return err
	}
	return r.Wait()
}

// Wait waits until the server's loop has finished, when the server shut
// down on its own (one of its StopSignals), and closes the loop.
func (r *Running) Wait() error {
	if err := <-r.done; err != nil {
		return err
	}
	return r.Loop.Close()
}

// Do runs f on the server's loop goroutine and waits for it: the way to
// inspect the server (Conns, Loop.Stats) from a test.
func (r *Running) Do(f func()) error {
	ch := make(chan struct{})
	if err := r.Loop.Post(func() { f(); close(ch) }); err != nil {
		return err
	}
	<-ch
	return nil
}

// StartN starts n servers as cfg says, each on its own loop and goroutine
// (n <= 1: one server, as Start). With n > 1 they all listen on one TCP
// address with SO_REUSEPORT: the first binds cfg.Addr (port 0 picks a free
// port), the others bind the address it got, and the kernel spreads
// incoming connections over them. On an error the servers already started
// are stopped. Unix sockets cannot be shared that way: cfg.Pipe with n > 1
// is an error.
func StartN(cfg Config, n int) ([]*Running, error) {
	if n <= 1 {
		r, err := Start(cfg)
		if err != nil {
			return nil, err
		}
		return []*Running{r}, nil
	}
	if cfg.Pipe != "" {
		return nil, errors.New("uvecho: several loops need TCP (SO_REUSEPORT), not a unix socket")
	}
	cfg.ReusePort = true
	var rs []*Running
	for range n {
		r, err := Start(cfg)
		if err != nil {
			StopAll(rs)
			return nil, err
		}
		rs = append(rs, r)
		cfg.Addr = rs[0].Addr()
	}
	return rs, nil
}

// StopAll stops every server of rs (Stop) and returns the first error.
func StopAll(rs []*Running) error {
	var first error
	for _, r := range rs {
		if err := r.Stop(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
