package gobench

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/gouv/gouv/examples/echo-net/netecho"
	"github.com/gouv/gouv/examples/echo/uvecho"
)

// echoServer is a running in-process echo server.
type echoServer struct {
	addr string
	stop func() error
}

func startServer(b *testing.B, impl string) echoServer {
	b.Helper()
	switch impl {
	case "uv":
		r, err := uvecho.Start(uvecho.Config{Addr: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		return echoServer{r.Addr(), r.Stop}
	default:
		s, err := netecho.Start(netecho.Config{Addr: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		return echoServer{s.Addr(), s.Stop}
	}
}

// BenchmarkEcho measures one echo round trip (an S-byte message and its
// whole echo) over N connections, each a client goroutine doing ping-pong,
// against the gouv server and the net server in process. allocs/op counts
// the client and the server together; the net client allocates nothing in
// steady state.
func BenchmarkEcho(b *testing.B) {
	for _, impl := range []string{"uv", "net"} {
		for _, conns := range []int{1, 10, 100} {
			for _, size := range []int{64, 1024, 16384} {
				name := fmt.Sprintf("impl=%s/conns=%d/size=%d", impl, conns, size)
				b.Run(name, func(b *testing.B) { benchEcho(b, impl, conns, size) })
			}
		}
	}
}

func benchEcho(b *testing.B, impl string, conns, size int) {
	srv := startServer(b, impl)
	defer func() {
		if err := srv.stop(); err != nil {
			b.Error(err)
		}
	}()
	clients := make([]net.Conn, conns)
	for i := range clients {
		c, err := net.Dial("tcp", srv.addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
	}
	b.SetBytes(int64(2 * size))
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i, c := range clients {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := pingPong(c, size, n); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
}

// pingPong sends n messages of size bytes on c, each after the whole echo
// of the last came back.
func pingPong(c net.Conn, size, n int) error {
	msg, got := make([]byte, size), make([]byte, size)
	for i := range msg {
		msg[i] = byte(i)
	}
	for range n {
		if _, err := c.Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, got); err != nil {
			return err
		}
	}
	return nil
}
