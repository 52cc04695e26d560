package uvhttp

import (
	"net/http"
	"strconv"
)

// A ResponseWriter builds the response to the on-loop Handler's request.
// Set the status and headers, write the body, and return: the response is
// then complete, with a Content-Length, and goes out with the other
// responses of the same read in one write. To finish later, from another
// callback on the loop (a timer, another connection's callback), call
// Hold before returning and End when done. Flush sends what is written so
// far, with chunked encoding for the rest. One ResponseWriter per
// connection is reused: do not keep it past End.
type ResponseWriter struct {
	c       *conn
	status  int
	hdr     []byte // "Name: value\r\n" lines set by the handler
	body    []byte
	typeSet bool
	lenSet  bool
	closeIt bool
	sent    bool // the head went out (Flush): the rest is chunked
	chunked bool
	held    bool
	ended   bool
	head    bool // the request is HEAD: no body goes out
	minor   uint8
}

// reset readies w for the response to r.
func (w *ResponseWriter) reset(r *Request) {
	*w = ResponseWriter{c: w.c, hdr: w.hdr[:0], body: w.body[:0], status: 200,
		head: r.method == 2, minor: r.minor}
}

// WriteHeader sets the status code (200 when never called); it has no
// effect once the head was sent.
func (w *ResponseWriter) WriteHeader(code int) {
	if !w.sent && code >= 100 && code <= 999 {
		w.status = code
	}
}

// SetHeader adds the header line "name: value". Content-Length, Date and
// Connection are the server's: set Connection: close to close the
// connection after this response. Names and values must not hold CR or
// LF (they are dropped otherwise).
func (w *ResponseWriter) SetHeader(name, value string) {
	if w.sent || !validHeader(name) || !validHeader(value) {
		return
	}
	switch {
	case foldString(name, "Content-Length"), foldString(name, "Date"),
		foldString(name, "Transfer-Encoding"):
		return
	case foldString(name, "Connection"):
		if foldString(value, "close") {
			w.closeIt = true
		}
		return
	case foldString(name, "Content-Type"):
		w.typeSet = true
	}
	w.hdr = append(w.hdr, name...)
	w.hdr = append(w.hdr, ": "...)
	w.hdr = append(w.hdr, value...)
	w.hdr = append(w.hdr, "\r\n"...)
}

func validHeader(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' || s[i] == 0 {
			return false
		}
	}
	return true
}

// Write appends p to the body; it always succeeds.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	if !w.ended {
		w.body = append(w.body, p...)
	}
	return len(p), nil
}

// WriteString appends s to the body.
func (w *ResponseWriter) WriteString(s string) (int, error) {
	if !w.ended {
		w.body = append(w.body, s...)
	}
	return len(s), nil
}

// Hold keeps the response open after the Handler returns: it ends with
// End, called later on the loop's goroutine. Later requests on the
// connection wait for it (responses keep the requests' order).
func (w *ResponseWriter) Hold() {
	if !w.ended && !w.held {
		w.held = true
		w.c.hold()
	}
}

// Flush sends the head and the body written so far now; the body's rest
// then goes out chunked (or, for an HTTP/1.0 peer, up to the connection's
// close).
func (w *ResponseWriter) Flush() {
	if w.ended {
		return
	}
	c := w.c
	if !w.sent {
		w.sent = true
		w.chunked = w.minor >= 1
		if !w.chunked {
			w.closeIt = true
		}
		c.out = w.appendHead(c.out, -1)
	}
	w.appendBody()
	c.flush()
}

// appendBody moves the body written into the output, as a chunk when
// chunked.
func (w *ResponseWriter) appendBody() {
	c := w.c
	if len(w.body) == 0 || w.head {
		w.body = w.body[:0]
		return
	}
	if w.chunked {
		c.out = strconv.AppendInt(c.out, int64(len(w.body)), 16)
		c.out = append(c.out, "\r\n"...)
		c.out = append(c.out, w.body...)
		c.out = append(c.out, "\r\n"...)
	} else {
		c.out = append(c.out, w.body...)
	}
	w.body = w.body[:0]
}

// End finishes a held response (Hold); the connection then goes on with
// its next request. It does nothing on a response already ended.
func (w *ResponseWriter) End() {
	if w.ended {
		return
	}
	c := w.c
	w.finish()
	if w.held {
		w.held = false
		c.release()
	}
}

// finish completes the response into the connection's output.
func (w *ResponseWriter) finish() {
	c := w.c
	w.ended = true
	if w.closeIt || !c.keep || c.ls.stopping {
		c.keep = false
		c.closing = true
	}
	if !w.sent {
		c.out = w.appendHead(c.out, len(w.body))
		switch {
		case w.head || !bodyAllowed(w.status):
		case len(w.body) >= bigBody:
			c.flushWith(w.body) // not copied into out
		default:
			c.out = append(c.out, w.body...)
		}
		w.body = w.body[:0]
		return
	}
	w.appendBody()
	if w.chunked && !w.head {
		c.out = append(c.out, "0\r\n\r\n"...)
	}
}

// bigBody is the size from which a body is written from where the
// handler's writes put it, after the output so far, rather than copied
// behind it.
const bigBody = 16 << 10

// appendHead appends the status line and headers; n is the body's length,
// or -1 when it is not known (chunked, or up to the close).
func (w *ResponseWriter) appendHead(b []byte, n int) []byte {
	c := w.c
	if w.minor == 0 {
		b = append(b, "HTTP/1.0 "...)
	} else {
		b = append(b, "HTTP/1.1 "...)
	}
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(w.status)...)
	b = append(b, "\r\nDate: "...)
	b = append(b, c.ls.date.get()...)
	b = append(b, "\r\n"...)
	b = append(b, w.hdr...)
	if !w.typeSet && n > 0 && !w.head {
		b = append(b, "Content-Type: text/plain; charset=utf-8\r\n"...)
	}
	switch {
	case n >= 0 && bodyAllowed(w.status):
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, "\r\n"...)
	case w.chunked:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	closing := w.closeIt || !c.keep || c.ls.stopping
	switch {
	case closing:
		b = append(b, "Connection: close\r\n"...)
	case w.minor == 0:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "\r\n"...)
}

// bodyAllowed reports whether a response with status may have a body
// (and a Content-Length).
func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

// appendError appends the response net/http gives to a request it
// refuses, closing the connection.
func appendError(b []byte, status int) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	b = append(b, "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	return append(b, http.StatusText(status)...)
}
