package uvhttp

/*
#include "engine.h"
*/
import "C"

import (
	"net/netip"

	"github.com/gouv/gouv/cbridge"
	"github.com/gouv/gouv/uv"
)

// face is what answers the requests of a connection: the on-loop face
// (Handler, onloop.go) or the net/http face (HTTPHandler). The engine
// calls it on the loop's goroutine: head when a request's head is parsed
// (its views valid until the batch ends, or until done when the engine
// kept a copy), body for each piece of its body (decoded when chunked;
// valid during the call), done when the request is complete, closed
// when the connection closes (at once, before its handle is closed).
type face interface {
	head(c *conn, r *Request)
	body(c *conn, r *Request, p []byte)
	done(c *conn, r *Request)
	closed(c *conn)
}

// conn is one connection: its gouv TCP, its C state, the request being
// parsed and the responses not written yet.
type conn struct {
	ls     *loopState
	tcp    *uv.TCP
	c      *C.uvh_conn_t
	id     cbridge.ID
	remote netip.AddrPort

	req       Request
	w         ResponseWriter
	inReq     bool // a head was parsed and its request is not done
	kept      bool // req's head and headers were copied out of the batch
	keep      bool // answer keep-alive (false once closing is decided)
	held      bool // a response is pending: later requests wait
	closing   bool // close once the responses are written
	shut      bool // the write side is shut down or being so
	shutOK    bool // and its shutdown is done
	eof       bool // the peer ended its side
	gone      bool // Close was called
	paused    bool // pauseRead
	watching  bool // watchPeer reads while held (nethttp_watch.go)
	inBatch   bool // batch is running
	continued bool // 100 Continue was sent for the current request

	out     []byte // responses of the batch, written at its end
	headBuf []byte // a head kept across batches
	hdrBuf  []hdrRec
	bodyBuf []byte
	pending []byte // bytes read but not parsed while held
	feeding []byte
	vec     [2][]byte // flushWith's buffers

	phase int   // what the deadline bounds (timeouts.go)
	since int64 // when the phase began, in loop milliseconds

	onClose    func()
	onShutdown func(error)
	resumeFn   func()
	detachCb   func(t *uv.TCP, rest []byte)
}

func (ls *loopState) newConn(t *uv.TCP) error {
	// A conn is never reused: a handler may keep its ResponseWriter past
	// the connection's end (a timer's End), and must find it closed.
	c := &conn{}
	c.ls, c.tcp, c.keep = ls, t, true
	c.onClose = c.closed
	c.onShutdown = c.shutDone
	c.resumeFn = c.resume
	c.w.c = c
	c.req.c = c
	c.remote, _ = t.RemoteAddr()
	c.id = ls.conns.New(c)
	c.c = newCConn(ls.c, t, uint64(c.id), ls.srv.maxHeader(), ls.srv.maxBody())
	if c.c == nil {
		ls.conns.Delete(c.id)
		return uv.ENOMEM
	}
	if err := readStart(c.c); err != 0 {
		c.close()
		return nil
	}
	c.setPhase(phaseHead) // as net/http: the first head is awaited under ReadHeaderTimeout
	return nil
}

// batch answers one read's events (goUVHTTPBatch): buf is the buffer C
// parsed, valid until batch returns.
func (c *conn) batch(buf []byte) {
	ev, hdrs := events(c.ls.c)
	c.inBatch = true
	defer c.endBatch()
	for i := range ev {
		if c.gone {
			return
		}
		e := &ev[i]
		switch e.kind {
		case evHead:
			c.head(buf, hdrs, e)
		case evBody:
			if c.inReq {
				c.ls.face.body(c, &c.req, buf[e.off:e.off+e.len])
			}
		case evDone:
			c.done(e)
		case evError:
			c.fail(int(e.code))
		}
		if (e.kind == evDone || e.kind == evError) && (c.held || c.closing) {
			if e.kind == evDone && e.len != 0 { // an Upgrade's end (engine.c)
				c.pending = append(c.pending, buf[e.off:]...)
				rewind(c.c)
				c.tcp.ReadStop()
				c.watchPeer()
				break
			}
			c.stopAt(buf, ev[i+1:])
			break
		}
	}
	if c.inReq && !c.kept && !c.gone {
		c.keepHead()
	}
}

// endBatch writes the batch's responses and hands a detached connection
// over.
func (c *conn) endBatch() {
	c.inBatch = false
	if c.detachCb != nil {
		c.finishDetach()
		return
	}
	c.flush()
	if !c.gone {
		c.setPhase(c.nextPhase())
	}
}

// head starts a request from its parsed head.
func (c *conn) head(buf []byte, hdrs []hdrRec, e *C.uvh_ev_t) {
	r := &c.req
	*r = Request{c: c}
	r.head = buf[e.off:]
	r.hdrs = hdrs[e.hdr : e.hdr+e.nhdr]
	r.urlOff, r.urlLen = uint32(e.url_off), uint32(e.url_len)
	r.method = uint8(e.method)
	r.major, r.minor = uint8(e.major), uint8(e.minor)
	r.flags = uint8(e.flags)
	r.ContentLength = -1
	if e.flags&flagHasLen != 0 {
		r.ContentLength = int64(e.clen)
	} else if e.flags&flagChunked == 0 {
		r.ContentLength = 0
	}
	c.inReq, c.kept, c.continued = true, false, false
	c.setPhase(phaseBody)
	if r.major == 1 && r.minor >= 1 && r.Header("Host") == nil {
		c.fail(400)
		return
	}
	c.ls.face.head(c, r)
}

// done ends the request: the face answers it, then the connection is
// kept or closed as the request and response say.
func (c *conn) done(e *C.uvh_ev_t) {
	if !c.inReq {
		return
	}
	if e.flags&flagKeepAlive == 0 {
		c.keep = false
	}
	c.ls.face.done(c, &c.req)
	c.inReq = false
}

// keepHead copies the request's head and headers out of the batch's
// buffer, which the next read reuses, into the connection's own.
func (c *conn) keepHead() {
	r := &c.req
	end := int(r.urlOff + r.urlLen)
	for _, h := range r.hdrs {
		end = max(end, int(h.voff+h.vlen), int(h.noff+h.nlen))
	}
	c.headBuf = append(c.headBuf[:0], r.head[:end]...)
	c.hdrBuf = append(c.hdrBuf[:0], r.hdrs...)
	r.head, r.hdrs = c.headBuf, c.hdrBuf
	if r.bodyView {
		c.bodyBuf = append(c.bodyBuf[:0], r.body...)
		r.body, r.bodyView = c.bodyBuf, false
	}
	c.kept = true
}

// stopAt stops answering the batch after a request whose response is
// pending (held) or that closes the connection. When held, the bytes not
// answered yet (from the next request on, rest being the events after
// it) are kept to be parsed again once the response is done.
func (c *conn) stopAt(buf []byte, rest []C.uvh_ev_t) {
	cut := rewind(c.c)
	if c.closing || c.gone {
		return
	}
	from := len(buf)
	for i := range rest {
		if rest[i].kind == evHead {
			from = int(rest[i].off)
			break
		}
	}
	if from == len(buf) && cut >= 0 {
		from = cut
	}
	c.pending = append(c.pending, buf[from:]...)
	if c.detachCb == nil && !c.watchPeer() {
		c.tcp.ReadStop()
	}
}

// hold stops answering later requests until release: the engine hook for
// responses that end after their handler returned.
func (c *conn) hold() { c.held = true }

// release lets the connection go on after a held response: the bytes kept
// meanwhile are parsed on a later turn of the loop, then reading resumes.
func (c *conn) release() {
	c.held = false
	if c.closing {
		c.unwatch()
	}
	c.flush()
	if c.gone {
		return
	}
	if c.closing {
		c.unwatch() // flush decided it
	}
	if c.closing {
		c.shutdown()
		if !c.gone && !c.eof {
			readStart(c.c) // reading stopped while held: see the peer's end
		}
		return
	}
	c.setPhase(c.nextPhase())
	c.ls.loop.Post(c.resumeFn)
}

// resume parses the bytes kept while held, then reads again.
func (c *conn) resume() {
	if c.gone {
		return
	}
	c.endWatch() // still reading: the engine parses what comes next
	c.feeding, c.pending = c.pending, c.feeding[:0]
	for off := 0; off < len(c.feeding); {
		if c.gone || c.held || c.closing {
			c.pending = append(c.pending, c.feeding[off:]...)
			return
		}
		n := min(len(c.feeding)-off, rbufSize)
		feed(c.ls.c, c.c, c.feeding[off:off+n])
		off += n
	}
	if !c.gone && !c.held && !c.closing && !c.eof && !c.paused {
		readStart(c.c)
	}
}

// fail answers a request the parser or the engine refused with status,
// and closes the connection after it, as net/http does.
func (c *conn) fail(status int) {
	in := c.inReq
	c.inReq = false
	c.keep = false
	c.closing = true
	if f, ok := c.ls.face.(bodyFailer); ok && in && c.held {
		f.bodyFailed(c, status) // the face's handler answers (nethttp.go)
		return
	}
	c.out = appendError(c.out, status)
}

// flush writes the responses produced so far in one write (uv_try_write
// first, the rest copied and queued), then closes when the connection
// ends.
func (c *conn) flush() {
	if c.gone {
		return
	}
	if len(c.out) > 0 {
		err := c.tcp.Write(c.out, nil)
		c.out = c.out[:0]
		if err != nil {
			c.close()
			return
		}
	}
	if c.closing && !c.held {
		c.shutdown()
	}
}

// flushWith writes the output so far and then body, in one write
// (uv_try_write first, as flush).
func (c *conn) flushWith(body []byte) {
	if c.gone {
		return
	}
	c.vec[0], c.vec[1] = c.out, body
	err := c.tcp.WriteV(c.vec[:], nil)
	c.vec = [2][]byte{}
	c.out = c.out[:0]
	if err != nil {
		c.close()
	}
}

// shutdown ends the write side once the responses are written, then
// waits (a second at most, discarding what it reads) for the peer to end
// its side before closing: closing with unread bytes would reset the
// connection and could lose the last response at the peer.
func (c *conn) shutdown() {
	if c.shut || c.gone {
		return
	}
	c.shut = true
	setDiscard(c.c)
	readStart(c.c) // to see the peer's end (EALREADY when reading)
	if c.tcp.Shutdown(c.onShutdown) != nil {
		c.close()
		return
	}
	c.setPhase(phaseLinger)
}

func (c *conn) shutDone(err error) {
	c.shutOK = true
	if err != nil || c.eof {
		c.close()
	}
}

// end is the end of the peer's stream (goUVHTTPEnd): EOF or an error.
// After EOF what is owed is still written: a held response, queued
// writes; then the connection closes.
func (c *conn) end(status int) {
	c.eof = true
	if status == int(uv.EOF) && !c.gone {
		switch {
		case c.held:
			c.keep, c.closing = false, true
			if f, ok := c.ls.face.(bodyFailer); ok {
				c.inReq = false
				f.bodyFailed(c, 0) // the peer is gone (nethttp.go)
			}
			return
		case c.shut && !c.shutOK:
			return // shutDone closes
		case !c.shut && c.tcp.WriteQueueSize() > 0:
			c.shutdown()
			return
		}
	}
	c.close()
}

// idle says whether the connection waits for a request with nothing owed
// and no byte of the next one read: as in net/http, Shutdown closes such
// connections at once and lets the others finish their request.
func (c *conn) idle() bool {
	return !c.inReq && !c.held && len(c.out) == 0 && (c.c == nil || !inHead(c.c))
}

// close closes the connection now.
func (c *conn) close() {
	if c.gone {
		return
	}
	c.gone = true
	c.ls.face.closed(c)
	c.tcp.Close(c.onClose)
}

// closed runs in the handle's close callback: the C state goes.
func (c *conn) closed() {
	freeCConn(c.c)
	c.c = nil
	c.tcp = nil
	c.ls.connClosed(c)
}
