// Package conformance is the HTTP conformance suite of uvhttp: one set of
// checks run against several servers serving examples/http's routes
// (uvhttp's on-loop face, net/http's own Server, uvhttp's net/http face),
// with real clients: Go's http.Client, curl, Python's http.client, and raw
// sockets for what clients do not do (pipelining, requests split at every
// byte, malformed and smuggling requests, oversize heads, slowloris,
// resets). Where a server may differ from net/http, the Target says so
// and the check says why.
package conformance

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Config is what a check needs of the server it starts.
type Config struct {
	MaxHeaderBytes    int
	MaxBodyBytes      int64 // servers without a body limit ignore it
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
}

// Target is a server under test.
type Target struct {
	Name string
	// Start starts a server serving examples/http's routes with cfg and
	// returns its address; it stops it (and checks what it left behind)
	// in t.Cleanup.
	Start func(t *testing.T, cfg Config) string
	// BodyLimit: the server answers 413 to a body past MaxBodyBytes.
	// net/http's server has no body limit (handlers wrap the body in
	// http.MaxBytesReader).
	BodyLimit bool
	// StrictLength: the server refuses two equal Content-Length headers,
	// and a Content-Length together with Transfer-Encoding: chunked, as
	// llhttp's strict mode does (request smuggling lives there). net/http
	// accepts equal lengths, and with chunked drops the Content-Length
	// (RFC 9112 6.3 allows either).
	StrictLength bool
}

// Defaults for the checks.
var base = Config{MaxHeaderBytes: 8 << 10, MaxBodyBytes: 4 << 20}

// Run runs every check against tg, each as a subtest with a server of its
// own where it changes the configuration, and one shared server else.
func Run(t *testing.T, tg Target) {
	addr := tg.Start(t, base)
	checks := []struct {
		name string
		f    func(t *testing.T, tg Target, addr string)
	}{
		{"GoClient", goClient},
		{"GoClientKeepAlive", goClientKeepAlive},
		{"GoClientChunkedPost", goClientChunkedPost},
		{"Curl", curl},
		{"Python", python},
		{"Pipelined", pipelined},
		{"SplitEveryByte", splitEveryByte},
		{"HTTP10", http10},
		{"ConnectionClose", connectionClose},
		{"Head", head},
		{"ExpectContinue", expectContinue},
		{"NoHost", noHost},
		{"AbsoluteForm", absoluteForm},
		{"Malformed", malformed},
		{"Smuggling", smuggling},
		{"HeaderTooLarge", headerTooLarge},
		{"BodyTooLarge", bodyTooLarge},
		{"ResetMidRequest", resetMidRequest},
		{"ResetMidResponse", resetMidResponse},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.f(t, tg, addr) })
	}
	t.Run("Slowloris", func(t *testing.T) { slowloris(t, tg) })
	t.Run("IdleTimeout", func(t *testing.T) { idleTimeout(t, tg) })
}

// client is a Go client of its own per check, closed after it.
func client(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func goClient(t *testing.T, _ Target, addr string) {
	c := client(t)
	resp, body := get(t, c, "http://"+addr+"/plaintext")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Hello, World!", string(body))
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	assert.Equal(t, int64(13), resp.ContentLength)
	_, err := http.ParseTime(resp.Header.Get("Date"))
	assert.NoError(t, err, "Date header")

	resp, body = get(t, c, "http://"+addr+"/json")
	assert.Equal(t, `{"message":"Hello, World!"}`, string(body))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))

	for _, n := range []int{0, 1, 1024, 10240, 102400, 1 << 20} {
		resp, body = get(t, c, "http://"+addr+"/bytes/"+itoa(n))
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, n, len(body), "/bytes/%d", n)
	}
	resp, _ = get(t, c, "http://"+addr+"/nothing")
	assert.Equal(t, 404, resp.StatusCode)

	for _, n := range []int{0, 5, 70000, 1 << 20} {
		in := bytes.Repeat([]byte("ab"), n/2)
		resp, err := c.Post("http://"+addr+"/echo", "application/octet-stream", bytes.NewReader(in))
		require.NoError(t, err)
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		assert.True(t, bytes.Equal(in, out), "echo of %d bytes", n)
	}
}

func goClientKeepAlive(t *testing.T, _ Target, addr string) {
	c := client(t)
	var conns int
	tr := c.Transport.(*http.Transport)
	tr.DialContext = countingDial(&conns)
	for i := 0; i < 20; i++ {
		resp, body := get(t, c, "http://"+addr+"/plaintext")
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, "Hello, World!", string(body))
	}
	assert.Equal(t, 1, conns, "keep-alive: one connection for 20 requests")
}

func goClientChunkedPost(t *testing.T, _ Target, addr string) {
	c := client(t)
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 100; i++ {
			pw.Write([]byte(strings.Repeat("x", i)))
		}
		pw.Close()
	}()
	req, err := http.NewRequest("POST", "http://"+addr+"/echo", pr)
	require.NoError(t, err)
	resp, err := c.Do(req) // unknown length: Transfer-Encoding: chunked
	require.NoError(t, err)
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, 99*100/2, len(out))
}

// rawConn dials addr with a deadline for the whole check.
func rawConn(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// readResp reads one response to a request of method.
func readResp(t *testing.T, br *bufio.Reader, method string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	return resp, body
}

// closed checks that the server closes the connection: the next read
// ends (EOF or reset) before the deadline.
func closed(t *testing.T, c net.Conn, br *bufio.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := br.ReadByte()
	require.Error(t, err)
	var ne net.Error
	if assert.Error(t, err) && errorsAs(err, &ne) {
		assert.False(t, ne.Timeout(), "the server did not close the connection")
	}
}

func pipelined(t *testing.T, _ Target, addr string) {
	c, br := rawConn(t, addr)
	var b strings.Builder
	paths := []string{"/plaintext", "/json", "/bytes/3", "/nothing", "/bytes/70000"}
	for i := 0; i < 32; i++ {
		b.WriteString("GET " + paths[i%len(paths)] + " HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	b.WriteString("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
	b.WriteString("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
	_, err := io.WriteString(c, b.String())
	require.NoError(t, err)
	for i := 0; i < 32; i++ {
		resp, body := readResp(t, br, "GET")
		switch paths[i%len(paths)] {
		case "/plaintext":
			assert.Equal(t, "Hello, World!", string(body), "response %d", i)
		case "/json":
			assert.Contains(t, string(body), "message", "response %d", i)
		case "/bytes/3":
			assert.Equal(t, 3, len(body), "response %d", i)
		case "/nothing":
			assert.Equal(t, 404, resp.StatusCode, "response %d", i)
		case "/bytes/70000":
			assert.Equal(t, 70000, len(body), "response %d", i)
		}
	}
	_, body := readResp(t, br, "POST")
	assert.Equal(t, "hello", string(body))
	_, body = readResp(t, br, "POST")
	assert.Equal(t, "abcde", string(body))
}

// splitEveryByte sends a request with a body in two writes, cut at every
// byte in turn, on one connection.
func splitEveryByte(t *testing.T, _ Target, addr string) {
	c, br := rawConn(t, addr)
	req := "POST /echo?a=b HTTP/1.1\r\nHost: split\r\nX-Long: " + strings.Repeat("v", 40) +
		"\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n"
	if testing.Short() {
		req = "POST /echo HTTP/1.1\r\nHost: s\r\nContent-Length: 3\r\n\r\nabc"
	}
	for i := 1; i < len(req); i++ {
		_, err := io.WriteString(c, req[:i])
		require.NoError(t, err)
		_, err = io.WriteString(c, req[i:])
		require.NoError(t, err)
		resp, body := readResp(t, br, "POST")
		require.Equal(t, 200, resp.StatusCode, "cut at %d", i)
		if !testing.Short() {
			require.Equal(t, "wikipedia", string(body), "cut at %d", i)
		}
	}
}

func http10(t *testing.T, _ Target, addr string) {
	// Without keep-alive: the server closes after the response.
	c, br := rawConn(t, addr)
	io.WriteString(c, "GET /plaintext HTTP/1.0\r\n\r\n")
	resp, body := readResp(t, br, "GET")
	assert.Equal(t, "Hello, World!", string(body))
	assert.Equal(t, 0, resp.ProtoMinor)
	closed(t, c, br)
	// With keep-alive: it stays open and says so.
	c, br = rawConn(t, addr)
	for i := 0; i < 3; i++ {
		io.WriteString(c, "GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, body = readResp(t, br, "GET")
		assert.Equal(t, "Hello, World!", string(body))
		assert.Equal(t, "keep-alive", strings.ToLower(resp.Header.Get("Connection")))
	}
}

func connectionClose(t *testing.T, _ Target, addr string) {
	c, br := rawConn(t, addr)
	// A request after the one with Connection: close is not answered.
	io.WriteString(c, "GET /plaintext HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /json HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body := readResp(t, br, "GET")
	assert.Equal(t, "Hello, World!", string(body))
	assert.True(t, resp.Close)
	closed(t, c, br)
}

func head(t *testing.T, _ Target, addr string) {
	c, br := rawConn(t, addr)
	io.WriteString(c, "HEAD /plaintext HTTP/1.1\r\nHost: x\r\n\r\nGET /json HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, body := readResp(t, br, "HEAD")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, int64(13), resp.ContentLength, "HEAD has the GET's Content-Length")
	_, body = readResp(t, br, "GET") // no body bytes came between
	assert.Contains(t, string(body), "message")
}

func expectContinue(t *testing.T, _ Target, addr string) {
	c, br := rawConn(t, addr)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	resp, _ := readResp(t, br, "POST")
	require.Equal(t, 100, resp.StatusCode)
	io.WriteString(c, "hello")
	resp, body := readResp(t, br, "POST")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "hello", string(body))
}

func noHost(t *testing.T, _ Target, addr string) {
	c, br := rawConn(t, addr)
	io.WriteString(c, "GET /plaintext HTTP/1.1\r\n\r\n")
	resp, _ := readResp(t, br, "GET")
	assert.Equal(t, 400, resp.StatusCode)
	closed(t, c, br)
}

func absoluteForm(t *testing.T, _ Target, addr string) {
	c, br := rawConn(t, addr)
	io.WriteString(c, "GET http://"+addr+"/plaintext?x=1 HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	resp, body := readResp(t, br, "GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Hello, World!", string(body))
}

// refused sends req on a fresh connection and checks the answer is status
// and the connection then closes.
func refused(t *testing.T, addr, req string, status int) {
	t.Helper()
	c, br := rawConn(t, addr)
	io.WriteString(c, req)
	resp, _ := readResp(t, br, "GET")
	assert.Equal(t, status, resp.StatusCode, "%q", req)
	closed(t, c, br)
}

func malformed(t *testing.T, _ Target, addr string) {
	for _, req := range []string{
		"GET /plaintext HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
		"GET /plain text HTTP/1.1\r\nHost: x\r\n\r\n",
		"G(T /plaintext HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /plaintext HTTP/1.1\r\nHo st: x\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	} {
		refused(t, addr, req, 400)
	}
	// An unknown version: llhttp refuses it as malformed (400), net/http
	// as unsupported (505).
	c, br := rawConn(t, addr)
	io.WriteString(c, "GET /plaintext HTTP/9.9\r\nHost: x\r\n\r\n")
	resp, _ := readResp(t, br, "GET")
	assert.Contains(t, []int{400, 505}, resp.StatusCode)
	closed(t, c, br)
}

func smuggling(t *testing.T, tg Target, addr string) {
	// Two different lengths: both refuse.
	refused(t, addr, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400)
	// Content-Length with Transfer-Encoding: strict servers refuse.
	both := "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	if tg.StrictLength {
		refused(t, addr, both, 400)
	} else {
		c, br := rawConn(t, addr)
		io.WriteString(c, both)
		_, body := readResp(t, br, "POST")
		assert.Equal(t, "abc", string(body))
	}
	// A Transfer-Encoding other than chunked: both refuse (net/http
	// answers 501, llhttp's strict mode 400).
	c, br := rawConn(t, addr)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc")
	resp, _ := readResp(t, br, "POST")
	assert.Contains(t, []int{400, 501}, resp.StatusCode)
	closed(t, c, br)
	// Two equal lengths: net/http accepts them; llhttp's strict mode
	// does not (it refuses any duplicate Content-Length).
	dup := "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
	if tg.StrictLength {
		refused(t, addr, dup, 400)
	} else {
		c, br := rawConn(t, addr)
		io.WriteString(c, dup)
		_, body := readResp(t, br, "POST")
		assert.Equal(t, "abc", string(body))
	}
}

func headerTooLarge(t *testing.T, _ Target, addr string) {
	// Past MaxHeaderBytes (8 KiB; net/http reads 4 KiB more before it
	// refuses): 431.
	big := "GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 64<<10) + "\r\n\r\n"
	refused(t, addr, big, 431)
	many := "GET /plaintext HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Many: 0123456789\r\n", 2000) + "\r\n"
	refused(t, addr, many, 431)
}

func bodyTooLarge(t *testing.T, tg Target, addr string) {
	if !tg.BodyLimit {
		t.Skip("net/http's server has no body limit: handlers set one with http.MaxBytesReader")
	}
	c, br := rawConn(t, addr)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n")
	resp, _ := readResp(t, br, "POST")
	assert.Equal(t, 413, resp.StatusCode)
	closed(t, c, br)
	// Chunked past the limit.
	c, br = rawConn(t, addr)
	go func() {
		io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
		chunk := "10000\r\n" + strings.Repeat("c", 0x10000) + "\r\n"
		for i := 0; i < 100; i++ {
			if _, err := io.WriteString(c, chunk); err != nil {
				return
			}
		}
	}()
	resp, _ = readResp(t, br, "POST")
	assert.Equal(t, 413, resp.StatusCode)
}

// reset closes c with an RST (SO_LINGER 0).
func reset(c net.Conn) {
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
}

func resetMidRequest(t *testing.T, _ Target, addr string) {
	for i := 0; i < 20; i++ {
		c, _ := rawConn(t, addr)
		io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
		reset(c)
		c, _ = rawConn(t, addr)
		io.WriteString(c, "GET /plaintext HTTP/1.1\r\nHo")
		reset(c)
	}
	stillServes(t, addr)
}

func resetMidResponse(t *testing.T, _ Target, addr string) {
	for i := 0; i < 20; i++ {
		c, br := rawConn(t, addr)
		io.WriteString(c, "GET /bytes/4000000 HTTP/1.1\r\nHost: x\r\n\r\n")
		br.ReadByte()
		reset(c)
	}
	stillServes(t, addr)
}

func stillServes(t *testing.T, addr string) {
	t.Helper()
	_, body := get(t, client(t), "http://"+addr+"/plaintext")
	assert.Equal(t, "Hello, World!", string(body))
}

// slowloris sends a head one byte every 100 ms: the server closes it once
// ReadHeaderTimeout (500 ms) passes, and serves others meanwhile.
func slowloris(t *testing.T, tg Target) {
	addr := tg.Start(t, Config{MaxHeaderBytes: 8 << 10, MaxBodyBytes: 1 << 20, ReadHeaderTimeout: 500 * time.Millisecond})
	c, br := rawConn(t, addr)
	start := time.Now()
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		req := "GET /plaintext HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("s", 100)
		for i := 0; i < len(req); i++ {
			if _, err := io.WriteString(c, req[i:i+1]); err != nil {
				return
			}
			select {
			case <-time.After(100 * time.Millisecond):
			}
			if time.Since(start) > 5*time.Second {
				return
			}
		}
	}()
	stillServes(t, addr)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := br.ReadByte() // net/http may answer 408 first; uvhttp closes
	if err == nil {
		_, err = io.ReadAll(br)
	}
	var ne net.Error
	if errorsAs(err, &ne) {
		assert.False(t, ne.Timeout(), "the slow connection was not closed")
	}
	assert.Less(t, time.Since(start), 4*time.Second)
	c.Close()
	<-gone
}

// idleTimeout: a keep-alive connection idle past IdleTimeout is closed.
func idleTimeout(t *testing.T, tg Target) {
	addr := tg.Start(t, Config{MaxHeaderBytes: 8 << 10, MaxBodyBytes: 1 << 20, IdleTimeout: 300 * time.Millisecond})
	c, br := rawConn(t, addr)
	io.WriteString(c, "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
	readResp(t, br, "GET")
	start := time.Now()
	closed(t, c, br)
	assert.Less(t, time.Since(start), 3*time.Second)
}
