package uvhttp

/*
#include "engine.h"
*/
import "C"

import (
	"errors"
	"time"

	"github.com/gouv/gouv/cbridge"
	"github.com/gouv/gouv/uv"
)

func cbridgeID(id C.uintptr_t) cbridge.ID { return cbridge.ID(id) }

// loopState is a server's state on one loop: its listener, connections,
// C buffers and sweep timer. Everything but done is used on the loop's
// goroutine only.
type loopState struct {
	srv      *Server
	loop     *uv.Loop
	ln       *uv.TCP
	id       uintptr
	c        *C.uvh_loop_t
	conns    cbridge.Table[*conn]
	sweep    *uv.Timer
	tick     time.Duration
	date     dateCache
	waiting  bool // a connection waits for accepting (MaxConnsPerLoop)
	stopping bool // Shutdown or Close began
	ended    bool
	done     chan struct{} // closed once the listener and conns are gone
	face     face
}

// newLoopState starts serving on the listener ln.
func newLoopState(s *Server, ln *uv.TCP) (*loopState, error) {
	ls := &loopState{srv: s, loop: ln.Loop(), ln: ln, done: make(chan struct{})}
	ls.face = onLoopFace{}
	if s.Handler == nil {
		if newHTTPFace == nil {
			return nil, errors.New("uvhttp: HTTPHandler is not supported in this build")
		}
		ls.face = newHTTPFace(s)
	}
	ls.id = register(ls)
	ls.c = newCLoop(ls.id)
	if ls.c == nil {
		unregister(ls.id)
		return nil, uv.ENOMEM
	}
	if err := ls.startSweep(); err != nil {
		ls.release()
		return nil, err
	}
	if err := ln.Listen(1024, ls.onConnection); err != nil {
		ls.sweep.Close(nil)
		ls.release()
		return nil, err
	}
	return ls, nil
}

// newHTTPFace makes the face of HTTPHandler; the net/http face's file
// sets it.
var newHTTPFace func(s *Server) face

func (ls *loopState) release() {
	freeCLoop(ls.c)
	ls.c = nil
	unregister(ls.id)
}

// onConnection accepts a connection, unless the loop is at its limit: then
// the connection waits in the listener (libuv stops watching it until
// uv_accept) and is taken when another closes.
func (ls *loopState) onConnection(err error) {
	if err != nil {
		ls.srv.logf("uvhttp: accept: %v", err)
		return
	}
	if ls.stopping {
		return
	}
	if m := ls.srv.MaxConnsPerLoop; m > 0 && ls.conns.Len() >= m {
		ls.waiting = true
		return
	}
	ls.accept()
}

func (ls *loopState) accept() {
	t, err := uv.NewTCP(ls.loop)
	if err != nil {
		ls.srv.logf("uvhttp: accept: %v", err)
		return
	}
	if err := ls.ln.Accept(t); err != nil {
		t.Close(nil)
		return
	}
	// As net's TCPConn: without TCP_NODELAY a response written in two
	// parts (head, then body) waits for the peer's delayed ACK (40 ms).
	if err := t.SetNoDelay(true); err != nil {
		ls.srv.logf("uvhttp: accept: %v", err)
	}
	if err := ls.newConn(t); err != nil {
		ls.srv.logf("uvhttp: accept: %v", err)
		t.Close(nil)
	}
}

// connClosed runs when a connection's handle has closed.
func (ls *loopState) connClosed(c *conn) {
	ls.conns.Delete(c.id)
	if ls.waiting && !ls.stopping {
		ls.waiting = false
		ls.accept()
	}
	ls.maybeEnd()
}

// post asks the loop to stop serving, from any goroutine.
func (ls *loopState) post(hard bool) {
	if err := ls.loop.Post(func() { ls.stop(hard) }); err != nil {
		// The loop is closed: nothing runs there any more.
		ls.finish()
	}
}

// stop closes the listener and the idle connections (all of them when
// hard); busy ones close after their response.
func (ls *loopState) stop(hard bool) {
	if !ls.stopping {
		ls.stopping = true
		ls.ln.Close(nil)
		// The sweep goes on, lingering connections need it, and keeps
		// the loop alive until the last connection is gone, even when
		// all that is left waits for a held response's End.
		ls.sweep.Ref()
	}
	ls.conns.Range(func(_ cbridge.ID, c *conn) bool {
		if hard || c.idle() {
			c.close()
		} else {
			c.keep = false
		}
		return true
	})
	ls.maybeEnd()
}

// maybeEnd ends the loop's server once it stops and no connection is left.
func (ls *loopState) maybeEnd() {
	if ls.stopping && !ls.ended && ls.conns.Len() == 0 {
		ls.ended = true
		ls.sweep.Close(nil)
		ls.release()
		ls.finish()
	}
}

func (ls *loopState) finish() {
	select {
	case <-ls.done:
	default:
		close(ls.done)
	}
}
