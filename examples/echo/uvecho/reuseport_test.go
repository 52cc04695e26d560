package uvecho

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gouv/gouv/examples/internal/echotest"
)

// TestReusePort starts three servers on three loops with StartN, all on one
// port with SO_REUSEPORT (what examples/echo -loops 3 runs), and checks
// that connections land on every loop and are echoed there. The kernel
// picks a listener by a hash of each connection's addresses and ports, so
// 64 connections from 64 source ports miss a given listener with
// probability (2/3)^64, about 1e-11.
func TestReusePort(t *testing.T) {
	const loops, conns = 3, 64
	rs, err := StartN(Config{Addr: "127.0.0.1:0"}, loops)
	require.NoError(t, err)
	require.Len(t, rs, loops)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			StopAll(rs)
		}
	})
	for _, r := range rs[1:] {
		require.Equal(t, rs[0].Addr(), r.Addr(), "every server listens on the first one's address")
	}

	var cs []net.Conn
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	for i := range conns {
		c, err := net.DialTimeout("tcp", rs[0].Addr(), echotest.Timeout)
		require.NoError(t, err)
		cs = append(cs, c)
		require.NoError(t, echoConn(c, i))
	}
	counts := make([]int, loops)
	total := 0
	for i, r := range rs {
		require.NoError(t, r.Do(func() { counts[i] = r.Server.Accepted() }))
		assert.Positive(t, counts[i], "connections accepted by loop %d", i)
		total += counts[i]
	}
	t.Logf("connections per loop: %v", counts)
	assert.Equal(t, conns, total, "connections accepted")

	for _, c := range cs {
		c.Close()
	}
	cs = nil
	for _, r := range rs {
		echotest.WaitNoConns(t, func() (c int) {
			require.NoError(t, r.Do(func() { c = r.Server.Conns() }))
			return c
		})
		assertOnlyListener(t, r)
	}
	stopped = true
	require.NoError(t, StopAll(rs))
}

// TestStartNPipe: unix sockets have no SO_REUSEPORT to share; several
// loops on one socket path is an error, not a half-started group.
func TestStartNPipe(t *testing.T) {
	rs, err := StartN(Config{Pipe: echotest.SocketPath(t)}, 2)
	assert.Error(t, err)
	assert.Nil(t, rs)
}
