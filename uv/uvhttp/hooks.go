package uvhttp

import (
	"github.com/gouv/gouv/uv"
)

// The engine's hooks for the faces (the on-loop face, onloop.go, and the
// net/http face, nethttp*.go). All run on the loop's goroutine.
//
//  1. dispatch: the Server picks the face (loopState.face): onLoopFace for
//     Handler, newHTTPFace(s) for HTTPHandler; the face's head, body,
//     done and closed methods are called as conn.go says (type face).
//  2. back-pressure on reading: pauseRead, resumeRead.
//  3. the body: face.body gets each piece (decoded when chunked), face.done
//     its end; sendContinue answers Expect: 100-continue when the face
//     wants the body (the on-loop face does so at once).
//  4. ordered asynchronous writes: hold before the face's done returns
//     keeps later requests waiting, write sends response bytes in order
//     with a completion callback, queued tells how much waits in the
//     socket's queue, finishResponse ends the held response (release).
//  5. face.closed when the connection closes; stopping at Shutdown.
//  6. detach hands the gouv TCP and the bytes read but not parsed over.

// pauseRead stops reading from the connection (uv_read_stop) until
// resumeRead; requests already parsed are still delivered.
func (c *conn) pauseRead() {
	if !c.gone && !c.paused {
		c.paused = true
		c.endWatch()
		c.tcp.ReadStop()
	}
}

// resumeRead starts reading again after pauseRead.
func (c *conn) resumeRead() {
	if c.gone || !c.paused {
		return
	}
	c.paused = false
	if (!c.held || c.inReq) && !c.eof && len(c.pending) == 0 {
		readStart(c.c)
	} else if c.held && !c.inReq {
		c.watchPeer()
	}
}

// sendContinue writes "100 Continue" once, if the current request asked
// for it with Expect: 100-continue and it was not sent yet.
func (c *conn) sendContinue() {
	r := &c.req
	if c.continued || !c.inReq || r.minor < 1 || r.ContentLength == 0 ||
		!equalFold(r.Header("Expect"), "100-continue") {
		return
	}
	c.continued = true
	c.out = append(c.out, "HTTP/1.1 100 Continue\r\n\r\n"...)
	if !c.inBatch {
		c.flush()
	}
}

// write sends p after everything written before on the connection, the
// batch's pending responses included; cb, if not nil, runs on the loop
// once p is handed to the kernel, with an error when the connection
// failed or closed first. p may be reused when write returns.
func (c *conn) write(p []byte, cb func(error)) {
	if c.gone {
		if cb != nil {
			c.ls.loop.Post(func() { cb(uv.ECANCELED) })
		}
		return
	}
	if cb == nil {
		c.out = append(c.out, p...)
		if !c.inBatch {
			c.flush()
		}
		return
	}
	c.flush()
	if c.gone {
		c.ls.loop.Post(func() { cb(uv.ECANCELED) })
		return
	}
	if err := c.tcp.Write(p, cb); err != nil {
		c.close()
		c.ls.loop.Post(func() { cb(err) })
	}
}

// queued returns the bytes waiting in the socket's write queue.
func (c *conn) queued() int {
	if c.gone {
		return 0
	}
	return c.tcp.WriteQueueSize()
}

// finishResponse ends a held response: keepAlive false closes the
// connection once it is written; otherwise the next request goes on.
func (c *conn) finishResponse(keepAlive bool) {
	if !keepAlive || c.ls.stopping {
		c.keep, c.closing = false, true
	}
	c.release()
}

// detach lets go of the connection: the engine stops reading and
// forgets it, and cb gets the gouv TCP (open, not reading) and the bytes
// read but not parsed (a copy), to use as it likes; it must close the
// TCP. The responses written so far are flushed first. Called during a
// batch (from face.done), the hand-over happens at the end of the
// request's event.
func (c *conn) detach(cb func(t *uv.TCP, rest []byte)) {
	if c.gone {
		return
	}
	c.detachCb = cb
	c.held = true
	if !c.inBatch {
		c.finishDetach()
	}
}

func (c *conn) finishDetach() {
	cb := c.detachCb
	c.detachCb = nil
	c.flush()
	t := c.tcp
	t.ReadStop()
	rest := append([]byte(nil), c.pending...)
	c.gone = true
	c.ls.face.closed(c)
	dropCConn(c.c)
	c.c, c.tcp = nil, nil
	c.ls.conns.Delete(c.id)
	c.ls.maybeEnd()
	cb(t, rest)
}
