package uvecho

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gouv/gouv/examples/internal/procstat"
	"github.com/gouv/gouv/uv"
)

// The long soak (issue 10): `make soak` runs it for SOAK (10m by default),
// `make test` for 30 s. Without SOAK in the environment it is skipped.
//
// Load: longSoakWorkers goroutines of this process each open a connection
// to an in-process echo server, echo a few messages of random sizes
// (up to 64 KiB), then end it one of four ways: close, half-close (CloseWrite,
// then read the echo to EOF), reset (SO_LINGER 0, with data possibly in
// flight), or close without reading the echo of a last message.
//
// Every sample period it samples RSS, C heap in use (mallinfo2), open fds,
// goroutines and OS threads. The first fifth of the run (at least 5 s) is
// warm-up and not judged. The rule: of the samples after warm-up, the
// maximum over the last third may exceed the maximum over the first third
// by at most the slack below; any more is growth and fails the test.
// Maxima of windows, not single samples, because the number of open
// connections (fds, buffers) swings between samples.
const (
	longSoakWorkers = 32
	slackRSS        = 16 << 20 // bytes, plus 10%
	slackCHeap      = 2 << 20  // bytes, plus 10%
	slackFDs        = 16       // the windows' maxima swing by up to ~10 with the connections open at sample time
	slackGoroutines = 8
	slackThreads    = 4
)

func TestLongSoak(t *testing.T) {
	env := os.Getenv("SOAK")
	if env == "" {
		t.Skip("SOAK is not set: make soak (SOAK=10m) or make test (SOAK=30s) run this")
	}
	dur, err := time.ParseDuration(env)
	require.NoError(t, err, "SOAK")
	warm := max(dur/5, 5*time.Second)
	period := max(dur/100, time.Second)

	r, err := Start(Config{Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			r.Stop()
		}
	})

	var served, echoed atomic.Int64
	var ways [4]atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errCh := make(chan error, longSoakWorkers)
	for w := range longSoakWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			buf := make([]byte, 64<<10)
			got := make([]byte, 64<<10)
			for {
				select {
				case <-stop:
					return
				default:
				}
				way := rng.IntN(4)
				n, err := longSoakOne(r.Addr(), rng, way, buf, got)
				if err != nil {
					errCh <- fmt.Errorf("worker %d, way %d: %w", w, way, err)
					return
				}
				served.Add(1)
				echoed.Add(n)
				ways[way].Add(1)
			}
		}()
	}

	start := time.Now()
	var samples []procstat.Sample
	var maxRSS int64
	tick := time.NewTicker(period)
loop:
	for time.Since(start) < dur {
		select {
		case err := <-errCh:
			t.Error(err)
			break loop
		case <-tick.C:
		}
		s := procstat.Read()
		maxRSS = max(maxRSS, s.RSS)
		if time.Since(start) >= warm {
			samples = append(samples, s)
		}
	}
	tick.Stop()
	close(stop)
	wg.Wait()
	select {
	case err := <-errCh:
		t.Error(err)
	default:
	}
	elapsed := time.Since(start)

	waitServerIdle(t, r)
	stopped = true
	require.NoError(t, r.Stop(), "Stop (Loop.Close included)")

	t.Logf("soak: %v, %d connections served (close %d, half-close %d, reset %d, abandon %d), %d MiB echoed, max RSS %.1f MiB",
		elapsed.Round(time.Second), served.Load(), ways[0].Load(), ways[1].Load(), ways[2].Load(), ways[3].Load(),
		echoed.Load()>>20, float64(maxRSS)/(1<<20))
	require.GreaterOrEqual(t, len(samples), 6, "too few samples after warm-up")
	third := len(samples) / 3
	first, last := windowMax(samples[:third]), windowMax(samples[len(samples)-third:])
	t.Logf("soak: first third after warm-up (max): %s", first)
	t.Logf("soak: last third (max):                %s", last)
	t.Logf("soak: growth: RSS %+.1f MiB, C heap %+.1f KiB, fds %+d, goroutines %+d, threads %+d",
		float64(last.RSS-first.RSS)/(1<<20), float64(last.CHeap-first.CHeap)/(1<<10),
		last.FDs-first.FDs, last.Goroutines-first.Goroutines, last.Threads-first.Threads)
	assert.LessOrEqual(t, last.RSS, first.RSS+first.RSS/10+slackRSS, "RSS grew")
	assert.LessOrEqual(t, last.CHeap, first.CHeap+first.CHeap/10+slackCHeap, "C heap grew")
	assert.LessOrEqual(t, last.FDs, first.FDs+slackFDs, "open fds grew")
	assert.LessOrEqual(t, last.Goroutines, first.Goroutines+slackGoroutines, "goroutines grew")
	assert.LessOrEqual(t, last.Threads, first.Threads+slackThreads, "threads grew")
	assert.NotZero(t, served.Load())
}

// waitServerIdle waits until the server holds no connection, then
// checks that only the listener is left in the loop's tables.
func waitServerIdle(t *testing.T, r *Running) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var c int
		require.NoError(t, r.Do(func() { c = r.Server.Conns() }))
		if c == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "%d connections left on the server", c)
		time.Sleep(10 * time.Millisecond) // a bounded poll of another goroutine's state
	}
	var st uv.Stats
	require.NoError(t, r.Do(func() { st = r.Loop.Stats() }))
	assert.Equal(t, 1, st.Handles, "handles left (the listener only)")
	assert.Zero(t, st.Requests, "requests left")
}

// windowMax is the field-wise maximum of samples.
func windowMax(ss []procstat.Sample) procstat.Sample {
	var m procstat.Sample
	for _, s := range ss {
		m.RSS = max(m.RSS, s.RSS)
		m.CHeap = max(m.CHeap, s.CHeap)
		m.FDs = max(m.FDs, s.FDs)
		m.Goroutines = max(m.Goroutines, s.Goroutines)
		m.Threads = max(m.Threads, s.Threads)
	}
	return m
}

// longSoakOne runs one connection and ends it the given way: 0 close,
// 1 half-close, 2 reset, 3 abandon (close without reading the last echo).
// It returns the bytes echoed.
func longSoakOne(addr string, rng *rand.Rand, way int, buf, got []byte) (int64, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return 0, err
	}
	tc := c.(*net.TCPConn)
	defer tc.Close()
	if err := tc.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return 0, err
	}
	var total int64
	for range 1 + rng.IntN(4) {
		n := 1 + rng.IntN(len(buf))
		for i := range n {
			buf[i] = byte(rng.Uint32())
		}
		if _, err := tc.Write(buf[:n]); err != nil {
			return total, err
		}
		if _, err := io.ReadFull(tc, got[:n]); err != nil {
			return total, err
		}
		if !bytes.Equal(buf[:n], got[:n]) {
			return total, fmt.Errorf("echo of %d bytes differs", n)
		}
		total += int64(n)
	}
	switch way {
	case 1: // half-close: the server echoes what is left, then EOF
		if _, err := tc.Write(buf[:100]); err != nil {
			return total, err
		}
		if err := tc.CloseWrite(); err != nil {
			return total, err
		}
		rest, err := io.ReadAll(tc)
		if err != nil {
			return total, err
		}
		if !bytes.Equal(rest, buf[:100]) {
			return total, fmt.Errorf("half-close: got %d bytes back, want 100", len(rest))
		}
	case 2: // reset, maybe with data in flight
		if rng.IntN(2) == 0 {
			tc.Write(buf[:1+rng.IntN(len(buf))])
		}
		if err := tc.SetLinger(0); err != nil {
			return total, err
		}
	case 3: // close with an echo unread
		tc.Write(buf[:1+rng.IntN(len(buf))])
	}
	return total, tc.Close()
}
