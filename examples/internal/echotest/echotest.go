// Package echotest is the conformance suite of the echo servers: the same
// subtests, with the same assertions, run against uvecho (gouv) and netecho
// (Go's net package), as uvloop runs its tests on uvloop and on asyncio.
// It is pure Go over real loopback sockets and knows nothing of uv: each
// server's test hands Run a start function that describes a fresh server.
//
// No subtest sleeps to synchronise: clients set deadlines on their
// net.Conns, so every wait is bounded, and the server's connection count is
// polled with a deadline.
package echotest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Server is one running echo server, as a StartFunc describes it.
type Server struct {
	Network string // "tcp" or "unix", for net.Dial
	Addr    string // host:port or socket path

	// Conns returns the number of connections the server holds open.
	Conns func() int
	// Stop shuts the server down and waits for it; it must return nil.
	Stop func() error

	// MaxQueued, when not nil, returns the most bytes the server has held
	// for any one connection since it started: read, not yet handed to the
	// kernel. SlowReader requires it to stay within QueueLimit.
	MaxQueued  func() int
	QueueLimit int
	// Pauses, when not nil, returns how many times the server stopped
	// reading a connection because its peer did not read. SlowReader
	// requires at least one.
	Pauses func() int
}

// StartFunc starts a fresh server for one subtest: on 127.0.0.1:0, or on a
// unix socket when pipe is set (SocketPath gives a path).
type StartFunc func(t *testing.T, pipe bool) Server

// Timeout bounds every client's connection (net.Conn deadlines) and the
// wait for the server to drop its connections.
const Timeout = 30 * time.Second

type subtest struct {
	name string
	pipe bool // also run over a unix socket
	fn   func(t *testing.T, s Server)
}

var subtests = []subtest{
	{"OneByte", true, oneByte},
	{"OneMiB", true, oneMiB},
	{"Concurrent200", true, concurrent200},
	{"HalfClose", true, halfClose},
	{"ResetMidStream", false, resetMidStream}, // SO_LINGER is TCP's
	{"SlowReader", true, slowReader},
}

// Run runs the suite against the servers start makes: every subtest over
// TCP ("tcp/OneByte"...) and most over a unix socket ("unix/OneByte"...).
// Each subtest gets a fresh server; afterwards the server's connection
// count must return to 0 and Stop must return nil.
func Run(t *testing.T, start StartFunc) {
	for _, pipe := range []bool{false, true} {
		network := "tcp"
		if pipe {
			network = "unix"
		}
		t.Run(network, func(t *testing.T) {
			for _, st := range subtests {
				if pipe && !st.pipe {
					continue
				}
				t.Run(st.name, func(t *testing.T) {
					s := start(t, pipe)
					require.Equal(t, network, s.Network)
					stopped := false
					t.Cleanup(func() {
						if !stopped {
							assert.NoError(t, s.Stop(), "Stop")
						}
					})
					st.fn(t, s)
					WaitNoConns(t, s.Conns)
					stopped = true
					assert.NoError(t, s.Stop(), "Stop")
				})
			}
		})
	}
}

// SocketPath returns a fresh unix socket path in a short temporary
// directory (sun_path holds 108 bytes), removed at the end of the test.
func SocketPath(t testing.TB) string {
	dir, err := os.MkdirTemp("", "echo")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "s")
}

// WaitNoConns polls conns until it returns 0, for at most Timeout.
func WaitNoConns(t testing.TB, conns func() int) {
	t.Helper()
	assert.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Zero(c, conns(), "server connections still open")
	}, Timeout, time.Millisecond)
}

// Dial connects to s with every operation bounded by Timeout.
func Dial(t testing.TB, s Server) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(s.Network, s.Addr, Timeout)
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(Timeout)))
	t.Cleanup(func() { c.Close() })
	return c
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	key[2], key[3] = byte(seed>>16), byte(seed>>24)
	p := make([]byte, n)
	rand.NewChaCha8(key).Read(p)
	return p
}

// writeChunks writes p in chunks of 1..maxChunk bytes (random sizes when
// rng is set, else maxChunk), then closes the write side when closeWrite.
func writeChunks(c net.Conn, p []byte, rng *rand.Rand, maxChunk int, closeWrite bool) error {
	for len(p) > 0 {
		n := maxChunk
		if rng != nil {
			n = 1 + rng.IntN(maxChunk)
		}
		n = min(n, len(p))
		if _, err := c.Write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	if closeWrite {
		return c.(interface{ CloseWrite() error }).CloseWrite()
	}
	return nil
}

// readToEOF reads from c until EOF, into reads of 1..maxChunk bytes
// (random when rng is set), and fails unless EOF came.
func readToEOF(c net.Conn, sizeHint int, rng *rand.Rand, maxChunk int) ([]byte, error) {
	got := make([]byte, 0, sizeHint)
	buf := make([]byte, maxChunk)
	for {
		n := maxChunk
		if rng != nil {
			n = 1 + rng.IntN(maxChunk)
		}
		k, err := c.Read(buf[:n])
		got = append(got, buf[:k]...)
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
	}
}

// goWrite runs writeChunks on a new goroutine; the channel gets its error.
func goWrite(c net.Conn, p []byte, rng *rand.Rand, maxChunk int, closeWrite bool) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- writeChunks(c, p, rng, maxChunk, closeWrite) }()
	return ch
}

// oneByte: a single byte comes back.
func oneByte(t *testing.T, s Server) {
	c := Dial(t, s)
	_, err := c.Write([]byte{'x'})
	require.NoError(t, err)
	var b [1]byte
	_, err = io.ReadFull(c, b[:])
	require.NoError(t, err)
	assert.Equal(t, byte('x'), b[0])
	require.NoError(t, c.Close())
}

// oneMiB: 1 MiB written by one goroutine, read by another, comes back
// intact.
func oneMiB(t *testing.T, s Server) {
	const size = 1 << 20
	c := Dial(t, s)
	data := randomBytes(1, size)
	werr := goWrite(c, data, nil, 32<<10, false)
	got := make([]byte, size)
	_, err := io.ReadFull(c, got)
	require.NoError(t, err)
	require.NoError(t, <-werr, "writer")
	assert.True(t, bytes.Equal(data, got), "echoed data differs")
	require.NoError(t, c.Close())
}

// concurrent200: 200 clients at once, each writing a few hundred KiB in
// random chunks of 1 B..64 KiB and reading in random chunks, half-close
// at the end: every byte comes back in order, then EOF.
func concurrent200(t *testing.T, s Server) {
	const clients = 200
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = oneClient(s, uint64(i))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "client %d", i)
	}
}

func oneClient(s Server, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0xec40))
	size := 128<<10 + rng.IntN(256<<10)
	data := randomBytes(seed+100, size)
	c, err := net.DialTimeout(s.Network, s.Addr, Timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(Timeout)); err != nil {
		return err
	}
	wrng := rand.New(rand.NewPCG(seed, 0x3e1))
	werr := goWrite(c, data, wrng, 64<<10, true)
	got, rerr := readToEOF(c, size, rng, 64<<10)
	if err := <-werr; err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("read after %d of %d bytes: %w", len(got), size, rerr)
	}
	if !bytes.Equal(data, got) {
		return fmt.Errorf("echoed %d bytes differ from the %d sent (first difference at %d)",
			len(got), size, firstDiff(data, got))
	}
	return nil
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// halfClose: the client writes, then shuts down its write side; the server
// echoes everything, then shuts down its own (the client reads EOF) and
// closes.
func halfClose(t *testing.T, s Server) {
	const size = 256 << 10
	c := Dial(t, s)
	data := randomBytes(2, size)
	werr := goWrite(c, data, nil, 16<<10, true)
	got, err := readToEOF(c, size, nil, 64<<10)
	require.NoError(t, err, "read until EOF")
	require.NoError(t, <-werr, "writer")
	assert.Equal(t, size, len(got), "bytes echoed before EOF")
	assert.True(t, bytes.Equal(data, got), "echoed data differs")
	// Our side is closed both ways now; the server must close too (Run
	// checks its count).
	require.NoError(t, c.Close())
}

// resetMidStream: a client resets (SO_LINGER 0, RST) while the server is
// echoing a lot to it, once while data flows both ways and once while the
// server is stalled on a client that stopped reading. The server must drop
// the connection and serve the next client.
func resetMidStream(t *testing.T, s Server) {
	t.Run("Flowing", func(t *testing.T) {
		c := Dial(t, s)
		data := randomBytes(3, 8<<20)
		werr := goWrite(c, data, nil, 64<<10, false)
		got := make([]byte, 1<<20)
		_, err := io.ReadFull(c, got)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data[:len(got)], got), "echoed data differs")
		reset(t, c)
		<-werr // "use of closed network connection", or nil if it got through
		echoOnce(t, s)
	})
	t.Run("Stalled", func(t *testing.T) {
		c := Dial(t, s)
		// Write without reading until a write makes no progress for a
		// while: every buffer on the way back is full and the server has
		// stopped reading from us.
		chunk := randomBytes(4, 64<<10)
		sent, stalled := 0, false
		for sent < 256<<20 {
			require.NoError(t, c.SetWriteDeadline(time.Now().Add(300*time.Millisecond)))
			n, err := c.Write(chunk)
			sent += n
			if errors.Is(err, os.ErrDeadlineExceeded) {
				stalled = true
				break
			}
			require.NoError(t, err)
		}
		require.True(t, stalled, "server took %d bytes without pushing back", sent)
		t.Logf("stalled after %d bytes", sent)
		reset(t, c)
		echoOnce(t, s)
	})
}

// reset closes c with a RST instead of a FIN.
func reset(t *testing.T, c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	require.True(t, ok, "not a TCP connection")
	require.NoError(t, tc.SetLinger(0))
	require.NoError(t, tc.Close())
}

// echoOnce checks that a new client gets 64 KiB echoed.
func echoOnce(t *testing.T, s Server) {
	c := Dial(t, s)
	data := randomBytes(5, 64<<10)
	werr := goWrite(c, data, nil, 64<<10, true)
	got, err := readToEOF(c, len(data), nil, 64<<10)
	require.NoError(t, err)
	require.NoError(t, <-werr)
	assert.True(t, bytes.Equal(data, got), "echoed data differs")
	require.NoError(t, c.Close())
}

// slowReader: the client sends 16 MiB and reads nothing for one second,
// then reads everything: all 16 MiB arrive intact, and the server held a
// bounded amount for it meanwhile (MaxQueued, Pauses).
func slowReader(t *testing.T, s Server) {
	const size = 16 << 20
	c := Dial(t, s)
	data := randomBytes(6, size)
	werr := goWrite(c, data, nil, 64<<10, true)
	// The scenario, not synchronisation: a reader that is late by a second.
	idle := time.NewTimer(time.Second)
	select {
	case err := <-werr:
		// Everything fit in the buffers on the way: no pressure was put on
		// the server, and the checks below will say so.
		require.NoError(t, err, "writer")
		werr = nil
		<-idle.C
	case <-idle.C:
	}
	got, err := readToEOF(c, size, nil, 64<<10)
	require.NoError(t, err, "read until EOF")
	if werr != nil {
		require.NoError(t, <-werr, "writer")
	}
	assert.Equal(t, size, len(got), "bytes echoed")
	assert.True(t, bytes.Equal(data, got), "echoed data differs")
	require.NoError(t, c.Close())
	if s.MaxQueued != nil {
		WaitNoConns(t, s.Conns) // settles the server before asking it
		m := s.MaxQueued()
		t.Logf("server held at most %d bytes for the connection (limit %d)", m, s.QueueLimit)
		assert.LessOrEqual(t, m, s.QueueLimit, "server buffered beyond its limit")
	}
	if s.Pauses != nil {
		assert.Positive(t, s.Pauses(), "the server never stopped reading")
	}
}
