package main

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUDPLoops runs `echo -udp -loops 2` (and with -mmsg=false): datagrams
// are echoed, and a signal stops both loops with run returning nil.
func TestUDPLoops(t *testing.T) {
	for _, mmsg := range []string{"-mmsg=true", "-mmsg=false"} {
		t.Run(mmsg, func(t *testing.T) {
			addr, kill, done := startCommand(t, "-udp", mmsg, "-addr", "127.0.0.1:0", "-loops", "2", "-rcvbuf", "1048576")
			ua, err := net.ResolveUDPAddr("udp", addr)
			require.NoError(t, err)
			for range 8 {
				c, err := net.DialUDP("udp", nil, ua)
				require.NoError(t, err)
				defer c.Close()
				require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
				_, err = c.Write([]byte("ping"))
				require.NoError(t, err)
				got := make([]byte, 8)
				n, err := c.Read(got)
				require.NoError(t, err)
				assert.Equal(t, "ping", string(got[:n]))
			}
			kill(syscall.SIGTERM)
			select {
			case err := <-done:
				assert.NoError(t, err)
			case <-time.After(20 * time.Second):
				t.Fatal("the command did not stop")
			}
		})
	}
}
