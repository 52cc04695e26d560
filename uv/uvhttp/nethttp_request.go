package uvhttp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// nhParsed is a request head as the engine parsed it, copied out of the
// read buffer (the engine's glue fills it).
type nhParsed struct {
	Method, Target string
	Major, Minor   int
	Header         http.Header // canonical keys (parsed)
	ContentLength  int64       // -1 when chunked
	Chunked        bool
}

// commonKeys maps the names of common header fields, as clients spell
// them, to their canonical keys, so that these cost no allocation.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"Accept", "Accept-Encoding", "Accept-Language",
		"Authorization", "Cache-Control", "Connection", "Content-Length",
		"Content-Type", "Cookie", "Expect", "Host", "Origin", "Referer",
		"Te", "Transfer-Encoding", "Upgrade", "User-Agent"} {
		m[k] = k
		m[strings.ToLower(k)] = k
	}
	return m
}()

// commonKey returns the canonical key of a common field name, or "".
func commonKey(name []byte) string { return commonKeys[string(name)] }

// newReq builds the *http.Request, its body and its ResponseWriter.
func (c *nhConn) newReq(p *nhParsed) *nhReq {
	ctx, cancel := context.WithCancel(c.ctx)
	r := &http.Request{
		Method:     p.Method,
		RequestURI: p.Target,
		Proto:      protoName(p.Major, p.Minor),
		ProtoMajor: p.Major,
		ProtoMinor: p.Minor,
		Header:     p.Header,
		RemoteAddr: c.remote,
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	r.URL = parseTarget(p.Method, p.Target)
	r.Host = r.URL.Host
	if r.Host == "" {
		r.Host = r.Header.Get("Host")
	}
	delete(r.Header, "Host")
	r.Close = closeWanted(r)
	rq := &nhReq{r: r, cancel: cancel}
	rq.w = newWriter(c, rq)
	switch {
	case p.Chunked:
		r.ContentLength = -1
		r.TransferEncoding = []string{"chunked"}
		rq.body = c.newBody(rq)
	case p.ContentLength > 0:
		r.ContentLength = p.ContentLength
		rq.body = c.newBody(rq)
	default:
		r.Body = http.NoBody
	}
	if rq.body != nil {
		r.Body = rq.body
	}
	if t := c.face.srv.ReadTimeout; t > 0 && rq.body != nil {
		rq.body.deadline = time.Now().Add(t)
	}
	rq.r = r.WithContext(ctx)
	rq.w.req = rq.r
	return rq
}

// protoName is "HTTP/major.minor", without an allocation for 1.1 and 1.0.
func protoName(major, minor int) string {
	switch {
	case major == 1 && minor == 1:
		return "HTTP/1.1"
	case major == 1 && minor == 0:
		return "HTTP/1.0"
	}
	return "HTTP/" + strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

// newBody makes a request's body, answering Expect: 100-continue on its
// first read.
func (c *nhConn) newBody(rq *nhReq) *nhBody {
	b := &nhBody{c: c}
	if rq.r.ProtoAtLeast(1, 1) && strings.EqualFold(rq.r.Header.Get("Expect"), "100-continue") {
		b.expect = true
		b.onExpect = rq.w.sendContinue
	}
	return b
}

// parseTarget parses the request target as net/http does; a target that
// does not parse (the engine let it through) keeps its raw form as Path.
func parseTarget(method, target string) *url.URL {
	if method == http.MethodConnect && !strings.HasPrefix(target, "/") {
		return &url.URL{Host: target}
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return &url.URL{Path: target}
	}
	return u
}

// closeWanted is Request.Close as net/http sets it: HTTP/1.0 without
// keep-alive, or Connection: close.
func closeWanted(r *http.Request) bool {
	conn := r.Header.Get("Connection")
	if r.ProtoMajor < 1 || r.ProtoMajor == 1 && r.ProtoMinor == 0 {
		return !hasToken(conn, "keep-alive")
	}
	return hasToken(conn, "close")
}
