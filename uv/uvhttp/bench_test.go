package uvhttp_test

import (
	"bytes"
	"net"
	"testing"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/stretchr/testify/require"
)

// The benchmarks count the allocations of the whole process, server and
// client: the client is a raw socket writing prebuilt requests and
// reading into one buffer, which allocates nothing per request itself
// (net.Conn's Read and Write on a connected socket do not), so
// allocs/op is the server's.

const getPlaintext = "GET /plaintext HTTP/1.1\r\nHost: bench\r\n\r\n"

func BenchmarkServeKeepAlive(b *testing.B) { benchServe(b, getPlaintext, 1) }

func BenchmarkServePipelined(b *testing.B) { benchServe(b, getPlaintext, 16) }

func BenchmarkServeBytes100K(b *testing.B) {
	benchServe(b, "GET /bytes/102400 HTTP/1.1\r\nHost: bench\r\n\r\n", 1)
}

func benchServe(b *testing.B, reqs string, depth int) {
	benchServeWith(b, &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop}, reqs, depth)
}

// benchServeWith is benchServe on the server s (not started yet).
func benchServeWith(b *testing.B, s *uvhttp.Server, reqs string, depth int) {
	addr, err := s.Start()
	require.NoError(b, err)
	defer func() {
		s.Close()
		s.Wait()
	}()
	c, err := net.Dial("tcp", addr.String())
	require.NoError(b, err)
	defer c.Close()
	req := []byte(reqs)
	buf := make([]byte, 1<<20)
	// One request first: its response's length (the Date header's is
	// fixed) is every response's.
	_, err = c.Write(req)
	require.NoError(b, err)
	n := readResponses(b, c, buf, 0)
	require.True(b, bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 200 OK")))
	batch := bytes.Repeat(req, depth)
	want := n * depth
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		if _, err := c.Write(batch); err != nil {
			b.Fatal(err)
		}
		if got := readResponses(b, c, buf, want); got != want {
			b.Fatalf("read %d bytes, want %d", got, want)
		}
	}
}

// readResponses reads until want bytes came (or, with want 0, one
// response, as long as its head and Content-Length say).
func readResponses(b *testing.B, c net.Conn, buf []byte, want int) int {
	n := 0
	for {
		m, err := c.Read(buf[n:])
		if err != nil {
			b.Fatal(err)
		}
		n += m
		if want == 0 {
			want = responseLen(buf[:n])
		}
		if want > 0 && n >= want {
			return n
		}
	}
}

// responseLen returns the length of the response at the start of p, or 0
// while its head is incomplete.
func responseLen(p []byte) int {
	end := bytes.Index(p, []byte("\r\n\r\n"))
	if end < 0 {
		return 0
	}
	const cl = "Content-Length: "
	i := bytes.Index(p[:end], []byte(cl))
	if i < 0 {
		return end + 4
	}
	j := i + len(cl)
	v := 0
	for ; p[j] >= '0' && p[j] <= '9'; j++ {
		v = v*10 + int(p[j]-'0')
	}
	return end + 4 + v
}
