package uvhttp_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gouv/gouv/uv"
	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dial opens a raw connection with a deadline for the test.
func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

func readResp(t *testing.T, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// syncBuf is a log destination read after the server ran.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A handler's panic answers 500, closes that connection, is logged, and
// the server goes on.
func TestHandlerPanic(t *testing.T) {
	var logs syncBuf
	s := &uvhttp.Server{Addr: "127.0.0.1:0", ErrorLog: log.New(&logs, "", 0),
		Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
			if string(r.Path()) == "/panic" {
				w.WriteString("partial, never sent")
				panic("boom")
			}
			w.WriteString("fine")
		}}
	addr := startServer(t, s)
	c, br := dial(t, addr)
	io.WriteString(c, "GET /panic HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body := readResp(t, br)
	assert.Equal(t, 500, resp.StatusCode)
	assert.NotContains(t, body, "partial")
	_, err := br.ReadByte()
	assert.Error(t, err, "the connection closes after the 500")
	c2, br2 := dial(t, addr)
	io.WriteString(c2, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
	_, body = readResp(t, br2)
	assert.Equal(t, "fine", body)
	assert.Contains(t, logs.String(), "boom")
}

// An asynchronous handler (Hold, then End from a timer) keeps the
// pipelined responses in request order.
func TestAsyncHandlerPipelined(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0"}
	s.Handler = func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		path := string(r.Path())
		if !strings.HasPrefix(path, "/slow") {
			w.WriteString("fast " + path)
			return
		}
		w.Hold()
		tm, err := uv.NewTimer(currentLoop(s))
		if !assert.NoError(t, err) {
			w.End()
			return
		}
		tm.Start(20*time.Millisecond, 0, func(tm *uv.Timer) {
			w.WriteString("slow " + path)
			w.End()
			tm.Close(nil)
		})
	}
	addr := startServer(t, s)
	c, br := dial(t, addr)
	order := []string{"/a", "/slow1", "/b", "/slow2", "/slow3", "/c"}
	var req strings.Builder
	for _, p := range order {
		req.WriteString("GET " + p + " HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	io.WriteString(c, req.String())
	for _, p := range order {
		_, body := readResp(t, br)
		assert.True(t, strings.HasSuffix(body, " "+p), "got %q for %s", body, p)
	}
}

// currentLoop finds the loop of s's only loop: handlers run on it.
func currentLoop(s *uvhttp.Server) *uv.Loop { return uvhttp.LoopOf(s, 0) }

// Flush sends the head and what is written, the rest chunked.
func TestFlushChunked(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		w.WriteString("one,")
		w.Flush()
		w.WriteString("two,")
		w.Flush()
		w.WriteString("three")
	}}
	addr := startServer(t, s)
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "one,two,three", string(b))
	assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
	// HTTP/1.0: no chunks, the body ends with the connection.
	c, br := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	resp, body := readResp(t, br)
	assert.Equal(t, "one,two,three", body)
	assert.Nil(t, resp.TransferEncoding)
}

// MaxConnsPerLoop: at the limit the loop stops accepting; a waiting
// connection is served once another closes.
func TestMaxConnsPerLoop(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", MaxConnsPerLoop: 2, Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		w.WriteString("ok")
	}}
	addr := startServer(t, s)
	c1, br1 := dial(t, addr)
	c2, br2 := dial(t, addr)
	for _, p := range []struct {
		c  net.Conn
		br *bufio.Reader
	}{{c1, br1}, {c2, br2}} {
		io.WriteString(p.c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		readResp(t, p.br)
	}
	c3, br3 := dial(t, addr) // the kernel completes it; the loop does not accept it
	io.WriteString(c3, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c3.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, err := br3.Peek(1)
	require.Error(t, err, "a third connection is not served at the limit")
	c1.Close()
	c3.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, body := readResp(t, br3)
	assert.Equal(t, "ok", body)
}

// Loops N: N loops share the port with SO_REUSEPORT and all serve.
func TestLoops(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Loops: 3, Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		w.WriteString("ok")
	}}
	addr := startServer(t, s)
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if !assert.NoError(t, err) {
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			b, _ := io.ReadAll(c)
			assert.True(t, bytes.HasSuffix(b, []byte("ok")))
		}()
	}
	wg.Wait()
}

// Shutdown waits for a request in flight, answers it with Connection:
// close, closes idle connections and refuses new ones.
func TestShutdownGraceful(t *testing.T) {
	started := make(chan struct{})
	s := &uvhttp.Server{Addr: "127.0.0.1:0"}
	s.Handler = func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		w.Hold()
		tm, _ := uv.NewTimer(uvhttp.LoopOf(s, 0))
		close(started)
		tm.Start(100*time.Millisecond, 0, func(tm *uv.Timer) {
			w.WriteString("late")
			w.End()
			tm.Close(nil)
		})
	}
	addr, err := s.Start()
	require.NoError(t, err)
	idle, idleBr := dial(t, addr.String())
	busy, busyBr := dial(t, addr.String())
	io.WriteString(busy, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	resp, body := readResp(t, busyBr)
	assert.Equal(t, "late", body)
	assert.True(t, resp.Close)
	_, err = idleBr.ReadByte()
	assert.Error(t, err, "idle connection closed")
	assert.NoError(t, <-done)
	assert.ErrorIs(t, s.Wait(), uvhttp.ErrServerClosed)
	_, err = net.Dial("tcp", addr.String())
	assert.Error(t, err, "not accepting after Shutdown")
	idle.Close()
}

// Shutdown returns ctx's error when a request outlives it; Close then
// ends everything.
func TestShutdownContextAndClose(t *testing.T) {
	called := make(chan struct{})
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		w.Hold() // never ends
		close(called)
	}}
	addr, err := s.Start()
	require.NoError(t, err)
	c, br := dial(t, addr.String())
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-called
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.Shutdown(ctx), context.DeadlineExceeded)
	assert.NoError(t, s.Close())
	assert.ErrorIs(t, s.Wait(), uvhttp.ErrServerClosed)
	_, err = br.ReadByte()
	assert.Error(t, err)
}

// Serve on a gouv listener on the caller's loop.
func TestServeOnLoop(t *testing.T) {
	l, err := uv.NewLoop()
	require.NoError(t, err)
	ln, err := uv.NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, ln.Bind(netipLoopback(), 0))
	a, err := ln.LocalAddr()
	require.NoError(t, err)
	s := &uvhttp.Server{Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		w.WriteString("on my loop")
	}}
	require.NoError(t, s.Serve(ln))
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + a.String() + "/")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got <- string(b)
		} else {
			got <- err.Error()
		}
		http.DefaultClient.CloseIdleConnections()
		s.Shutdown(context.Background())
	}()
	_, err = l.Run(uv.RunDefault)
	require.NoError(t, err)
	assert.Equal(t, "on my loop", <-got)
	require.NoError(t, l.Close())
}

func netipLoopback() netip.AddrPort { return netip.MustParseAddrPort("127.0.0.1:0") }

// StreamBody: the handler runs at the head and takes the body as it
// streams, answering once it is whole.
func TestStreamBody(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", StreamBody: true, MaxBodyBytes: 64 << 20}
	s.Handler = func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		if r.Method() != "POST" {
			w.WriteString("no body")
			return
		}
		w.Hold()
		n, pieces := 0, 0
		r.OnBody(func(p []byte, done bool) {
			n += len(p)
			pieces++
			if done {
				fmt.Fprintf(w, "%d bytes", n)
				w.End()
			}
		})
	}
	addr := startServer(t, s)
	body := strings.Repeat("z", 10<<20)
	resp, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader(body))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, fmt.Sprintf("%d bytes", len(body)), string(b))
	c, br := dial(t, addr)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_, got := readResp(t, br)
	assert.Equal(t, "5 bytes", got)
	_, got = readResp(t, br)
	assert.Equal(t, "no body", got)
	http.DefaultClient.CloseIdleConnections()
}

// A held response ended after its connection was reset goes nowhere, and
// the server goes on.
func TestEndAfterReset(t *testing.T) {
	ended := make(chan struct{})
	s := &uvhttp.Server{Addr: "127.0.0.1:0"}
	s.Handler = func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		if string(r.Path()) != "/held" {
			w.WriteString("ok")
			return
		}
		w.Hold()
		tm, _ := uv.NewTimer(uvhttp.LoopOf(s, 0))
		tm.Start(100*time.Millisecond, 0, func(tm *uv.Timer) {
			w.WriteString("too late")
			w.End()
			tm.Close(nil)
			close(ended)
		})
	}
	addr := startServer(t, s)
	c, _ := dial(t, addr)
	io.WriteString(c, "GET /held HTTP/1.1\r\nHost: x\r\n\r\n")
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	<-ended
	c2, br := dial(t, addr)
	io.WriteString(c2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_, body := readResp(t, br)
	assert.Equal(t, "ok", body)
}

// A head of thousands of headers, split over many reads, is carried
// whole from read to read.
func TestManyHeadersSplit(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", MaxHeaderBytes: 1 << 20}
	s.Handler = func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		fmt.Fprintf(w, "%d %s", r.NumHeader(), r.Header("x-last"))
	}
	addr := startServer(t, s)
	c, br := dial(t, addr)
	var b strings.Builder
	b.WriteString("GET / HTTP/1.1\r\nHost: x\r\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "X-H%d: %d\r\n", i, i)
	}
	b.WriteString("X-Last: end\r\n\r\n")
	req := b.String()
	for i := 0; i < len(req); i += 1000 {
		_, err := io.WriteString(c, req[i:min(i+1000, len(req))])
		require.NoError(t, err)
	}
	_, body := readResp(t, br)
	assert.Equal(t, "3002 end", body)
}

// Bad configurations and a second start are errors, not crashes.
func TestServerMisuse(t *testing.T) {
	_, err := (&uvhttp.Server{Addr: "127.0.0.1:0"}).Start()
	assert.Error(t, err, "no handler")
	h := func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {}
	_, err = (&uvhttp.Server{Addr: "nohost.example:80", Handler: h}).Start()
	assert.Error(t, err, "a name, not an address")
	_, err = (&uvhttp.Server{Addr: "127.0.0.1:99999", Handler: h}).Start()
	assert.Error(t, err, "bad port")
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: h}
	startServer(t, s)
	_, err = s.Start()
	assert.Error(t, err, "started twice")
	closed := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: h}
	require.NoError(t, closed.Close())
	assert.ErrorIs(t, closed.ListenAndServe(), uvhttp.ErrServerClosed)
}

// Shutdown lets a request whose head is half read finish, as net/http
// does, answering it with Connection: close.
func TestShutdownHalfHead(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		w.WriteString("finished")
	}}
	addr, err := s.Start()
	require.NoError(t, err)
	c, br := dial(t, addr.String())
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	readResp(t, br) // the connection is served, so accepted
	io.WriteString(c, "GET / HTTP/1.1\r\nHo")
	for uvhttp.HalfHeads(s) != 1 {
		runtime.Gosched() // polling the server's state, through its loop
	}
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	for !uvhttp.Stopping(s) {
		runtime.Gosched()
	}
	io.WriteString(c, "st: x\r\n\r\n")
	resp, body := readResp(t, br)
	assert.Equal(t, "finished", body)
	assert.True(t, resp.Close)
	assert.NoError(t, <-done)
	assert.ErrorIs(t, s.Wait(), uvhttp.ErrServerClosed)
}
