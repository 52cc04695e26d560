package uvhttp

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// preHeaderBytes is what a response buffers before its header goes
	// out: a handler that writes no more and returns gets a
	// Content-Length, one that writes more gets chunked encoding, as
	// net/http chooses (its 2 KiB buffer in front of the chunk writer).
	preHeaderBytes = 2 << 10
	// outBytes is what a response gathers before posting to the loop.
	outBytes = 4 << 10
	// maxPiece bounds one posted write, so that a large Write meets the
	// write queue's bound piece by piece.
	maxPiece = 64 << 10
	// maxDiscardBytes is what is read and dropped of a body the handler
	// left unread to keep the connection; past it, it closes (net/http's
	// figure).
	maxDiscardBytes = 256 << 10
)

// nhWriter is the http.ResponseWriter of the net/http face. It is also an
// http.Flusher and an http.Hijacker, and has the SetReadDeadline and
// SetWriteDeadline methods that http.ResponseController finds.
type nhWriter struct {
	c   *nhConn
	rq  *nhReq
	req *http.Request

	h           http.Header // the handler's
	snap        http.Header // h at WriteHeader
	status      int
	wroteHeader bool  // a final status is set
	sentHeader  bool  // the header is in out, or sent
	chunked     bool  // the body goes out chunked
	clen        int64 // declared or chosen Content-Length, -1 if none
	written     int64
	pre         []byte // body before the header is sent
	preBuf      [64]byte
	out         []byte // bytes not yet posted
	closeAfter  bool
	deadline    time.Time
	err         error // a failed write: later writes fail too

	mu       sync.Mutex // continueOK and hijacked, read by Body.Read
	contOK   bool       // 100 Continue may still be sent
	hijacked bool
}

func newWriter(c *nhConn, rq *nhReq) *nhWriter {
	w := &nhWriter{c: c, rq: rq, req: rq.r, h: make(http.Header), clen: -1, contOK: true}
	w.pre = w.preBuf[:0]
	w.out, c.spare = c.spare, nil // on the loop, as the write that left it
	if t := c.face.srv.WriteTimeout; t > 0 {
		w.deadline = time.Now().Add(t)
	}
	return w
}

// Header returns the header map the response will send.
func (w *nhWriter) Header() http.Header { return w.h }

// WriteHeader sends an informational (1xx but 101) header at once, or sets
// the status of the response, as http.ResponseWriter's does.
func (w *nhWriter) WriteHeader(code int) {
	if w.isHijacked() {
		w.c.face.logf("http: response.WriteHeader on hijacked connection")
		return
	}
	if w.wroteHeader {
		w.c.face.logf("http: superfluous response.WriteHeader call")
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code < 101 || code > 199 {
		w.mu.Lock()
		w.contOK = false
		w.mu.Unlock()
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		w.informational(code)
		return
	}
	w.wroteHeader = true
	w.status = code
	w.snap = w.h.Clone()
	if cl := w.snap.Get("Content-Length"); cl != "" {
		v, err := strconv.ParseInt(cl, 10, 64)
		if err == nil && v >= 0 {
			w.clen = v
		} else {
			w.c.face.logf("http: invalid Content-Length of %q", cl)
			w.snap.Del("Content-Length")
		}
	}
}

// informational sends a 1xx response with the header as it stands.
func (w *nhWriter) informational(code int) {
	var b bytes.Buffer
	b.Write(w.statusLine(code))
	h := w.h.Clone()
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	h.Write(&b)
	b.WriteString("\r\n")
	w.out = append(w.out, b.Bytes()...)
	w.flushOut()
}

// Write writes body bytes, sending the header first if it is not yet.
func (w *nhWriter) Write(p []byte) (int, error) {
	if w.isHijacked() {
		return 0, http.ErrHijacked
	}
	if w.err != nil {
		return 0, w.err
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !nhBodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.written += int64(len(p))
	if w.clen != -1 && w.written > w.clen {
		return 0, http.ErrContentLength
	}
	if !w.sentHeader {
		if len(w.pre)+len(p) <= preHeaderBytes {
			w.pre = append(w.pre, p...)
			return len(p), nil
		}
		w.head(append(w.pre, p[:min(len(p), 512)]...), false)
		pre := w.pre
		w.pre = nil
		w.body(pre)
	}
	w.body(p)
	return len(p), w.err
}

// WriteString is Write for a string (io.StringWriter).
func (w *nhWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// body frames p into out (dropped for HEAD), posting as out fills.
func (w *nhWriter) body(p []byte) {
	if w.req.Method == http.MethodHead {
		return
	}
	for len(p) > 0 && w.err == nil {
		n := min(len(p), maxPiece)
		if w.chunked {
			w.out = strconv.AppendInt(w.out, int64(n), 16)
			w.out = append(w.out, "\r\n"...)
			w.out = append(w.out, p[:n]...)
			w.out = append(w.out, "\r\n"...)
		} else {
			w.out = append(w.out, p[:n]...)
		}
		p = p[n:]
		if len(w.out) >= outBytes {
			w.flushOut()
		}
	}
}

// flushOut posts out to the loop, waiting for room in the write queue.
func (w *nhWriter) flushOut() {
	if len(w.out) == 0 || w.err != nil {
		return
	}
	b := w.out
	w.out = nil
	if err := w.c.send(b, w.deadline, nil); err != nil {
		w.err = err
		w.closeAfter = true
	}
}

// Flush sends the header and what was written (http.Flusher).
func (w *nhWriter) Flush() {
	if w.isHijacked() {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.sentHeader {
		w.head(w.pre, false)
		pre := w.pre
		w.pre = nil
		w.body(pre)
	}
	w.flushOut()
}

// FlushError is Flush that reports a failed write (ResponseController).
func (w *nhWriter) FlushError() error {
	w.Flush()
	return w.err
}

// finish completes the response once the handler has returned, and hands
// the connection to the next request (or closes it).
func (w *nhWriter) finish() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.sentHeader {
		w.head(w.pre, true)
		pre := w.pre
		w.pre = nil
		w.body(pre)
	}
	if w.chunked {
		w.out = append(w.out, "0\r\n"...)
		w.out = w.appendTrailers(w.out)
		w.out = append(w.out, "\r\n"...)
	}
	if w.clen != -1 && w.written != w.clen && nhBodyAllowed(w.status) && w.req.Method != http.MethodHead {
		w.closeAfter = true // short body: the client cannot trust the connection
	}
	rq, c, closeAfter := w.rq, w.c, w.closeAfter
	if w.err != nil {
		c.post(func() { c.finished(rq, true, true) })
		return
	}
	b := w.out
	w.out = nil
	if err := c.send(b, w.deadline, func() { c.finished(rq, closeAfter, false) }); err != nil {
		c.post(func() { c.finished(rq, true, true) })
	}
}

// appendTrailers appends the trailers the handler declared or set with
// http.TrailerPrefix.
func (w *nhWriter) appendTrailers(b []byte) []byte {
	t := make(http.Header)
	for _, v := range w.snap["Trailer"] {
		for _, k := range strings.Split(v, ",") {
			k = http.CanonicalHeaderKey(strings.TrimSpace(k))
			if vv, ok := w.h[k]; ok && k != "" {
				t[k] = vv
			}
		}
	}
	for k, vv := range w.h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			t[http.CanonicalHeaderKey(strings.TrimPrefix(k, http.TrailerPrefix))] = vv
		}
	}
	if len(t) == 0 {
		return b
	}
	var buf bytes.Buffer
	t.Write(&buf)
	return append(b, buf.Bytes()...)
}

// statusLine returns "HTTP/1.x code text\r\n".
func (w *nhWriter) statusLine(code int) []byte { return w.appendStatusLine(nil, code) }

// appendStatusLine appends "HTTP/1.x code text\r\n" to b.
func (w *nhWriter) appendStatusLine(b []byte, code int) []byte {
	if w.req.ProtoAtLeast(1, 1) {
		b = append(b, "HTTP/1.1 "...)
	} else {
		b = append(b, "HTTP/1.0 "...)
	}
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	if text := http.StatusText(code); text != "" {
		b = append(b, text...)
	} else {
		b = append(b, "status code "...)
		b = strconv.AppendInt(b, int64(code), 10)
	}
	return append(b, "\r\n"...)
}

// nhBodyAllowed reports whether a response with status code has a body.
func nhBodyAllowed(code int) bool {
	return !(code >= 100 && code <= 199 || code == http.StatusNoContent || code == http.StatusNotModified)
}

// Hijack hands the connection over (http.Hijacker): what the response
// wrote is sent first; the bufio.Reader holds the bytes the client sent
// past this request. The net.Conn stays on the connection's loop: the
// server no longer counts it (Shutdown and Close leave it alone, as
// net/http's do), but its loop goes on running until it is closed.
func (w *nhWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.mu.Lock()
	if w.hijacked {
		w.mu.Unlock()
		return nil, nil, http.ErrHijacked
	}
	w.hijacked = true
	w.contOK = false
	w.mu.Unlock()
	if w.wroteHeader && !w.sentHeader {
		w.head(w.pre, false)
		pre := w.pre
		w.pre = nil
		w.body(pre)
	}
	w.flushOut()
	hc, err := w.c.hijack(w.rq)
	if err != nil {
		return nil, nil, err
	}
	return hc, bufio.NewReadWriter(bufio.NewReader(hc), bufio.NewWriter(hc)), nil
}

func (w *nhWriter) isHijacked() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hijacked
}

// SetReadDeadline sets the deadline for reading the request body
// (http.ResponseController).
func (w *nhWriter) SetReadDeadline(t time.Time) error {
	if b := w.rq.body; b != nil {
		b.setDeadline(t)
	}
	return nil
}

// SetWriteDeadline sets the deadline past which writes of the response
// fail (http.ResponseController).
func (w *nhWriter) SetWriteDeadline(t time.Time) error {
	w.deadline = t
	return nil
}

// sendContinue answers Expect: 100-continue, on the body's first Read,
// unless the response has started.
func (w *nhWriter) sendContinue() {
	w.mu.Lock()
	ok := w.contOK
	w.contOK = false
	w.mu.Unlock()
	if ok {
		c := w.c
		c.post(func() {
			if !c.gone {
				c.ec.sendContinue()
			}
		})
	}
}
