package uvecho

import (
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
