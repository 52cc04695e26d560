package uvhttp_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nhServed is a server under a behaviour test: uvhttp's net/http face or
// net/http's own Server, with the same handler.
type nhServed struct {
	name     string
	addr     string
	shutdown func(ctx context.Context) error
	log      *nhLog // the server's ErrorLog
}

// nhLog is a bytes.Buffer safe for a logger and a test together.
type nhLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *nhLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *nhLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// nhServeUV serves h with uvhttp's HTTPHandler; the cleanup shuts it down
// (unless the test did) and checks it left no goroutine or fd behind.
func nhServeUV(t *testing.T, h http.Handler, tune func(*uvhttp.Server)) *nhServed {
	lb := &nhLog{}
	s := &uvhttp.Server{Addr: "127.0.0.1:0", HTTPHandler: h, ErrorLog: log.New(lb, "", 0)}
	if tune != nil {
		tune(s)
	}
	leaks := snapshot()
	addr, err := s.Start()
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, s.Shutdown(ctx))
		assert.ErrorIs(t, s.Wait(), uvhttp.ErrServerClosed)
		leaks.check(t)
	})
	return &nhServed{name: "uvhttp", addr: addr.String(), shutdown: s.Shutdown, log: lb}
}

// nhServeStd serves h with net/http's Server.
func nhServeStd(t *testing.T, h http.Handler) *nhServed {
	lb := &nhLog{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &http.Server{Handler: h, ErrorLog: log.New(lb, "", 0)}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		assert.ErrorIs(t, <-done, http.ErrServerClosed)
	})
	return &nhServed{name: "net/http", addr: ln.Addr().String(), shutdown: s.Shutdown, log: lb}
}

// nhBoth runs f as two subtests, against uvhttp and net/http serving the
// handler mk makes (a fresh one each), and returns what f returned for
// each, to be compared.
func nhBoth[T any](t *testing.T, mk func() http.Handler, f func(t *testing.T, s *nhServed) T) (uv, std T) {
	t.Run("uvhttp", func(t *testing.T) { uv = f(t, nhServeUV(t, mk(), nil)) })
	t.Run("net/http", func(t *testing.T) { std = f(t, nhServeStd(t, mk())) })
	return uv, std
}

// dial opens a raw connection with a deadline for the whole test.
func nhDial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(15 * time.Second))
	return c, bufio.NewReader(c)
}

// nhResp is what a behaviour test compares of a nhResp: the status,
// the headers that do not vary between runs, and the body.
type nhResp struct {
	Status  int
	Header  http.Header
	Body    string
	Chunked bool
	Length  int64
	Close   bool // Connection: close (ReadResponse takes the header out)
}

// nhRead reads one nhResp to a request of method from br.
func nhRead(t *testing.T, br *bufio.Reader, method string) nhResp {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	h := resp.Header.Clone()
	h.Del("Date")
	return nhResp{resp.StatusCode, h, string(body), len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked", resp.ContentLength, resp.Close}
}

// nhRoundTrip sends a raw request on a fresh connection and reads the
// nhResp.
func nhRoundTrip(t *testing.T, addr, req, method string) nhResp {
	t.Helper()
	c, br := nhDial(t, addr)
	_, err := io.WriteString(c, req)
	require.NoError(t, err)
	return nhRead(t, br, method)
}

// nhClosed waits for the server to close c (EOF or reset, not timeout).
func nhClosed(t *testing.T, c net.Conn, br *bufio.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, br)
	var ne net.Error
	if err != nil && errors.As(err, &ne) {
		assert.False(t, ne.Timeout(), "the server did not close the connection")
	}
}

func nhGet(t *testing.T, url string) nhResp {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	h := resp.Header.Clone()
	h.Del("Date")
	return nhResp{resp.StatusCode, h, string(body), len(resp.TransferEncoding) > 0, resp.ContentLength, resp.Close}
}

func nhLines(s ...string) string { return strings.Join(s, "\r\n") + "\r\n\r\n" }
