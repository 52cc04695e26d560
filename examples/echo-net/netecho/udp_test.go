package netecho

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUDPEcho echoes datagrams of several sizes.
func TestUDPEcho(t *testing.T) {
	s, err := StartUDP("127.0.0.1:0", 1<<20)
	require.NoError(t, err)
	ua, err := net.ResolveUDPAddr("udp", s.Addr())
	require.NoError(t, err)
	c, err := net.DialUDP("udp", nil, ua)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
	for _, size := range []int{1, 64, 1024, 8192} {
		msg := bytes.Repeat([]byte{byte(size)}, size)
		_, err := c.Write(msg)
		require.NoError(t, err)
		got := make([]byte, size+1)
		n, err := c.Read(got)
		require.NoError(t, err)
		assert.Equal(t, msg, got[:n], "%d bytes", size)
	}
	require.NoError(t, s.Stop())
}
