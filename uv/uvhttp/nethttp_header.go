package uvhttp

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// head puts the response header into out, choosing the framing as
// net/http does: p is the body's start (all of it when done, the handler
// having returned), for the Content-Length and for sniffing the type.
func (w *nhWriter) head(p []byte, done bool) {
	w.sentHeader = true
	h := w.snap
	var ctype, conn, te, clen string
	isHEAD := w.req.Method == http.MethodHead
	hTE := h.Get("Transfer-Encoding")
	trailers := len(h["Trailer"]) > 0
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			trailers = true
			delete(h, k) // sent as a trailer, never as a header
		}
	}
	if done && !trailers && hTE == "" && nhBodyAllowed(w.status) && h.Get("Content-Length") == "" && (!isHEAD || len(p) > 0) {
		w.clen = int64(len(p))
		clen = strconv.Itoa(len(p))
	}
	w.keepAliveOrClose(h, isHEAD, &conn)
	w.bodyLeft()
	if nhBodyAllowed(w.status) {
		_, typed := h["Content-Type"]
		if h.Get("Content-Encoding") == "" && !typed && hTE == "" && len(p) > 0 {
			ctype = http.DetectContentType(p)
		}
	} else {
		if w.status == http.StatusNotModified {
			h.Del("Content-Type")
		}
		h.Del("Content-Length")
		h.Del("Transfer-Encoding")
	}
	w.framing(h, isHEAD, hTE, &te)
	if w.closeAfter && !hasToken(h.Get("Connection"), "close") && !(w.status == http.StatusSwitchingProtocols && h.Get("Upgrade") != "") {
		h.Del("Connection")
		if w.req.ProtoAtLeast(1, 1) {
			conn = "close"
		}
	}
	w.writeHead(h, ctype, conn, te, clen)
}

// keepAliveOrClose decides whether the connection outlives the response.
func (w *nhWriter) keepAliveOrClose(h http.Header, isHEAD bool, conn *string) {
	r := w.req
	ka10 := r.ProtoMajor == 1 && r.ProtoMinor == 0 && hasToken(r.Header.Get("Connection"), "keep-alive")
	hasCL := w.clen != -1
	switch {
	case ka10 && (isHEAD || hasCL || !nhBodyAllowed(w.status)):
		if _, set := h["Connection"]; !set {
			*conn = "keep-alive"
		}
	case !r.ProtoAtLeast(1, 1) || r.ProtoAtLeast(1, 1) && hasToken(r.Header.Get("Connection"), "close"):
		w.closeAfter = true
	}
	if h.Get("Connection") == "close" || w.c.face.closing() {
		w.closeAfter = true
	}
}

// bodyLeft decides what becomes of a request body the handler has not
// read to its end: the connection closes if the client waits for a
// 100 Continue never sent, or if more than maxDiscardBytes are left;
// otherwise the rest is read and dropped once the handler returns.
func (w *nhWriter) bodyLeft() {
	b := w.rq.body
	if b == nil || w.closeAfter {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.eof && b.n == 0:
	case b.expect:
		w.closeAfter = true
	case b.err != nil:
		w.closeAfter = true
	case w.req.ContentLength < 0 || w.req.ContentLength-b.got > maxDiscardBytes:
		w.closeAfter = true
	}
}

// framing chooses Content-Length, chunked or close-delimited.
func (w *nhWriter) framing(h http.Header, isHEAD bool, hTE string, te *string) {
	hasCL := w.clen != -1
	if hasCL && hTE != "" && hTE != "identity" {
		w.c.face.logf("http: WriteHeader called with both Transfer-Encoding of %q and a Content-Length of %d", hTE, w.clen)
		h.Del("Content-Length")
		w.clen, hasCL = -1, false
	}
	switch {
	case isHEAD || !nhBodyAllowed(w.status):
		h.Del("Transfer-Encoding")
	case hasCL:
		h.Del("Transfer-Encoding")
	case w.req.ProtoAtLeast(1, 1):
		if hTE == "identity" {
			w.closeAfter = true
			h.Del("Transfer-Encoding")
		} else {
			w.chunked = true
			*te = "chunked"
			h.Del("Transfer-Encoding")
		}
	default:
		w.closeAfter = true
		h.Del("Transfer-Encoding")
	}
	if w.chunked {
		h.Del("Content-Length")
	}
}

// writeHead appends the status line, the header and the added fields to
// out.
func (w *nhWriter) writeHead(h http.Header, ctype, conn, te, clen string) {
	w.out = w.appendStatusLine(w.out, w.status)
	h.Write((*headOut)(w))
	w.addField("Content-Type", ctype)
	w.addField("Connection", conn)
	w.addField("Transfer-Encoding", te)
	if _, ok := h["Date"]; !ok {
		w.addField("Date", httpDate())
	}
	w.addField("Content-Length", clen)
	w.out = append(w.out, "\r\n"...)
}

// addField appends "k: v" to out unless v is empty.
func (w *nhWriter) addField(k, v string) {
	if v != "" {
		w.out = append(w.out, k...)
		w.out = append(w.out, ": "...)
		w.out = append(w.out, v...)
		w.out = append(w.out, "\r\n"...)
	}
}

// headOut is a writer's out as the io.Writer (and io.StringWriter) that
// http.Header.Write writes to, without a buffer in between.
type headOut nhWriter

func (o *headOut) Write(p []byte) (int, error) {
	o.out = append(o.out, p...)
	return len(p), nil
}

func (o *headOut) WriteString(s string) (int, error) {
	o.out = append(o.out, s...)
	return len(s), nil
}

// hasToken reports whether the comma-separated list v holds token, in any
// case.
func hasToken(v, token string) bool {
	for v != "" {
		t := v
		if i := strings.IndexByte(v, ','); i >= 0 {
			t, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		if strings.EqualFold(strings.TrimSpace(t), token) {
			return true
		}
	}
	return false
}

// nhDate caches the Date header's value, formatted at most once a second
// for all the handlers' goroutines.
var nhDate atomic.Pointer[nhDateVal]

type nhDateVal struct {
	sec int64
	s   string
}

func httpDate() string {
	now := time.Now()
	if d := nhDate.Load(); d != nil && d.sec == now.Unix() {
		return d.s
	}
	d := &nhDateVal{now.Unix(), now.UTC().Format(http.TimeFormat)}
	nhDate.Store(d)
	return d.s
}
