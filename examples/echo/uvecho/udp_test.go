package uvecho

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gouv/gouv/examples/internal/echotest"
)

// udpEcho sends msg on c and checks that the same datagram comes back.
func udpEcho(c *net.UDPConn, msg []byte) error {
	if err := c.SetDeadline(time.Now().Add(echotest.Timeout)); err != nil {
		return err
	}
	if _, err := c.Write(msg); err != nil {
		return err
	}
	got := make([]byte, len(msg)+1)
	n, err := c.Read(got)
	if err != nil {
		return err
	}
	if !bytes.Equal(msg, got[:n]) {
		return fmt.Errorf("echoed %d bytes, sent %d, or they differ", n, len(msg))
	}
	return nil
}

func dialUDP(t *testing.T, addr string) *net.UDPConn {
	t.Helper()
	ua, err := net.ResolveUDPAddr("udp", addr)
	require.NoError(t, err)
	c, err := net.DialUDP("udp", nil, ua)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestUDPEcho echoes datagrams of several sizes, with and without
// recvmmsg, and checks the server's counts.
func TestUDPEcho(t *testing.T) {
	for _, mmsg := range []bool{true, false} {
		t.Run(fmt.Sprintf("mmsg=%v", mmsg), func(t *testing.T) {
			r, err := StartUDP(UDPConfig{Addr: "127.0.0.1:0", NoMmsg: !mmsg, RecvBuffer: 1 << 20})
			require.NoError(t, err)
			stopped := false
			t.Cleanup(func() {
				if !stopped {
					r.Stop()
				}
			})
			c := dialUDP(t, r.Addr())
			sizes := []int{1, 64, 1024, 1472, 8192, 32768}
			for i, size := range sizes {
				msg := make([]byte, size)
				for j := range msg {
					msg[j] = byte(i*31 + j*7)
				}
				require.NoError(t, udpEcho(c, msg), "%d bytes", size)
			}
			var received, errs int
			require.NoError(t, r.Do(func() { received, errs = r.Server.Received(), r.Server.Errors() }))
			assert.Equal(t, len(sizes), received, "datagrams received")
			assert.Zero(t, errs, "errors")
			stopped = true
			require.NoError(t, r.Stop())
		})
	}
}

// TestUDPReusePort: three UDP servers on three loops share one port with
// SO_REUSEPORT (examples/echo -udp -loops 3); datagrams from 64 source
// ports land on every loop.
func TestUDPReusePort(t *testing.T) {
	const loops, clients = 3, 64
	rs, err := StartUDPN(UDPConfig{Addr: "127.0.0.1:0"}, loops)
	require.NoError(t, err)
	require.Len(t, rs, loops)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			StopAllUDP(rs)
		}
	})
	for _, r := range rs[1:] {
		require.Equal(t, rs[0].Addr(), r.Addr())
	}
	for i := range clients {
		c := dialUDP(t, rs[0].Addr())
		require.NoError(t, udpEcho(c, fmt.Appendf(nil, "datagram %d", i)))
	}
	counts := make([]int, loops)
	total := 0
	for i, r := range rs {
		require.NoError(t, r.Do(func() { counts[i] = r.Server.Received() }))
		assert.Positive(t, counts[i], "datagrams received by loop %d", i)
		total += counts[i]
	}
	t.Logf("datagrams per loop: %v", counts)
	assert.Equal(t, clients, total)
	stopped = true
	require.NoError(t, StopAllUDP(rs))
}
