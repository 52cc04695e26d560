package uvhttp

import (
	"io"
	"net"
	"sync"
	"time"

	"github.com/gouv/gouv/uv"
)

// hijackReadBytes bounds what a hijacked connection buffers from the
// socket before its reader takes it: past it the stream stops reading.
const hijackReadBytes = 64 << 10

// hijackedConn is the net.Conn that Hijack hands over: a gouv TCP stream
// that stays on its loop, read and written by blocking calls from any
// goroutine. The loop reads into a bounded buffer; a Write returns once
// libuv has handed its bytes to the kernel.
type hijackedConn struct {
	face          *nhFace
	loop          *uv.Loop
	tcp           *uv.TCP   // used on the loop only
	alive         *uv.Timer // keeps the loop running while hc is open
	local, remote net.Addr

	mu      sync.Mutex
	sig     notifier
	rbuf    [][]byte
	rn      int
	rerr    error // after rbuf: io.EOF or the read's error
	paused  bool
	wseq    uint64 // writes posted
	wdone   uint64 // writes finished
	werr    error
	closed  bool
	rdl     time.Time
	wdl     time.Time
	onClose []func()
}

// hijack runs on rq's handler goroutine: the engine lets go of the stream
// on the loop, and the stream becomes a hijackedConn that starts with the
// body bytes buffered and the bytes read past the request.
func (c *nhConn) hijack(rq *nhReq) (*hijackedConn, error) {
	type result struct {
		hc  *hijackedConn
		err error
	}
	ch := make(chan result, 1)
	err := c.loop.Post(func() {
		if c.gone {
			ch <- result{err: errConnGone}
			return
		}
		c.detaching = true // the request's context lives on, as in net/http
		c.ec.detach(func(tcp *uv.TCP, rest []byte) {
			c.adopted(rq, tcp, rest, func(hc *hijackedConn, err error) { ch <- result{hc, err} })
		})
	})
	if err != nil {
		return nil, err
	}
	r := <-ch
	return r.hc, r.err
}

// adopted runs on the loop once the engine has let go of the stream.
func (c *nhConn) adopted(rq *nhReq, tcp *uv.TCP, rest []byte, done func(*hijackedConn, error)) {
	var buffered [][]byte
	if rq.body != nil {
		rq.body.mu.Lock()
		buffered, rq.body.chunks, rq.body.n = rq.body.chunks, nil, 0
		rq.body.closed = true
		rq.body.mu.Unlock()
	}
	if len(rest) > 0 {
		buffered = append(buffered, rest)
	}
	done(c.face.adopt(c.loop, tcp, buffered))
}

// adopt starts a hijackedConn on tcp, on the loop; buffered is read first.
func (f *nhFace) adopt(l *uv.Loop, tcp *uv.TCP, buffered [][]byte) (*hijackedConn, error) {
	hc := &hijackedConn{face: f, loop: l, tcp: tcp, rbuf: buffered}
	for _, b := range buffered {
		hc.rn += len(b)
	}
	if a, err := tcp.LocalAddr(); err == nil {
		hc.local = net.TCPAddrFromAddrPort(a)
	}
	if a, err := tcp.RemoteAddr(); err == nil {
		hc.remote = net.TCPAddrFromAddrPort(a)
	}
	if err := hc.keepAlive(); err != nil {
		tcp.Close(nil)
		return nil, err
	}
	if err := tcp.ReadStart(hc.onRead); err != nil {
		tcp.Close(nil)
		hc.alive.Close(nil)
		return nil, err
	}
	return hc, nil
}

// keepAlive starts a timer that never fires, so that the loop runs while
// the connection is open even when its stream is idle (after EOF, or
// paused): the server's loop outlives Shutdown until hijacked connections
// are closed.
func (hc *hijackedConn) keepAlive() error {
	t, err := uv.NewTimer(hc.loop)
	if err != nil {
		return err
	}
	hc.alive = t
	return t.Start(1<<62, 0, func(*uv.Timer) {})
}

// onRead buffers what the loop read; it stops reading past the bound.
func (hc *hijackedConn) onRead(p []byte, err error) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if err != nil {
		if hc.rerr == nil {
			hc.rerr = err
		}
		hc.tcp.ReadStop()
	} else {
		hc.rbuf = append(hc.rbuf, append([]byte(nil), p...))
		hc.rn += len(p)
		if hc.rn >= hijackReadBytes && !hc.paused {
			hc.paused = true
			hc.tcp.ReadStop()
		}
	}
	hc.sig.broadcast()
}

// Read reads what the stream received, blocking until some arrives, the
// stream ends, or the read deadline passes.
func (hc *hijackedConn) Read(p []byte) (int, error) {
	hc.mu.Lock()
	for hc.rn == 0 && len(p) > 0 {
		switch {
		case hc.closed:
			hc.mu.Unlock()
			return 0, hc.opErr("read", net.ErrClosed)
		case hc.rerr != nil:
			err := hc.rerr
			hc.mu.Unlock()
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, hc.opErr("read", err)
		case passed(hc.rdl):
			hc.mu.Unlock()
			return 0, hc.opErr("read", errTimeoutErr)
		}
		ch, d := hc.sig.wait(), hc.rdl
		hc.mu.Unlock()
		block(ch, d)
		hc.mu.Lock()
	}
	n := 0
	for n < len(p) && len(hc.rbuf) > 0 {
		k := copy(p[n:], hc.rbuf[0])
		n += k
		if k == len(hc.rbuf[0]) {
			hc.rbuf[0] = nil
			hc.rbuf = hc.rbuf[1:]
		} else {
			hc.rbuf[0] = hc.rbuf[0][k:]
		}
	}
	hc.rn -= n
	resume := hc.paused && hc.rn < hijackReadBytes/2 && hc.rerr == nil && !hc.closed
	hc.paused = hc.paused && !resume
	hc.mu.Unlock()
	if resume {
		hc.post(func() {
			if !hc.tcp.IsClosing() {
				hc.tcp.ReadStart(hc.onRead)
			}
		})
	}
	return n, nil
}

// Write writes p and returns once libuv has handed it to the kernel, or
// when the write deadline passes.
func (hc *hijackedConn) Write(p []byte) (int, error) {
	hc.mu.Lock()
	if err := hc.writable(); err != nil {
		hc.mu.Unlock()
		return 0, err
	}
	if len(p) == 0 {
		hc.mu.Unlock()
		return 0, nil
	}
	hc.wseq++
	seq := hc.wseq
	hc.mu.Unlock()
	b := append([]byte(nil), p...)
	hc.post(func() { hc.write(b) })
	hc.mu.Lock()
	defer hc.mu.Unlock()
	for hc.wdone < seq {
		if hc.werr != nil || hc.closed {
			break
		}
		if passed(hc.wdl) {
			return 0, hc.opErr("write", errTimeoutErr)
		}
		ch, d := hc.sig.wait(), hc.wdl
		hc.mu.Unlock()
		block(ch, d)
		hc.mu.Lock()
	}
	if hc.wdone < seq {
		if err := hc.writable(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// writable reports why the stream cannot be written; mu is held.
func (hc *hijackedConn) writable() error {
	switch {
	case hc.closed:
		return hc.opErr("write", net.ErrClosed)
	case hc.werr != nil:
		return hc.opErr("write", hc.werr)
	case passed(hc.wdl):
		return hc.opErr("write", errTimeoutErr)
	}
	return nil
}

// write runs on the loop.
func (hc *hijackedConn) write(b []byte) {
	err := hc.tcp.Write(b, hc.written)
	if err != nil {
		hc.written(err)
	}
}

func (hc *hijackedConn) written(err error) {
	hc.mu.Lock()
	hc.wdone++
	if err != nil && hc.werr == nil {
		hc.werr = err
	}
	hc.sig.broadcast()
	hc.mu.Unlock()
}

// Close closes the stream; blocked Reads and Writes return net.ErrClosed.
func (hc *hijackedConn) Close() error {
	hc.mu.Lock()
	if hc.closed {
		hc.mu.Unlock()
		return hc.opErr("close", net.ErrClosed)
	}
	hc.closed = true
	hc.sig.broadcast()
	hc.mu.Unlock()
	hc.post(hc.closeOnLoop)
	return nil
}

// closeOnLoop closes the handle, on the loop.
func (hc *hijackedConn) closeOnLoop() {
	if !hc.tcp.IsClosing() {
		hc.tcp.Close(nil)
		hc.alive.Close(nil)
	}
}

func (hc *hijackedConn) post(f func()) {
	if err := hc.loop.Post(f); err != nil {
		hc.mu.Lock()
		if hc.werr == nil {
			hc.werr = err
		}
		hc.rerr = err
		hc.sig.broadcast()
		hc.mu.Unlock()
	}
}

// LocalAddr returns the local address.
func (hc *hijackedConn) LocalAddr() net.Addr { return hc.local }

// RemoteAddr returns the peer's address.
func (hc *hijackedConn) RemoteAddr() net.Addr { return hc.remote }

// SetDeadline sets both deadlines.
func (hc *hijackedConn) SetDeadline(t time.Time) error {
	hc.mu.Lock()
	hc.rdl, hc.wdl = t, t
	hc.sig.broadcast()
	hc.mu.Unlock()
	return nil
}

// SetReadDeadline sets the deadline of Read.
func (hc *hijackedConn) SetReadDeadline(t time.Time) error {
	hc.mu.Lock()
	hc.rdl = t
	hc.sig.broadcast()
	hc.mu.Unlock()
	return nil
}

// SetWriteDeadline sets the deadline of Write.
func (hc *hijackedConn) SetWriteDeadline(t time.Time) error {
	hc.mu.Lock()
	hc.wdl = t
	hc.sig.broadcast()
	hc.mu.Unlock()
	return nil
}

func (hc *hijackedConn) opErr(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: hc.local, Addr: hc.remote, Err: err}
}
