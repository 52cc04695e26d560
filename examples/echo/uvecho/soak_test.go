package uvecho

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gouv/gouv/examples/internal/echotest"
	"github.com/gouv/gouv/uv"
)

// Soak test sizes: every build runs the full form, -short the short one.
// The full form took 1.6-4.7 s on a 2-core machine in the plain, -race,
// cgocheck2 and uvdebug builds, so -race needs no shorter form.
const (
	soakFull    = 20000
	soakShort   = 2000
	soakClients = 50 // connections open at a time
	soakResetN  = 10 // every soakResetN-th connection is reset, not closed
)

// TestSoak opens, echoes and closes many connections against one server, a
// tenth of them reset (SO_LINGER 0) instead of closed, 50 at a time. Then
// the loop must hold nothing but the listener, Stop (which closes the
// loop) must succeed, and the process must hold no more file descriptors
// than before the server started.
func TestSoak(t *testing.T) {
	n := soakFull
	if testing.Short() {
		n = soakShort
	}
	// Warm up what the process opens once and keeps: Go's netpoller (an
	// epoll fd and an eventfd, on the first net use) and libuv's
	// process-wide signal lock pipe (on the first uv_loop_init).
	warmUp(t)
	fdsBefore := countFDs(t)

	start := time.Now()
	r, err := Start(Config{Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			r.Stop()
		}
	})

	var next atomic.Int64
	errs := make([]error, soakClients)
	var wg sync.WaitGroup
	for w := range soakClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := soakOne(r.Addr(), i); err != nil {
					errs[w] = fmt.Errorf("connection %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	echotest.WaitNoConns(t, func() (c int) {
		require.NoError(t, r.Do(func() { c = r.Server.Conns() }))
		return c
	})

	var st uv.Stats
	require.NoError(t, r.Do(func() { st = r.Loop.Stats() }))
	assert.Equal(t, 1, st.Handles, "handles left (the listener only)")
	assert.Zero(t, st.Requests, "requests left")
	if uv.DebugBuild {
		assert.Equal(t, map[string]int{"tcp": 1}, st.HandlesByType, "handles by type")
		assert.Empty(t, st.RequestsByType, "requests by type")
	}
	stopped = true
	require.NoError(t, r.Stop(), "Stop (Loop.Close included)")
	assert.ErrorIs(t, r.Loop.Close(), uv.ErrLoopClosed, "the loop is closed")
	t.Logf("%d connections in %v", n, time.Since(start))

	fdsAfter := countFDs(t)
	t.Logf("open file descriptors: %d before the server, %d after Stop", fdsBefore, fdsAfter)
	assert.Equal(t, fdsBefore, fdsAfter, "open file descriptors after Stop")
}

// soakOne is one connection: dial, echo a small message, then close it or
// (every tenth) reset it.
func soakOne(addr string, i int) error {
	c, err := net.DialTimeout("tcp", addr, echotest.Timeout)
	if err != nil {
		return err
	}
	tc := c.(*net.TCPConn)
	defer tc.Close()
	if err := tc.SetDeadline(time.Now().Add(echotest.Timeout)); err != nil {
		return err
	}
	var msg, got [32]byte
	copy(msg[:], fmt.Sprintf("soak connection %d", i))
	if _, err := tc.Write(msg[:]); err != nil {
		return err
	}
	if _, err := io.ReadFull(tc, got[:]); err != nil {
		return err
	}
	if !bytes.Equal(msg[:], got[:]) {
		return errors.New("echoed message differs")
	}
	if i%soakResetN == 0 {
		if err := tc.SetLinger(0); err != nil {
			return err
		}
	}
	return tc.Close()
}

// warmUp makes the process open the descriptors it keeps for good, so
// that countFDs sees only what a server leaks.
func warmUp(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c, err := net.Dial("tcp", lis.Addr().String())
	require.NoError(t, err)
	s, err := lis.Accept()
	require.NoError(t, err)
	s.Close()
	c.Close()
	lis.Close()
	l, err := uv.NewLoop()
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// countFDs counts the process's open file descriptors (the entries of
// /proc/self/fd, the directory's own descriptor included both times).
func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(ents)
}
