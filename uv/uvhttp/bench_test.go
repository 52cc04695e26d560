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

func BenchmarkServeKeepAlive(b *testing.B) { benchServe(b, 1) }

func BenchmarkServePipelined(b *testing.B) { benchServe(b, 16) }

func benchServe(b *testing.B, depth int) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop}
	addr, err := s.Start()
	require.NoError(b, err)
	defer func() {
		s.Close()
		s.Wait()
	}()
	c, err := net.Dial("tcp", addr.String())
	require.NoError(b, err)
	defer c.Close()
	req := []byte(getPlaintext)
	buf := make([]byte, 1<<16)
	// One request first: its response's length (the Date header's is
	// fixed) is every response's.
	_, err = c.Write(req)
	require.NoError(b, err)
	n := readResponses(b, c, buf, 0)
	require.True(b, bytes.HasSuffix(buf[:n], []byte("Hello, World!")))
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
// response with its body ended by "World!").
func readResponses(b *testing.B, c net.Conn, buf []byte, want int) int {
	n := 0
	for {
		m, err := c.Read(buf[n:])
		if err != nil {
			b.Fatal(err)
		}
		n += m
		if want > 0 && n >= want || want == 0 && bytes.HasSuffix(buf[:n], []byte("World!")) {
			return n
		}
	}
}
