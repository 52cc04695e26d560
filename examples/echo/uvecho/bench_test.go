package uvecho

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const benchMsg = 64 // bytes per round trip

// BenchmarkEchoRoundTrip measures one 64-byte echo round trip: the
// benchmark goroutine writes on a net.Conn and reads the echo back
// (ping-pong). Its allocs/op counts the whole process, client included.
//
// server-allocs/op is the server's share alone: after the timed loop, the
// same round trips again from a client on raw blocking syscalls, which
// allocates nothing (TestRawClientNoAllocs), around a
// runtime.MemStats.Mallocs delta.
func BenchmarkEchoRoundTrip(b *testing.B) {
	r, err := Start(Config{Addr: "127.0.0.1:0"})
	require.NoError(b, err)
	defer func() { require.NoError(b, r.Stop()) }()
	c, err := net.Dial("tcp", r.Addr())
	require.NoError(b, err)
	defer c.Close()
	msg, buf := make([]byte, benchMsg), make([]byte, benchMsg)
	for range 1000 { // warm up
		require.NoError(b, netRoundTrip(c, msg, buf))
	}

	b.ReportAllocs()
	for b.Loop() {
		if err := netRoundTrip(c, msg, buf); err != nil {
			b.Fatal(err)
		}
	}

	ap, err := netip.ParseAddrPort(r.Addr())
	require.NoError(b, err)
	b.ReportMetric(serverAllocs(b, ap, max(b.N, 20000)), "server-allocs/op")
}

func netRoundTrip(c net.Conn, msg, buf []byte) error {
	if _, err := c.Write(msg); err != nil {
		return err
	}
	_, err := io.ReadFull(c, buf)
	return err
}

// serverAllocs returns the heap allocations per round trip that n round
// trips from a raw-syscall client cost the process: the server's, since
// that client allocates nothing.
func serverAllocs(tb testing.TB, addr netip.AddrPort, n int) float64 {
	rc, err := rawDial(addr)
	require.NoError(tb, err)
	defer rc.close()
	msg, buf := make([]byte, benchMsg), make([]byte, benchMsg)
	for range 1000 { // warm up: the server's connection, its tables
		require.NoError(tb, rc.roundTrip(msg, buf))
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range n {
		if err := rc.roundTrip(msg, buf); err != nil {
			tb.Fatal(err)
		}
	}
	runtime.ReadMemStats(&m1)
	return float64(m1.Mallocs-m0.Mallocs) / float64(n)
}

// rawConn is a blocking socket driven by plain system calls, outside Go's
// netpoller: a client whose round trips allocate nothing.
type rawConn int

func rawDial(addr netip.AddrPort) (rawConn, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	sa := &syscall.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	return rawConn(fd), nil
}

func (c rawConn) close() error { return syscall.Close(int(c)) }

func (c rawConn) write(p []byte) error {
	for len(p) > 0 {
		n, err := syscall.Write(int(c), p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

func (c rawConn) readFull(p []byte) error {
	for len(p) > 0 {
		n, err := syscall.Read(int(c), p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		p = p[n:]
	}
	return nil
}

func (c rawConn) roundTrip(msg, buf []byte) error {
	if err := c.write(msg); err != nil {
		return err
	}
	return c.readFull(buf)
}

// TestRawClientNoAllocs checks the premise of server-allocs/op: the raw
// client's round trip, played against itself over a socketpair, allocates
// nothing.
func TestRawClientNoAllocs(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	a, b := rawConn(fds[0]), rawConn(fds[1])
	defer a.close()
	defer b.close()
	msg, buf, back := make([]byte, benchMsg), make([]byte, benchMsg), make([]byte, benchMsg)
	var failed error
	allocs := testing.AllocsPerRun(1000, func() {
		err := errors.Join(a.write(msg), b.readFull(buf), b.write(buf), a.readFull(back))
		if err != nil && failed == nil {
			failed = err
		}
	})
	require.NoError(t, failed)
	assert.Zero(t, allocs, "allocations per raw round trip")
}
