package uvhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSoak: 20,000 requests from 32 clients over connections that open,
// pipeline 1 to 8 requests, and then close, reset, or reset with a
// request half sent; other clients keep being served. Afterwards the
// server shuts down with no handle (its loop closes), connection, fd or
// goroutine left (startServer's cleanup).
func TestSoak(t *testing.T) {
	const total, clients = 20000, 32
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop, MaxBodyBytes: 1 << 20}
	addr := startServer(t, s)
	var served atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < clients; g++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for served.Load() < total {
				if !soakConn(t, addr, rng, &served) {
					return
				}
			}
		}(uint64(g))
	}
	wg.Wait()
	assert.GreaterOrEqual(t, served.Load(), int64(total))
}

var soakPaths = []string{"/plaintext", "/json", "/bytes/100", "/bytes/20000"}

// soakConn runs one connection's life; false stops the client on a
// failure.
func soakConn(t *testing.T, addr string, rng *rand.Rand, served *atomic.Int64) bool {
	c, err := net.Dial("tcp", addr)
	if !assert.NoError(t, err) {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	for round := rng.IntN(4); round >= 0; round-- {
		n := 1 + rng.IntN(8)
		var b strings.Builder
		for i := 0; i < n; i++ {
			if i%3 == 2 {
				fmt.Fprintf(&b, "POST /echo HTTP/1.1\r\nHost: s\r\nContent-Length: 4\r\n\r\n%04d", i)
			} else {
				b.WriteString("GET " + soakPaths[(i+round)%len(soakPaths)] + " HTTP/1.1\r\nHost: s\r\n\r\n")
			}
		}
		if _, err := io.WriteString(c, b.String()); !assert.NoError(t, err) {
			return false
		}
		for i := 0; i < n; i++ {
			resp, err := http.ReadResponse(br, nil)
			if !assert.NoError(t, err) {
				return false
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if !assert.NoError(t, err) || !assert.Equal(t, 200, resp.StatusCode) {
				return false
			}
			served.Add(1)
		}
	}
	switch rng.IntN(4) {
	case 0:
		reset(c)
	case 1:
		io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: s\r\nContent-Length: 50\r\n\r\nhalf")
		reset(c)
	case 2:
		io.WriteString(c, "GET /bytes/20000 HTTP/1.1\r\nHost: s\r\n\r\n")
		reset(c) // mid-response
	}
	return true
}

func reset(c net.Conn) {
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
}

// TestManyConns: 5,000 connections at once, each served, while a Go
// client keeps being served; then all close, leaving nothing behind.
func TestManyConns(t *testing.T) {
	const n, dialers = 5000, 50
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop}
	addr := startServer(t, s)
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	for d := 0; d < dialers; d++ {
		wg.Add(1)
		go func(d int) {
			defer wg.Done()
			for i := d; i < n; i += dialers {
				c, err := net.Dial("tcp", addr)
				if !assert.NoError(t, err) {
					return
				}
				conns[i] = c
				c.SetDeadline(time.Now().Add(30 * time.Second))
				io.WriteString(c, "GET /plaintext HTTP/1.1\r\nHost: m\r\n\r\n")
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if assert.NoError(t, err) {
					resp.Body.Close()
				}
			}
		}(d)
	}
	stillServed(t, addr)
	wg.Wait()
	stillServed(t, addr)
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

func stillServed(t *testing.T, addr string) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("http://" + addr + "/plaintext")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "Hello, World!", string(b))
}

// TestRandomSplits: 300 pipelined requests of every framing, sent in
// random pieces of 1 to 60 bytes (many reads cut heads, chunk sizes and
// bodies anywhere), are all answered, in order.
func TestRandomSplits(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop}
	addr := startServer(t, s)
	c, br := dial(t, addr)
	c.(*net.TCPConn).SetNoDelay(true)
	rng := rand.New(rand.NewPCG(7, 7))
	var b strings.Builder
	var want []string
	for i := 0; i < 300; i++ {
		body := fmt.Sprintf("body-%d-%s", i, strings.Repeat("q", rng.IntN(200)))
		switch i % 3 {
		case 0:
			b.WriteString("GET /bytes/" + fmt.Sprint(i) + " HTTP/1.1\r\nHost: r\r\nX-Pad: " + strings.Repeat("p", rng.IntN(300)) + "\r\n\r\n")
			want = append(want, strings.Repeat("x", i))
		case 1:
			fmt.Fprintf(&b, "POST /echo HTTP/1.1\r\nHost: r\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			want = append(want, body)
		case 2:
			b.WriteString("POST /echo HTTP/1.1\r\nHost: r\r\nTransfer-Encoding: chunked\r\n\r\n")
			for rest := body; rest != ""; {
				n := min(len(rest), 1+rng.IntN(40))
				fmt.Fprintf(&b, "%x\r\n%s\r\n", n, rest[:n])
				rest = rest[n:]
			}
			b.WriteString("0\r\n\r\n")
			want = append(want, body)
		}
	}
	all := b.String()
	go func() {
		for len(all) > 0 {
			n := min(len(all), 1+rng.IntN(60))
			if _, err := io.WriteString(c, all[:n]); err != nil {
				return
			}
			all = all[n:]
		}
	}()
	for i, w := range want {
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "response %d", i)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, w, string(got), "response %d", i)
	}
}
