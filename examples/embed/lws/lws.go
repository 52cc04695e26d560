// Package lws hosts libwebsockets (Debian's libwebsockets-dev 4.1 with its
// libuv event-loop plugin, libwebsockets-evlib-uv) on a gouv loop: the
// context is created with LWS_SERVER_OPTION_LIBUV and the loop's
// uv_loop_t (uv.Loop.Raw) as its foreign loop, so lws's listener,
// connections and timers are foreign handles of the loop, run by
// Loop.Run beside gouv's. It answers every HTTP request on 127.0.0.1 with
// a fixed body.
//
// Every method runs on the loop's goroutine. Shutdown follows the README's
// "Hosting C libraries on a gouv loop": close gouv's handles, Destroy,
// run the loop until Finish says the context is gone, Free, close the
// foreign handles left, run the loop, Close it.
package lws

/*
#cgo pkg-config: libwebsockets
#cgo CFLAGS: -O2 -Wall -Wno-unused-parameter
#include "glws.h"
*/
import "C"

import (
	"errors"

	"github.com/gouv/gouv/uv"
)

// Server is an lws context serving HTTP on a gouv loop.
type Server struct {
	c *C.glws_server_t
}

// Listen creates the context on l, listening on 127.0.0.1:port (0 picks a
// port). Call it on the loop's goroutine.
func Listen(l *uv.Loop, port int) (*Server, error) {
	c := C.glws_start((*C.uv_loop_t)(l.Raw()), C.int(port))
	if c == nil {
		return nil, errors.New("lws: lws_create_context failed")
	}
	return &Server{c: c}, nil
}

// Port returns the port lws listens on.
func (s *Server) Port() int { return int(C.glws_port(s.c)) }

// Served returns how many requests lws has answered.
func (s *Server) Served() int { return int(C.glws_served(s.c)) }

// Destroy starts destroying the context (lws_context_destroy): lws closes
// its connections and handles in the next loop iterations; Finish ends it.
func (s *Server) Destroy() { C.glws_destroy(s.c) }

// Destroyed reports whether lws has finished destroying the context.
func (s *Server) Destroyed() bool { return C.glws_destroyed(s.c) != 0 }

// Finish completes Destroy and reports whether the context is gone. On a
// foreign loop lws 4.1 closes its handles after the first
// lws_context_destroy but frees the context only when it is called again
// once they are closed (lws's own foreign-loop example calls it again
// after its loop ends). Finish makes that second call when l has no
// foreign handle left, so it assumes lws is the only C library on l: with
// another one, call it once lws's handles are gone. Run the loop between
// calls until it returns true.
func (s *Server) Finish(l *uv.Loop) bool {
	if s.Destroyed() {
		return true
	}
	n := 0
	l.WalkForeign(func(uv.Foreign) { n++ })
	if n == 0 {
		C.glws_destroy(s.c)
	}
	return s.Destroyed()
}

// Free releases the Server once Destroyed.
func (s *Server) Free() error {
	if !s.Destroyed() {
		return errors.New("lws: the context is not destroyed yet: run the loop")
	}
	C.glws_free(s.c)
	s.c = nil
	return nil
}
