package uv

// Row 62 of LIBUV_TESTS.md: fd exhaustion (libuv's emfile).

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fdTable lowers the process's fd limit for one test and fills it up with
// dups of /dev/null. The tests of package uv run one at a time, so nothing
// else in the process needs fds meanwhile.
type fdTable struct {
	t    testing.TB
	dups []int
}

// exhaustFds lowers RLIMIT_NOFILE to just above the highest fd open now
// (plus headroom free slots) and dups /dev/null until dup fails with
// EMFILE, leaving free of the slots below the limit unused. t.Cleanup
// closes the dups and restores the limit.
func exhaustFds(t testing.TB, free int) *fdTable {
	t.Helper()
	// Go initialises its netpoller lazily and dies if it cannot: make sure
	// it has its fds before the table fills.
	r, w, err := os.Pipe()
	require.NoError(t, err)
	r.Close()
	w.Close()

	var old syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old))
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	highest := 0
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil && n > highest {
			highest = n
		}
	}
	// The limit must lie above every open fd: libuv's reserve fd (opened by
	// the first stream of a loop) frees a slot below it only if it is
	// below it too.
	lim := syscall.Rlimit{Cur: uint64(highest + 1 + 16), Max: old.Max}
	require.Less(t, lim.Cur, old.Cur, "the fd limit is already that low")
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
	ft := &fdTable{t: t}
	t.Cleanup(func() {
		ft.release()
		assert.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old))
	})
	null, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	ft.dups = append(ft.dups, null)
	for {
		fd, err := syscall.Dup(null)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			require.ErrorIs(t, err, syscall.EMFILE)
			break
		}
		ft.dups = append(ft.dups, fd)
	}
	require.Greater(t, len(ft.dups), free, "dups")
	for range free {
		ft.closeOne()
	}
	return ft
}

// closeOne closes the most recent dup, freeing one slot.
func (ft *fdTable) closeOne() {
	n := len(ft.dups) - 1
	syscall.Close(ft.dups[n])
	ft.dups = ft.dups[:n]
}

// release closes every dup left.
func (ft *fdTable) release() {
	for len(ft.dups) > 0 {
		ft.closeOne()
	}
}

// TestEmfile is libuv's emfile: a listener whose process has run out of
// fds keeps running. libuv (uv__emfile_trick, src/unix/stream.c) closes
// the fd it keeps in reserve, accepts and at once closes every pending
// connection, and opens the reserve again, so the peers see their
// connection end, the connection callback does not run, and the listening
// socket does not stay readable, which would make the loop spin. Once fds
// are free again, a new connection is accepted and echoed.
func TestEmfile(t *testing.T) {
	const early = 3 // clients that connect while the table is full
	l := newLoop(t)
	var acceptErrs []error
	accepted := 0
	var srvStats echoStats
	srv, addr := listenTCP(t, l, func(srv *TCP, err error) {
		if err != nil {
			acceptErrs = append(acceptErrs, err)
			return
		}
		if c := acceptTCP(t, srv); c != nil {
			accepted++
			serveEcho(t, c, &srvStats)
		}
	})

	// Loop iterations, counted by a prepare handle.
	iters := 0
	prep, err := NewPrepare(l)
	require.NoError(t, err)
	require.NoError(t, prep.Start(func(*Prepare) { iters++ }))

	// Fill the table, leaving one slot per early client (libuv's test
	// leaves one for its one client).
	ft := exhaustFds(t, early)

	var (
		earlyEnds    []error // how each early client's connection ended
		itersIdle    int     // iterations during the 100 ms idle wait
		acceptedIdle int     // accepted connections by the end of it
		echoed       bytes.Buffer
		lateErr      error
	)
	timer, err := NewTimer(l)
	require.NoError(t, err)

	// After the idle wait: free the fds, connect once more, expect the echo.
	late := func() {
		ft.release()
		dialTCP(t, l, addr, func(c *TCP, err error) {
			if err != nil {
				lateErr = err
				c.Close(nil)
				return
			}
			assert.NoError(t, c.Write([]byte("ping"), nil))
			assert.NoError(t, c.ReadStart(func(p []byte, err error) {
				if err != nil {
					lateErr = err
					c.Close(nil)
					return
				}
				echoed.Write(p)
				if echoed.Len() >= 4 {
					c.Close(nil)
					srv.Close(nil)
					prep.Close(nil)
					timer.Close(nil)
				}
			}))
		})
	}

	for range early {
		dialTCP(t, l, addr, func(c *TCP, err error) {
			// The kernel completes the handshake before accept: the
			// connect succeeds, then libuv's accept-and-close ends it.
			if !assert.NoError(t, err) {
				c.Close(nil)
				return
			}
			assert.NoError(t, c.ReadStart(func(p []byte, err error) {
				if err == nil {
					return
				}
				earlyEnds = append(earlyEnds, err)
				c.Close(nil)
				if len(earlyEnds) < early {
					return
				}
				// Every early connection is gone; with them still at fd
				// exhaustion, the loop must now sit idle.
				start := iters
				assert.NoError(t, timer.Start(100*time.Millisecond, 0, func(*Timer) {
					itersIdle = iters - start
					acceptedIdle = accepted
					late()
				}))
			}))
		})
	}
	runLoop(t, l, RunDefault)

	require.Len(t, earlyEnds, early, "early clients whose connection ended")
	for _, err := range earlyEnds {
		assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, ECONNRESET), "early client ended with %v", err)
	}
	assert.Empty(t, acceptErrs, "connection callbacks with an error")
	assert.Zero(t, acceptedIdle, "connections accepted while fds were exhausted")
	// The loop wakes for its own yield (every 5 ms) and little else; a
	// readable listener left in the poll set would make thousands.
	assert.Less(t, itersIdle, 100, "loop iterations in 100 ms at fd exhaustion")
	t.Logf("iterations in the 100 ms idle wait: %d", itersIdle)
	assert.NoError(t, lateErr)
	assert.Equal(t, "ping", echoed.String())
	assert.Equal(t, 1, accepted, "connections accepted after fds were freed")
}
