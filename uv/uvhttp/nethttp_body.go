package uvhttp

import (
	"io"
	"sync"
	"time"
)

// bodyBufferBytes bounds what one request body buffers between the loop,
// which reads it, and the handler, which consumes it: past it the
// connection stops reading, and it reads again when the handler has taken
// half of it.
const bodyBufferBytes = 256 << 10

// nhBody is a request's Body for an HTTPHandler: an io.ReadCloser fed by
// the loop (push, end, fail) and read by the handler's goroutine.
type nhBody struct {
	c *nhConn

	mu       sync.Mutex
	sig      notifier
	chunks   [][]byte
	n        int   // bytes in chunks
	got      int64 // bytes pushed in all
	eof      bool  // the whole body has been pushed
	err      error // the connection failed before the end
	closed   bool  // the handler closed it: further bytes are dropped
	paused   bool  // it asked the connection to stop reading
	deadline time.Time
	expect   bool // Expect: 100-continue, not answered yet
	onExpect func()
}

// push adds a chunk read by the loop (copied: p is a view of the read
// buffer); it stops the connection's reading when too much waits.
func (b *nhBody) push(p []byte) {
	b.mu.Lock()
	if len(p) == 0 {
		b.mu.Unlock()
		return
	}
	b.got += int64(len(p))
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.chunks = append(b.chunks, append([]byte(nil), p...))
	b.n += len(p)
	pause := b.n >= bodyBufferBytes && !b.paused
	b.paused = b.paused || pause
	b.sig.broadcast()
	b.mu.Unlock()
	if pause {
		b.c.pause(pauseBody)
	}
}

// end marks the end of the body (err nil) or its failure.
func (b *nhBody) end(err error) {
	b.mu.Lock()
	if err == nil {
		b.eof = true
	} else if !b.eof && b.err == nil {
		b.err = err
	}
	b.sig.broadcast()
	b.mu.Unlock()
}

// Read reads what the loop has pushed, blocking until some arrives, the
// body ends, or the read deadline passes. The first Read of a request that
// expects 100-continue answers it, as net/http does.
func (b *nhBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	if b.expect {
		b.expect = false
		f := b.onExpect
		b.mu.Unlock()
		f()
		b.mu.Lock()
	}
	for b.n == 0 {
		switch {
		case b.closed:
			b.mu.Unlock()
			return 0, errBodyClosed
		case b.eof:
			b.mu.Unlock()
			return 0, io.EOF
		case b.err != nil:
			err := b.err
			b.mu.Unlock()
			return 0, err
		case passed(b.deadline):
			b.mu.Unlock()
			return 0, errDeadline
		}
		ch, d := b.sig.wait(), b.deadline
		b.mu.Unlock()
		block(ch, d)
		b.mu.Lock()
	}
	n := b.take(p)
	resume := b.paused && b.n < bodyBufferBytes/2
	b.paused = b.paused && !resume
	b.mu.Unlock()
	if resume {
		b.c.post(func() { b.c.resume(pauseBody) })
	}
	return n, nil
}

// take copies buffered bytes into p; it is called with mu held.
func (b *nhBody) take(p []byte) int {
	n := 0
	for n < len(p) && len(b.chunks) > 0 {
		c := copy(p[n:], b.chunks[0])
		n += c
		if c == len(b.chunks[0]) {
			b.chunks[0] = nil
			b.chunks = b.chunks[1:]
		} else {
			b.chunks[0] = b.chunks[0][c:]
		}
	}
	b.n -= n
	return n
}

// Close drops what is buffered and what is still to come; reading resumes
// if the body had stopped it.
func (b *nhBody) Close() error {
	b.mu.Lock()
	b.closed = true
	b.expect = false
	b.chunks, b.n = nil, 0
	resume := b.paused
	b.paused = false
	b.sig.broadcast()
	b.mu.Unlock()
	if resume {
		b.c.post(func() { b.c.resume(pauseBody) })
	}
	return nil
}

// setDeadline sets the read deadline (ResponseController.SetReadDeadline).
func (b *nhBody) setDeadline(t time.Time) {
	b.mu.Lock()
	b.deadline = t
	b.sig.broadcast()
	b.mu.Unlock()
}

// complete reports whether the loop pushed the whole body.
func (b *nhBody) complete() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.eof
}
