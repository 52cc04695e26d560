package uvhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gouv/gouv/uv"
)

// The net/http face: Server.HTTPHandler, a standard http.Handler, runs in
// goroutines of a bounded pool, never on a loop. Each connection serves its
// requests one after the other, in order (pipelined ones wait their turn).
// The loop feeds request bodies to the handlers (nethttp_body.go); the
// handlers' writes reach the loop through Loop.Post (nethttp_writer.go),
// and block while the connection has too much queued. Both ways, a
// connection that has too much waiting stops reading.

// engineConn is what the face uses of one connection of the engine. Its
// methods are called on the connection's loop goroutine.
type engineConn interface {
	// nhWrite queues b after the bytes queued before it; done runs on the
	// loop once the kernel has them, or with the error that stopped them.
	nhWrite(b []byte, done func(error))
	// nhPause and nhResume stop and restart reading.
	nhPause()
	nhResume()
	// nhIdle says that no request is in a handler or waiting for one:
	// Shutdown may close the connection, and the idle timeout runs.
	nhIdle()
	// nhClose closes the connection once queued writes are out (abort
	// false), or at once.
	nhClose(abort bool)
	// nhDetach hands the connection over (http.Hijacker): the engine lets
	// go of the stream and returns it with the bytes read but not parsed.
	nhDetach() (*uv.TCP, []byte, error)
}

// Reasons a connection stops reading; it reads when none holds.
const (
	pauseBody     = 1 << iota // a body buffered past bodyBufferBytes
	pausePool                 // the handler pool and its queue are full
	pausePipeline             // maxPipelined requests wait their turn
)

// maxPipelined bounds the requests parsed ahead of the one being served.
const maxPipelined = 16

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

// nhFace is a Server's net/http face.
type nhFace struct {
	handler      http.Handler
	pool         *pool
	errorLog     *log.Logger
	baseCtx      context.Context
	readTimeout  time.Duration
	writeTimeout time.Duration
	running      sync.WaitGroup // handlers in flight, for Shutdown
	shutdown     atomic.Bool    // responses say Connection: close

	mu       sync.Mutex
	hijacked map[*hijackedConn]struct{}
}

// closing reports whether the server is shutting down.
func (f *nhFace) closing() bool { return f.shutdown.Load() }

func (f *nhFace) logf(format string, args ...any) {
	if f.errorLog != nil {
		f.errorLog.Printf(format, args...)
	} else {
		log.Printf(format, args...)
	}
}

// nhConn is the face's state of one connection.
type nhConn struct {
	face   *nhFace
	ec     engineConn
	loop   *uv.Loop
	remote string
	local  net.Addr
	ctx    context.Context
	cancel context.CancelCauseFunc

	// Owned by the loop's goroutine.
	queue   []*nhReq // parsed, not yet handed to a handler
	running *nhReq   // in a handler
	reading *nhReq   // the last parsed: its body is arriving
	paused  int
	waiting bool // registered with the pool for a free worker
	gone    bool

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

// newConn starts the face's state for a connection accepted on l.
func (f *nhFace) newConn(ec engineConn, l *uv.Loop, remote string, local net.Addr) *nhConn {
	ctx := context.WithValue(f.baseCtx, http.LocalAddrContextKey, local)
	ctx, cancel := context.WithCancelCause(ctx)
	return &nhConn{face: f, ec: ec, loop: l, remote: remote, local: local, ctx: ctx, cancel: cancel}
}

// post runs fn on the connection's loop; after the loop is gone there is
// nothing left to do.
func (c *nhConn) post(fn func()) { _ = c.loop.Post(fn) }

func (c *nhConn) pause(why int) {
	if c.paused == 0 && !c.gone {
		c.ec.nhPause()
	}
	c.paused |= why
}

func (c *nhConn) resume(why int) {
	if c.paused == 0 {
		return
	}
	c.paused &^= why
	if c.paused == 0 && !c.gone {
		c.ec.nhResume()
	}
}

// onRequest takes a parsed request (its head; the body follows through
// onBody and onBodyEnd) and queues it for a handler.
func (c *nhConn) onRequest(p *nhParsed) {
	if c.gone {
		return
	}
	rq := c.newReq(p)
	c.reading = rq
	c.queue = append(c.queue, rq)
	if len(c.queue) >= maxPipelined {
		c.pause(pausePipeline)
	}
	c.next()
}

// onBody feeds a chunk of the request body being read (decoded if it was
// chunked); p is a view of the read buffer.
func (c *nhConn) onBody(p []byte) {
	if rq := c.reading; rq != nil && rq.body != nil {
		rq.body.push(p)
	}
}

// onBodyEnd marks the end of the request body being read.
func (c *nhConn) onBodyEnd() {
	if rq := c.reading; rq != nil && rq.body != nil {
		rq.body.end(nil)
	}
}

// onClose is the engine's word that the connection closed or failed (or
// was closed for Shutdown): contexts are cancelled, bodies cut short and
// blocked writers released.
func (c *nhConn) onClose(err error) {
	if c.gone {
		return
	}
	c.gone = true
	if err == nil {
		err = errConnGone
	}
	c.cancel(err)
	if rq := c.reading; rq != nil && rq.body != nil {
		rq.body.end(errUnexpectedEOF)
	}
	for _, rq := range c.queue {
		rq.cancel()
	}
	c.queue = nil
	c.wmu.Lock()
	if c.werr == nil {
		c.werr = errConnGone
	}
	c.wsig.broadcast()
	c.wmu.Unlock()
}

// next hands the first queued request to the pool, unless one runs; when
// the pool is full the connection stops reading until a worker frees.
func (c *nhConn) next() {
	if c.running != nil || len(c.queue) == 0 || c.gone || c.waiting {
		return
	}
	rq := c.queue[0]
	c.face.running.Add(1)
	if !c.face.pool.submit(func() { c.serve(rq) }) {
		c.face.running.Done()
		c.waiting = true
		c.pause(pausePool)
		c.face.pool.wait(func() { c.post(c.retry) })
		return
	}
	c.running = rq
	c.queue[0] = nil
	c.queue = c.queue[1:]
	if len(c.queue) < maxPipelined {
		c.resume(pausePipeline)
	}
}

// retry runs on the loop when the pool has a free slot.
func (c *nhConn) retry() {
	c.waiting = false
	c.resume(pausePool)
	c.next()
}

// serve runs the handler for rq on a pool goroutine.
func (c *nhConn) serve(rq *nhReq) {
	defer c.face.running.Done()
	defer rq.cancel()
	defer c.recoverHandler(rq)
	c.face.handler.ServeHTTP(rq.w, rq.r)
	if rq.w.hijacked {
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
	if rq.w.hijacked {
		return
	}
	c.post(func() { c.finished(rq, true, true) })
}

// finished runs on the loop when rq's handler has returned and its
// response is queued: the next request gets its turn, or the connection
// closes.
func (c *nhConn) finished(rq *nhReq, close, abort bool) {
	if c.running == rq {
		c.running = nil
	}
	if c.gone {
		return
	}
	if close {
		c.gone = true
		c.ec.nhClose(abort)
		return
	}
	if rq.body != nil && !rq.body.complete() && c.reading == rq {
		// The rest of a small unread body is read and dropped (the body
		// is closed) before the next request.
		rq.body.Close()
	}
	c.next()
	if c.running == nil && len(c.queue) == 0 && !c.waiting {
		c.ec.nhIdle()
	}
}

// send queues b for the connection, waiting while more than
// writeQueueBytes are queued, then runs after (if not nil) on the loop.
func (c *nhConn) send(b []byte, deadline time.Time, after func()) error {
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
	c.ec.nhWrite(b, func(err error) { c.wrote(len(b), err) })
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

// queuedBytes returns the bytes posted and not yet written.
func (c *nhConn) queuedBytes() int {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.queued
}
