package uvhttp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The net/http face's behaviour, each test run against uvhttp's
// HTTPHandler and net/http's own Server with the same handler, with the
// same results.

// chain wraps h in middlewares, the first outermost.
func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// tag is a middleware that appends name to X-Chain, on the way in.
func tag(name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Chain", name)
			next.ServeHTTP(w, r)
		})
	}
}

// auth refuses requests under /admin/ without the token.
func auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/admin/") && r.Header.Get("X-Token") != "secret" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func itemsMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "item %s (pattern %s)", r.PathValue("id"), r.Pattern)
	})
	mux.HandleFunc("POST /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "stored %s=%s", r.PathValue("id"), b)
	})
	mux.HandleFunc("GET /files/{path...}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "file %s", r.PathValue("path"))
	})
	mux.HandleFunc("/admin/stats", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "stats")
	})
	return chain(mux, tag("outer"), auth, tag("inner"))
}

func TestNetHTTPServeMuxMiddleware(t *testing.T) {
	reqs := []struct{ method, raw string }{
		{"GET", nhLines("GET /items/42 HTTP/1.1", "Host: x")},
		{"GET", nhLines("GET /items/a%2Fb HTTP/1.1", "Host: x")},
		{"POST", nhLines("POST /items/7 HTTP/1.1", "Host: x", "Content-Length: 3") + "abc"},
		{"PUT", nhLines("PUT /items/7 HTTP/1.1", "Host: x", "Content-Length: 0")},
		{"GET", nhLines("GET /files/a/b/c.txt HTTP/1.1", "Host: x")},
		{"GET", nhLines("GET /nothing HTTP/1.1", "Host: x")},
		{"GET", nhLines("GET /admin/stats HTTP/1.1", "Host: x")},
		{"GET", nhLines("GET /admin/stats HTTP/1.1", "Host: x", "X-Token: secret")},
		{"HEAD", nhLines("HEAD /items/1 HTTP/1.1", "Host: x")},
	}
	run := func(t *testing.T, s *nhServed) []nhResp {
		var out []nhResp
		for _, rq := range reqs {
			out = append(out, nhRoundTrip(t, s.addr, rq.raw, rq.method))
		}
		return out
	}
	uv, std := nhBoth(t, itemsMux, run)
	require.Len(t, uv, len(reqs))
	assert.Equal(t, std, uv)
	assert.Equal(t, "item 42 (pattern GET /items/{id})", uv[0].Body)
	assert.Equal(t, []string{"outer", "inner"}, uv[0].Header["X-Chain"])
	assert.Equal(t, "item a/b (pattern GET /items/{id})", uv[1].Body)
	assert.Equal(t, 201, uv[2].Status)
	assert.Equal(t, "stored 7=abc", uv[2].Body)
	assert.Equal(t, 405, uv[3].Status)
	assert.Equal(t, "file a/b/c.txt", uv[4].Body)
	assert.Equal(t, 404, uv[5].Status)
	assert.Equal(t, 403, uv[6].Status)
	assert.Equal(t, "stats", uv[7].Body)
	assert.Equal(t, 200, uv[8].Status)
	assert.Empty(t, uv[8].Body)
}

// TestNetHTTPRequestFields checks the *http.Request a handler gets.
func TestNetHTTPRequestFields(t *testing.T) {
	dump := func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s|%s|%s|%s|%d.%d|host=%s|cl=%d|te=%v|close=%v|tls=%v|body=%q err=%v|",
				r.Method, r.URL.String(), r.RequestURI, r.Proto, r.ProtoMajor, r.ProtoMinor,
				r.Host, r.ContentLength, r.TransferEncoding, r.Close, r.TLS != nil, b, err)
			fmt.Fprintf(w, "hdr=%q,%q,%q,%v|", r.Header.Get("X-Mixed-Case"), r.Header["X-Two"], r.Header.Get("Host"), r.Header["Content-Type"])
			fmt.Fprintf(w, "remote=%v|local=%v", strings.HasPrefix(r.RemoteAddr, "127.0.0.1:"),
				r.Context().Value(http.LocalAddrContextKey) != nil)
		})
	}
	reqs := []string{
		nhLines("GET /a/b?x=1&y=%20 HTTP/1.1", "Host: example.com:81", "x-mIXED-case: v", "X-Two: 1", "x-two: 2"),
		nhLines("POST /p HTTP/1.1", "Host: h", "Content-Type: text/plain", "Transfer-Encoding: chunked") + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
		nhLines("POST /p HTTP/1.1", "Host: h", "Content-Length: 5", "Connection: close") + "hello",
		nhLines("GET http://other.example/abs?q HTTP/1.1", "Host: ignored"),
		nhLines("GET /old HTTP/1.0"),
		nhLines("OPTIONS * HTTP/1.1", "Host: h"),
	}
	run := func(t *testing.T, s *nhServed) []nhResp {
		var out []nhResp
		for _, rq := range reqs {
			out = append(out, nhRoundTrip(t, s.addr, rq, "GET"))
		}
		return out
	}
	uv, std := nhBoth(t, dump, run)
	assert.Equal(t, std, uv)
	require.Len(t, uv, len(reqs))
	assert.Equal(t, `GET|/a/b?x=1&y=%20|/a/b?x=1&y=%20|HTTP/1.1|1.1|host=example.com:81|cl=0|te=[]|close=false|tls=false|body="" err=<nil>|hdr="v",["1" "2"],"",[]|remote=true|local=true`, uv[0].Body)
	assert.Contains(t, uv[1].Body, `|cl=-1|te=[chunked]|close=false|tls=false|body="abcde" err=<nil>|`)
	assert.Contains(t, uv[2].Body, `|cl=5|te=[]|close=true|tls=false|body="hello"`)
	assert.Contains(t, uv[3].Body, `GET|http://other.example/abs?q|http://other.example/abs?q|HTTP/1.1|1.1|host=other.example|`)
	assert.Contains(t, uv[4].Body, `|HTTP/1.0|1.0|host=|cl=0|te=[]|close=true|`)
}

// TestNetHTTPFraming checks that Content-Length or chunked, the sniffed
// Content-Type, 1xx and bodiless statuses go out as net/http sends them.
func TestNetHTTPFraming(t *testing.T) {
	mux := func() http.Handler {
		m := http.NewServeMux()
		m.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html><body>hi") })
		m.HandleFunc("/2048", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2048)) })
		m.HandleFunc("/2049", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2049)) })
		m.HandleFunc("/pieces", func(w http.ResponseWriter, r *http.Request) {
			for i := range 100 {
				fmt.Fprintf(w, "piece %d\n", i)
			}
		})
		m.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			io.WriteString(w, "b")
		})
		m.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
		m.HandleFunc("/204", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
		m.HandleFunc("/304", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(304)
			_, err := w.Write([]byte("x"))
			assert.ErrorIs(t, err, http.ErrBodyNotAllowed)
		})
		m.HandleFunc("/cl", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.Write(make([]byte, 5000))
		})
		m.HandleFunc("/early", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.Header().Set("X-Final", "yes")
			io.WriteString(w, "after hints")
		})
		m.HandleFunc("/trailer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", "X-Sum")
			io.WriteString(w, "body")
			w.Header().Set("X-Sum", "42")
		})
		m.HandleFunc("/nosniff", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte{0x1f, 0x8b, 0, 0})
		})
		return m
	}
	paths := []string{"/small", "/2048", "/2049", "/pieces", "/flush", "/empty", "/204", "/304", "/cl", "/trailer", "/nosniff"}
	run := func(t *testing.T, s *nhServed) []nhResp {
		var out []nhResp
		for _, p := range paths {
			out = append(out, nhRoundTrip(t, s.addr, nhLines("GET "+p+" HTTP/1.1", "Host: x"), "GET"))
			out = append(out, nhRoundTrip(t, s.addr, nhLines("HEAD "+p+" HTTP/1.1", "Host: x"), "HEAD"))
			out = append(out, nhRoundTrip(t, s.addr, nhLines("GET "+p+" HTTP/1.0"), "GET"))
		}
		// 103 Early Hints, then the final response, on one connection.
		c, br := nhDial(t, s.addr)
		io.WriteString(c, nhLines("GET /early HTTP/1.1", "Host: x"))
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		out = append(out, nhResp{Body: line})
		for line != "\r\n" {
			line, err = br.ReadString('\n')
			require.NoError(t, err)
			out = append(out, nhResp{Body: line})
		}
		out = append(out, nhRead(t, br, "GET"))
		return out
	}
	uv, std := nhBoth(t, mux, run)
	require.Equal(t, len(std), len(uv))
	for i := range std {
		assert.Equal(t, std[i], uv[i], "response %d", i)
	}
	at := func(p string) nhResp { return uv[3*indexOf(paths, p)] }
	assert.Equal(t, "text/html; charset=utf-8", at("/small").Header.Get("Content-Type"))
	assert.Equal(t, int64(2048), at("/2048").Length)
	assert.True(t, at("/2049").Chunked)
	assert.True(t, at("/flush").Chunked)
	assert.Equal(t, "103 Early Hints", strings.TrimSpace(strings.TrimPrefix(uv[3*len(paths)].Body, "HTTP/1.1 ")))
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestNetHTTPPipelined checks pipelined requests are served one after the
// other, in order, even when the first handler is the slowest.
func TestNetHTTPPipelined(t *testing.T) {
	mk := func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				time.Sleep(50 * time.Millisecond) // the order must not depend on speed
			}
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s", r.URL.Path, b)
		})
	}
	run := func(t *testing.T, s *nhServed) []string {
		c, br := nhDial(t, s.addr)
		var req strings.Builder
		req.WriteString(nhLines("GET /slow HTTP/1.1", "Host: x"))
		for i := range 20 {
			if i%3 == 0 {
				req.WriteString(nhLines(fmt.Sprintf("POST /%d HTTP/1.1", i), "Host: x", "Content-Length: 2") + "ab")
			} else {
				req.WriteString(nhLines(fmt.Sprintf("GET /%d HTTP/1.1", i), "Host: x"))
			}
		}
		io.WriteString(c, req.String())
		var out []string
		for range 21 {
			out = append(out, nhRead(t, br, "GET").Body)
		}
		return out
	}
	uv, std := nhBoth(t, mk, run)
	assert.Equal(t, std, uv)
	assert.Equal(t, "/slow ", uv[0])
	assert.Equal(t, "/3 ab", uv[4])
}

// TestNetHTTPClientGoneCancelsContext: a client that goes away cancels
// the running handler's r.Context().
func TestNetHTTPClientGoneCancelsContext(t *testing.T) {
	var started chan struct{}
	var got chan error
	mk := func() http.Handler {
		started, got = make(chan struct{}), make(chan error, 1)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			select {
			case <-r.Context().Done():
				got <- r.Context().Err()
			case <-time.After(10 * time.Second):
				got <- errors.New("context not cancelled")
			}
		})
	}
	uv, std := nhBoth(t, mk, func(t *testing.T, s *nhServed) error {
		c, _ := nhDial(t, s.addr)
		io.WriteString(c, nhLines("GET /wait HTTP/1.1", "Host: x"))
		<-started
		c.Close()
		return <-got
	})
	assert.ErrorIs(t, uv, context.Canceled)
	assert.Equal(t, std, uv)
}

// TestNetHTTPShutdownWaits: Shutdown returns only once the running
// handler has returned, and its response arrives whole.
func TestNetHTTPShutdownWaits(t *testing.T) {
	var started, release chan struct{}
	mk := func() http.Handler {
		started, release = make(chan struct{}), make(chan struct{})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-release
			io.WriteString(w, "finished")
		})
	}
	uv, std := nhBoth(t, mk, func(t *testing.T, s *nhServed) []string {
		c, br := nhDial(t, s.addr)
		io.WriteString(c, nhLines("GET /work HTTP/1.1", "Host: x"))
		<-started
		done := make(chan error, 1)
		go func() { done <- s.shutdown(context.Background()) }()
		var events []string
		select {
		case <-done:
			events = append(events, "shutdown returned early")
		case <-time.After(200 * time.Millisecond): // Shutdown must still wait
		}
		close(release)
		resp := nhRead(t, br, "GET")
		events = append(events, resp.Body, fmt.Sprint("close=", resp.Close))
		require.NoError(t, <-done)
		events = append(events, "shutdown returned")
		nhClosed(t, c, br)
		return events
	})
	assert.Equal(t, []string{"finished", "close=true", "shutdown returned"}, uv)
	assert.Equal(t, std, uv)
}

// TestNetHTTPPanic: a handler's panic is logged and closes the
// connection; http.ErrAbortHandler closes it silently; the server goes on.
func TestNetHTTPPanic(t *testing.T) {
	mk := func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/panic":
				io.WriteString(w, "partial")
				panic("boom")
			case "/abort":
				panic(http.ErrAbortHandler)
			}
			io.WriteString(w, "fine")
		})
	}
	type result struct {
		Logged, AbortLogged bool
		After               string
	}
	uv, std := nhBoth(t, mk, func(t *testing.T, s *nhServed) result {
		var r result
		for _, p := range []string{"/panic", "/abort"} {
			c, br := nhDial(t, s.addr)
			io.WriteString(c, nhLines("GET "+p+" HTTP/1.1", "Host: x"))
			_, err := http.ReadResponse(br, nil)
			assert.Error(t, err, "no response after a panic")
			nhClosed(t, c, br)
		}
		r.After = nhGet(t, "http://"+s.addr+"/ok").Body
		l := s.log.String()
		r.Logged = strings.Contains(l, "panic serving") && strings.Contains(l, "boom")
		r.AbortLogged = strings.Contains(l, "abort")
		return r
	})
	assert.Equal(t, result{Logged: true, After: "fine"}, uv)
	assert.Equal(t, std, uv)
}

// TestNetHTTPHijack: a handler hijacks the connection and speaks raw
// bytes both ways, bytes the client sent early included.
func TestNetHTTPHijack(t *testing.T) {
	mk := func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, rw, err := w.(http.Hijacker).Hijack()
			if !assert.NoError(t, err) {
				return
			}
			defer conn.Close()
			_, err = w.Write([]byte("x"))
			assert.ErrorIs(t, err, http.ErrHijacked)
			rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
			rw.Flush()
			assert.NotNil(t, conn.LocalAddr())
			assert.Equal(t, r.RemoteAddr, conn.RemoteAddr().String())
			for {
				line, err := rw.ReadString('\n')
				if err != nil || line == "bye\n" {
					break
				}
				rw.WriteString("echo: " + line)
				rw.Flush()
			}
			// A read deadline in the past fails the next read at once.
			conn.SetReadDeadline(time.Now().Add(-time.Second))
			_, err = conn.Read(make([]byte, 1))
			var ne interface{ Timeout() bool }
			if assert.ErrorAs(t, err, &ne) {
				assert.True(t, ne.Timeout())
			}
			conn.SetDeadline(time.Time{})
			io.WriteString(conn, "closing\n")
		})
	}
	uv, std := nhBoth(t, mk, func(t *testing.T, s *nhServed) []string {
		c, br := nhDial(t, s.addr)
		// The first line rides with the request: it is in the handler's
		// bufio.Reader, read before the hijack.
		io.WriteString(c, nhLines("GET /ws HTTP/1.1", "Host: x", "Upgrade: echo", "Connection: Upgrade")+"early\n")
		var out []string
		for {
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			out = append(out, line)
			if line == "\r\n" {
				break
			}
		}
		big := strings.Repeat("z", 200<<10) + "\n"
		for _, m := range []string{"one\n", big, "two\n"} {
			io.WriteString(c, m)
			line, err := br.ReadString('\n')
			require.NoError(t, err)
			out = append(out, fmt.Sprint(len(line)), line[:min(len(line), 12)])
		}
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		out = append(out, line)
		io.WriteString(c, "bye\n")
		line, err = br.ReadString('\n')
		require.NoError(t, err)
		out = append(out, line)
		_, err = br.ReadByte()
		assert.ErrorIs(t, err, io.EOF)
		return out
	})
	assert.Equal(t, "HTTP/1.1 101 Switching Protocols\r\n", uv[0])
	assert.Equal(t, std, uv)
}

// TestNetHTTPResponseController: SetReadDeadline and SetWriteDeadline
// through http.ResponseController, and FlushError.
func TestNetHTTPResponseController(t *testing.T) {
	mk := func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			assert.NoError(t, rc.SetReadDeadline(time.Now().Add(100*time.Millisecond)))
			b, err := io.ReadAll(r.Body) // the client sends 3 of 10 bytes
			var ne interface{ Timeout() bool }
			timedOut := errors.As(err, &ne) && ne.Timeout()
			assert.NoError(t, rc.SetWriteDeadline(time.Now().Add(5*time.Second)))
			fmt.Fprintf(w, "read %q timeout=%v", b, timedOut)
			assert.NoError(t, rc.Flush())
		})
	}
	uv, std := nhBoth(t, mk, func(t *testing.T, s *nhServed) string {
		c, br := nhDial(t, s.addr)
		io.WriteString(c, nhLines("POST / HTTP/1.1", "Host: x", "Content-Length: 10")+"abc")
		resp, err := http.ReadResponse(bufio.NewReader(br), nil)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	})
	assert.Equal(t, `read "abc" timeout=true`, uv)
	assert.Equal(t, std, uv)
}

// TestNetHTTPUnreadBody: a handler that leaves a small body unread keeps
// the connection (the rest is read and dropped); past 256 KiB left, the
// connection closes after the response, as in net/http.
func TestNetHTTPUnreadBody(t *testing.T) {
	mk := func() http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, r.URL.Path)
		})
	}
	uv, std := nhBoth(t, mk, func(t *testing.T, s *nhServed) []nhResp {
		c, br := nhDial(t, s.addr)
		small := nhLines("POST /small HTTP/1.1", "Host: x", "Content-Length: 10") + "0123456789"
		io.WriteString(c, small+nhLines("GET /next HTTP/1.1", "Host: x"))
		out := []nhResp{nhRead(t, br, "POST"), nhRead(t, br, "GET")}
		big := strings.Repeat("b", 1<<20)
		go io.WriteString(c, nhLines("POST /big HTTP/1.1", "Host: x", "Content-Length: 1048576")+big)
		out = append(out, nhRead(t, br, "POST"))
		nhClosed(t, c, br)
		return out
	})
	assert.Equal(t, std, uv)
	require.Len(t, uv, 3)
	assert.Equal(t, "/next", uv[1].Body)
	assert.True(t, uv[2].Close)
}
