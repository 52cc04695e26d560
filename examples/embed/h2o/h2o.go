// Package h2o hosts h2o, the HTTP/1.1 and HTTP/2 server library (Debian's
// libh2o-dev 2.2.5, its libuv build), on a gouv loop: h2o's context is
// initialised with the loop's uv_loop_t (uv.Loop.Raw), and its sockets,
// timers and asyncs are foreign handles of that loop, run by Loop.Run
// beside gouv's own handles. It serves 127.0.0.1 only: "/" from C, and
// "/go" from a Go function (Server.Route), HTTP/1.1 and HTTP/2 over
// cleartext with prior knowledge (h2c, curl --http2-prior-knowledge).
//
// Every method runs on the loop's goroutine (uv's thread rule, which h2o
// shares: it is single-threaded on its loop). Shutdown is the order of the
// README's "Hosting C libraries on a gouv loop": close gouv's handles,
// StopListening, wait for Conns to reach 0 (clients gone), Dispose, close
// the foreign handles h2o left (CloseForeign), run the loop, Close it.
package h2o

/*
#cgo pkg-config: libh2o
#cgo CFLAGS: -O2 -Wall -Wno-unused-parameter -Wno-unused-function
#include <stdlib.h>
#include "gh2o.h"
*/
import "C"

import (
	"errors"
	"sync"

	"github.com/gouv/gouv/uv"
)

// Server is h2o serving on a gouv loop.
type Server struct {
	c     *C.gh2o_server_t
	loop  *uv.Loop
	id    uintptr
	route func(path string) string
}

// servers finds a Server by the id its C side passes to goH2ORoute; loops
// on several goroutines may each run servers, hence the mutex.
var servers struct {
	sync.Mutex
	next uintptr
	m    map[uintptr]*Server
}

// Listen starts h2o on l, listening on 127.0.0.1:port (0 picks a port).
// route, if not nil, makes the body of every request to "/go" and below;
// without it those get 404. Call Listen on the loop's goroutine.
func Listen(l *uv.Loop, port int, route func(path string) string) (*Server, error) {
	s := &Server{loop: l, route: route}
	servers.Lock()
	servers.next++
	s.id = servers.next
	if servers.m == nil {
		servers.m = map[uintptr]*Server{}
	}
	servers.m[s.id] = s
	servers.Unlock()
	var err C.int
	s.c = C.gh2o_start((*C.uv_loop_t)(l.Raw()), C.int(port), C.uintptr_t(s.id), &err)
	if s.c == nil {
		s.forget()
		return nil, uv.Errno(err)
	}
	return s, nil
}

func (s *Server) forget() {
	servers.Lock()
	delete(servers.m, s.id)
	servers.Unlock()
}

// Port returns the port h2o listens on.
func (s *Server) Port() int { return int(C.gh2o_port(s.c)) }

// Served returns how many requests h2o has answered.
func (s *Server) Served() int { return int(C.gh2o_served(s.c)) }

// Conns returns the connections open, counting the listener until its
// close callback ran.
func (s *Server) Conns() int { return int(C.gh2o_conns(s.c)) }

// StopListening closes the listener; open connections go on.
func (s *Server) StopListening() { C.gh2o_stop_listening(s.c) }

// ErrBusy is Dispose's error while the listener or a connection is open.
var ErrBusy = errors.New("h2o: connections are open: stop listening and let the clients go first")

// Dispose disposes of h2o's context and configuration (h2o_context_dispose,
// h2o_config_dispose) once Conns is 0. The context's own handles close
// in the next loop iterations.
func (s *Server) Dispose() error {
	if C.gh2o_dispose(s.c) != 0 {
		return ErrBusy
	}
	s.c = nil
	s.forget()
	return nil
}

// CloseForeign closes every foreign handle left open on l (uv.Foreign):
// step 3 of the shutdown order, after the libraries' dispose.
func CloseForeign(l *uv.Loop) int {
	n := 0
	l.WalkForeign(func(f uv.Foreign) {
		if !f.IsClosing() && f.Close(nil) == nil {
			n++
		}
	})
	return n
}

//export goH2ORoute
func goH2ORoute(id C.uintptr_t, p *C.char, n C.size_t) *C.char {
	servers.Lock()
	s := servers.m[uintptr(id)]
	servers.Unlock()
	if s == nil || s.route == nil {
		return nil
	}
	return C.CString(s.route(C.GoStringN(p, C.int(n))))
}
