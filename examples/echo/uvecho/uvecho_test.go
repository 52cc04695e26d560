package uvecho

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gouv/gouv/examples/internal/echotest"
	"github.com/gouv/gouv/uv"
)

// readBuf is the loop's read buffer (UVGO_RBUF_SIZE): the most one read
// callback gets.
const readBuf = 64 << 10

// TestEcho runs the conformance suite (echotest) against the gouv server.
func TestEcho(t *testing.T) {
	echotest.Run(t, startUV)
}

// startUV starts a uvecho server on its own loop for one subtest. Stop
// first checks that the loop holds nothing but the listener.
func startUV(t *testing.T, pipe bool) echotest.Server {
	cfg := Config{Addr: "127.0.0.1:0"}
	network := "tcp"
	if pipe {
		cfg.Pipe, network = echotest.SocketPath(t), "unix"
	}
	r, err := Start(cfg)
	require.NoError(t, err)
	do := func(f func()) { require.NoError(t, r.Do(f)) }
	return echotest.Server{
		Network: network,
		Addr:    r.Addr(),
		Conns: func() (n int) {
			do(func() { n = r.Server.Conns() })
			return n
		},
		Stop: func() error {
			assertOnlyListener(t, r)
			return r.Stop()
		},
		MaxQueued: func() (n int) {
			do(func() { n = r.Server.MaxWriteQueue() })
			return n
		},
		// Reading stops once the queue passes HighWater, so the write
		// that passes it, at most one read, is the most on top.
		QueueLimit: r.Server.HighWater() + readBuf,
		Pauses: func() (n int) {
			do(func() { n = r.Server.Pauses() })
			return n
		},
	}
}

// assertOnlyListener checks, on the loop's goroutine, that the server's
// loop holds the listener and nothing else: no connection handle, no
// request (by type too in uvdebug builds).
func assertOnlyListener(t testing.TB, r *Running) {
	t.Helper()
	var st uv.Stats
	var conns int
	require.NoError(t, r.Do(func() { st, conns = r.Loop.Stats(), r.Server.Conns() }))
	if conns != 0 {
		return // a failed subtest; it said so already
	}
	assert.Equal(t, 1, st.Handles, "handles (the listener only)")
	assert.Zero(t, st.Requests, "requests")
	if uv.DebugBuild {
		want := "tcp"
		if r.Server.pipe {
			want = "pipe"
		}
		assert.Equal(t, map[string]int{want: 1}, st.HandlesByType, "handles by type")
		assert.Empty(t, st.RequestsByType, "requests by type")
	}
}
