package uvhttp

import (
	"bytes"
	"net/netip"
)

// A Request is a request as the on-loop Handler sees it: views of the
// bytes the connection read, valid during the Handler's call only (as a
// read buffer is), looked up without allocating. Copy what you keep
// (bytes.Clone, or string(b)). One Request per connection is reused.
type Request struct {
	c      *conn
	head   []byte   // from the request's first byte
	hdrs   []hdrRec // offsets into head
	urlOff uint32
	urlLen uint32
	method uint8
	major  uint8
	minor  uint8
	flags  uint8

	body     []byte
	bodyView bool // body is a view of the batch's buffer
	onBody   func(p []byte, done bool)

	// ContentLength is the body's declared length: -1 when the body is
	// chunked, 0 when there is none.
	ContentLength int64
}

// Method returns the request's method ("GET"); the strings are constants,
// so it does not allocate.
func (r *Request) Method() string { return methodName(r.method) }

// Target returns the request target as sent: origin form ("/a?b"),
// absolute form ("http://host/a?b"), authority form (CONNECT) or "*".
func (r *Request) Target() []byte {
	return r.head[r.urlOff : r.urlOff+r.urlLen]
}

// Path returns the target's path, without its query; for an
// absolute-form target, the path after the authority ("/" when empty).
func (r *Request) Path() []byte {
	t := r.Target()
	if i := bytes.Index(t, []byte("://")); i > 0 && t[0] != '/' {
		t = t[i+3:]
		j := bytes.IndexByte(t, '/')
		if j < 0 {
			return slash
		}
		t = t[j:]
	}
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		return t[:i]
	}
	return t
}

var slash = []byte("/")

// Query returns the target's query, after '?', without it; nil when none.
func (r *Request) Query() []byte {
	t := r.Target()
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		return t[i+1:]
	}
	return nil
}

// ProtoMajor returns the HTTP major version: 1.
func (r *Request) ProtoMajor() int { return int(r.major) }

// ProtoMinor returns the HTTP minor version: 0 or 1.
func (r *Request) ProtoMinor() int { return int(r.minor) }

// Proto returns "HTTP/1.1" or "HTTP/1.0".
func (r *Request) Proto() string {
	if r.minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// Header returns the value of the first header named name, compared
// without regard to case, or nil when there is none; an empty value is
// an empty non-nil slice.
func (r *Request) Header(name string) []byte {
	for _, h := range r.hdrs {
		if equalFold(r.head[h.noff:h.noff+h.nlen], name) {
			return trimOWS(r.head[h.voff : h.voff+h.vlen])
		}
	}
	return nil
}

// NumHeader returns the number of header lines.
func (r *Request) NumHeader() int { return len(r.hdrs) }

// HeaderAt returns the i-th header line's name and value, in the order
// sent.
func (r *Request) HeaderAt(i int) (name, value []byte) {
	h := r.hdrs[i]
	return r.head[h.noff : h.noff+h.nlen], trimOWS(r.head[h.voff : h.voff+h.vlen])
}

// Host returns the Host header, or the authority of an absolute-form
// target.
func (r *Request) Host() []byte {
	t := r.Target()
	if i := bytes.Index(t, []byte("://")); i > 0 && t[0] != '/' {
		t = t[i+3:]
		if j := bytes.IndexByte(t, '/'); j >= 0 {
			t = t[:j]
		}
		return t
	}
	return r.Header("Host")
}

// Body returns the request's body, whole (decoded when it was sent
// chunked); nil when it has none, and with Server.StreamBody.
func (r *Request) Body() []byte { return r.body }

// OnBody, with Server.StreamBody, sets the callback that gets the body as
// it arrives: each piece (decoded when chunked; valid during the call),
// then p nil and done true once the request is complete. It runs on the
// loop's goroutine, after the Handler that set it returned. A response
// that waits for the body calls Hold in the Handler and End from cb.
// Without a callback the body is read and dropped.
func (r *Request) OnBody(cb func(p []byte, done bool)) { r.onBody = cb }

// RemoteAddr returns the peer's address.
func (r *Request) RemoteAddr() netip.AddrPort { return r.c.remote }

// KeepAlive reports whether the connection stays open after this
// request's response, as far as the request says (HTTP/1.1 without
// Connection: close, or HTTP/1.0 with Connection: keep-alive).
func (r *Request) KeepAlive() bool { return r.flags&flagKeepAlive != 0 }

// equalFold compares ASCII b and s without regard to case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// foldString is equalFold for two strings.
func foldString(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x != y && (x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z') {
			return false
		}
	}
	return true
}

// trimOWS drops the spaces and tabs around a header value.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// methodName returns llhttp's method names (llhttp_method_t), as constant
// strings.
func methodName(m uint8) string {
	if int(m) < len(methods) && methods[m] != "" {
		return methods[m]
	}
	return "UNKNOWN"
}

var methods = [...]string{
	0: "DELETE", 1: "GET", 2: "HEAD", 3: "POST", 4: "PUT", 5: "CONNECT",
	6: "OPTIONS", 7: "TRACE", 8: "COPY", 9: "LOCK", 10: "MKCOL", 11: "MOVE",
	12: "PROPFIND", 13: "PROPPATCH", 14: "SEARCH", 15: "UNLOCK", 16: "BIND",
	17: "REBIND", 18: "UNBIND", 19: "ACL", 20: "REPORT", 21: "MKACTIVITY",
	22: "CHECKOUT", 23: "MERGE", 24: "M-SEARCH", 25: "NOTIFY",
	26: "SUBSCRIBE", 27: "UNSUBSCRIBE", 28: "PATCH", 29: "PURGE",
	30: "MKCALENDAR", 31: "LINK", 32: "UNLINK", 33: "SOURCE",
}
