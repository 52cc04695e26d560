package uvhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/gouv/gouv/uv"
)

// The net/http face: Server.HTTPHandler, a standard http.Handler, runs in
// goroutines of a bounded pool (nethttp_pool.go), never on a loop. The
// engine parses on the loop and calls the face (type face, conn.go) with
// each request's head, body pieces and end; the face holds the connection
// from the head until the handler has returned, so that pipelined requests
// are served one after the other, in order. The loop feeds the request
// body to the handler (nethttp_body.go); the handler's writes reach the
// loop through Loop.Post (nethttp_writer.go) and block while the
// connection has too much queued. Both ways, a connection that has too
// much waiting stops reading.

// Reasons a connection stops reading; it reads when none holds.
const (
	pauseBody = 1 << iota // a body buffered past bodyBufferBytes
	pausePool             // the handler pool and its queue are full
)

// writeQueueBytes bounds the response bytes a connection has posted to its
// loop and the kernel has not taken: a handler's Write blocks past it.
const writeQueueBytes = 128 << 10

var (
	errConnGone      = errors.New("uvhttp: connection closed")
	errUnexpectedEOF = io.ErrUnexpectedEOF
	errDeadline      = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	errWriteTimeout  = &net.OpError{Op: "write", Net: "tcp", Err: os.ErrDeadlineExceeded}
	errBodyClosed    = http.ErrBodyReadAfterClose
	errTimeoutErr    = os.ErrDeadlineExceeded
)

func init() {
	newHTTPFace = func(s *Server) face { return &httpFace{f: s.netHTTPFace(), conns: map[*conn]*nhConn{}} }
}

// nhFace is a Server's net/http face, shared by its loops.
type nhFace struct {
	srv     *Server
	handler http.Handler
	pool    *pool
	baseCtx context.Context
}

// netHTTPFace returns the server's face, made on first use.
func (s *Server) netHTTPFace() *nhFace {
	s.nhOnce.Do(func() {
		s.nh = &nhFace{
			srv:     s,
			handler: s.HTTPHandler,
			pool:    newPool(s.HandlerGoroutines, s.HandlerQueue),
			baseCtx: context.Background(),
		}
	})
	return s.nh
}

// closing reports whether the server is shutting down: responses then say
// Connection: close.
func (f *nhFace) closing() bool {
	f.srv.mu.Lock()
	defer f.srv.mu.Unlock()
	return f.srv.closed
}

func (f *nhFace) logf(format string, args ...any) { f.srv.logf(format, args...) }

// httpFace is the face on one loop: the engine's calls, mapped to the
// connections' face state.
type httpFace struct {
	f     *nhFace
	conns map[*conn]*nhConn
}

// head starts the handler of a request with a body at once, so that it
// reads the body as it arrives; a request without one waits for its end
// (done), where the parser may still refuse it.
func (h *httpFace) head(c *conn, r *Request) {
	if r.ContentLength != 0 {
		h.start(c, r)
	}
}

func (h *httpFace) start(c *conn, r *Request) {
	nc := h.conns[c]
	if nc == nil {
		nc = h.f.newConn(c)
		h.conns[c] = nc
	}
	c.hold()
	p := parsed(r)
	nc.onRequest(&p)
}

func (h *httpFace) body(c *conn, r *Request, p []byte) {
	if nc := h.conns[c]; nc != nil {
		nc.onBody(p)
	}
}

func (h *httpFace) done(c *conn, r *Request) {
	if r.ContentLength == 0 {
		h.start(c, r)
		return
	}
	if nc := h.conns[c]; nc != nil {
		nc.onBodyEnd()
	}
}

func (h *httpFace) closed(c *conn) {
	if nc := h.conns[c]; nc != nil {
		delete(h.conns, c)
		nc.onClose(nil)
	}
}

// parsed copies a request's head out of the engine's views.
func parsed(r *Request) nhParsed {
	p := nhParsed{
		Method:        r.Method(),
		Target:        string(r.Target()),
		Major:         r.ProtoMajor(),
		Minor:         r.ProtoMinor(),
		Header:        make(http.Header, r.NumHeader()),
		ContentLength: r.ContentLength,
		Chunked:       r.flags&flagChunked != 0,
	}
	// One array holds the values of the fields that come once, as in
	// net/textproto.
	strs := make([]string, r.NumHeader())
	for i := range r.NumHeader() {
		k, v := r.HeaderAt(i)
		key := commonKey(k)
		if key == "" {
			key = http.CanonicalHeaderKey(string(k))
		}
		if vs, ok := p.Header[key]; ok {
			p.Header[key] = append(vs, string(v))
			continue
		}
		strs[i] = string(v)
		p.Header[key] = strs[i : i+1 : i+1]
	}
	return p
}

// nhConn is the face's state of one connection.
type nhConn struct {
	face   *nhFace
	ec     *conn
	loop   *uv.Loop
	remote string
	ctx    context.Context
	cancel context.CancelCauseFunc

	// Owned by the loop's goroutine.
	cur     *nhReq // the request in a handler, or waiting for one
	paused  int
	waiting bool // registered with the pool for a free worker
	gone    bool
	// detaching: Hijack is handing the stream over.
	detaching bool
	spare     []byte // a written response's buffer, for the next one's out
	retryPost func() // posts retry (made once: dispatch passes it each time)

	// The write queue's credit, shared with the handlers' goroutines.
	wmu    sync.Mutex
	wsig   notifier
	queued int
	werr   error
}

// nhReq is one request on its way through the face.
type nhReq struct {
	r      *http.Request
	body   *nhBody // nil when the request has none
	w      *nhWriter
	cancel context.CancelFunc
}

// newConn starts the face's state for a connection of the engine.
func (f *nhFace) newConn(ec *conn) *nhConn {
	var local net.Addr
	if a, err := ec.tcp.LocalAddr(); err == nil {
		local = net.TCPAddrFromAddrPort(a)
	}
	ctx := context.WithValue(f.baseCtx, http.LocalAddrContextKey, local)
	ctx, cancel := context.WithCancelCause(ctx)
	c := &nhConn{face: f, ec: ec, loop: ec.ls.loop, remote: ec.remote.String(), ctx: ctx, cancel: cancel}
	retry := c.retry
	c.retryPost = func() { c.post(retry) }
	return c
}

// post runs fn on the connection's loop; after the loop is gone there is
// nothing left to do.
func (c *nhConn) post(fn func()) { _ = c.loop.Post(fn) }

func (c *nhConn) pause(why int) {
	if c.paused == 0 && !c.gone {
		c.ec.pauseRead()
	}
	c.paused |= why
}

func (c *nhConn) resume(why int) {
	if c.paused == 0 {
		return
	}
	c.paused &^= why
	if c.paused == 0 && !c.gone {
		c.ec.resumeRead()
	}
}

// onRequest takes a parsed request (its head; the body follows through
// onBody and onBodyEnd) and hands it to the pool.
func (c *nhConn) onRequest(p *nhParsed) {
	if c.gone {
		return
	}
	c.cur = c.newReq(p)
	c.dispatch()
}

// onBody feeds a piece of the current request's body (decoded if it was
// chunked); p is a view of the read buffer.
func (c *nhConn) onBody(p []byte) {
	if rq := c.cur; rq != nil && rq.body != nil {
		rq.body.push(p)
	}
}

// onBodyEnd marks the end of the current request's body.
func (c *nhConn) onBodyEnd() {
	if rq := c.cur; rq != nil && rq.body != nil {
		rq.body.end(nil)
	}
}

// onClose is the engine's word that the connection closed or failed (or
// was closed by Close): contexts are cancelled, the body is cut short and
// blocked writers are released.
func (c *nhConn) onClose(err error) {
	if c.gone {
		return
	}
	c.gone = true
	if err == nil {
		err = errConnGone
	}
	if !c.detaching {
		c.cancel(err)
	}
	if rq := c.cur; rq != nil && rq.body != nil {
		rq.body.end(errUnexpectedEOF)
	}
	c.wmu.Lock()
	if c.werr == nil {
		c.werr = errConnGone
	}
	c.wsig.broadcast()
	c.wmu.Unlock()
}

// dispatch hands the current request to the pool; when the pool is full
// the connection stops reading until a worker frees.
func (c *nhConn) dispatch() {
	rq := c.cur
	if rq == nil || c.gone || c.waiting {
		return
	}
	if !c.face.pool.submitOr(func() { c.serve(rq) }, c.retryPost) {
		c.waiting = true
		c.pause(pausePool)
	}
}

// retry runs on the loop when the pool has a free slot.
func (c *nhConn) retry() {
	c.waiting = false
	c.resume(pausePool)
	c.dispatch()
}

// serve runs the handler for rq on a pool goroutine.
func (c *nhConn) serve(rq *nhReq) {
	defer rq.cancel()
	defer c.recoverHandler(rq)
	h := c.face.handler
	if rq.r.RequestURI == "*" && rq.r.Method == http.MethodOptions {
		h = optionsStar{} // as net/http's Server answers OPTIONS *
	}
	h.ServeHTTP(rq.w, rq.r)
	if rq.w.isHijacked() {
		return
	}
	rq.w.finish()
}

// recoverHandler logs a handler's panic (http.ErrAbortHandler silently)
// and closes the connection, as net/http does.
func (c *nhConn) recoverHandler(rq *nhReq) {
	v := recover()
	if v == nil {
		return
	}
	if v != http.ErrAbortHandler {
		buf := make([]byte, 64<<10)
		buf = buf[:runtime.Stack(buf, false)]
		c.face.logf("http: panic serving %v: %v\n%s", c.remote, v, buf)
	}
	if rq.w.isHijacked() {
		return
	}
	c.post(func() { c.finished(rq, true, true) })
}

// finished runs on the loop when rq's handler has returned and its
// response is queued: the engine goes on with the next request, or closes
// the connection.
func (c *nhConn) finished(rq *nhReq, close, abort bool) {
	if c.cur == rq {
		c.cur = nil
	}
	if c.gone {
		return
	}
	if rq.body != nil && !rq.body.complete() {
		// What is left of a small unread body is read and dropped.
		rq.body.Close()
		c.resume(pauseBody)
	}
	if abort {
		c.ec.close()
		return
	}
	c.ec.finishResponse(!close && c.ec.keep)
}

// send queues b for the connection, waiting while more than
// writeQueueBytes are queued, then runs after (if not nil) on the loop.
func (c *nhConn) send(b []byte, deadline time.Time, after func()) error {
	if passed(deadline) {
		return errWriteTimeout
	}
	c.wmu.Lock()
	for c.werr == nil && c.queued > 0 && c.queued+len(b) > writeQueueBytes {
		ch := c.wsig.wait()
		c.wmu.Unlock()
		if err := block(ch, deadline); err != nil {
			return errWriteTimeout
		}
		c.wmu.Lock()
	}
	if err := c.werr; err != nil {
		c.wmu.Unlock()
		return err
	}
	c.queued += len(b)
	c.wmu.Unlock()
	c.post(func() {
		c.write(b)
		if cap(b) <= 2*outBytes {
			c.spare = b[:0] // written or copied: the next response's out
		}
		if after != nil {
			after()
		}
	})
	return nil
}

// write hands b to the engine, on the loop.
func (c *nhConn) write(b []byte) {
	if len(b) == 0 {
		return
	}
	if c.gone {
		c.wrote(len(b), errConnGone)
		return
	}
	c.ec.write(b, func(err error) { c.wrote(len(b), err) })
}

// wrote gives back the credit of n written bytes.
func (c *nhConn) wrote(n int, err error) {
	c.wmu.Lock()
	c.queued -= n
	if err != nil && c.werr == nil {
		c.werr = fmt.Errorf("uvhttp: write: %w", err)
	}
	c.wsig.broadcast()
	c.wmu.Unlock()
}

// stopHandlers lets the HTTPHandler pool's goroutines exit once the
// server is done.
func (s *Server) stopHandlers() {
	if s.nh != nil {
		s.nh.pool.stop()
	}
}

// bodyFailer is a face whose handler may be running while the engine
// refuses the rest of the request (a malformed chunk, a body past
// MaxBodyBytes): the handler's body read fails and the handler answers,
// as with net/http; the connection closes after. Status 0 is the peer's
// end of stream while a handler runs: its context is cancelled, and its
// body ends short if it was still arriving.
type bodyFailer interface {
	bodyFailed(c *conn, status int)
}

func (h *httpFace) bodyFailed(c *conn, status int) {
	nc := h.conns[c]
	if nc == nil {
		return
	}
	if status == 0 {
		nc.cancel(errConnGone) // as net/http's background read does
	}
	if nc.cur != nil && nc.cur.body != nil {
		if status == 0 {
			nc.cur.body.end(errUnexpectedEOF)
		} else {
			nc.cur.body.end(&bodyError{status})
		}
	}
}

// bodyError is what a handler's Body.Read returns when the engine refused
// the rest of the body.
type bodyError struct{ status int }

func (e *bodyError) Error() string {
	if e.status == http.StatusRequestEntityTooLarge {
		return "http: request body too large"
	}
	return "uvhttp: malformed request body (" + http.StatusText(e.status) + ")"
}

// optionsStar answers "OPTIONS *" as net/http's Server does, without the
// handler: 200 with an empty body, reading at most 4 KiB of a body.
type optionsStar struct{}

func (optionsStar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "0")
	if r.ContentLength != 0 {
		io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 4<<10))
	}
}
