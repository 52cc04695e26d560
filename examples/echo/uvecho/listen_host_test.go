package uvecho

import (
	"io"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gouv/gouv/uv"
)

// Config.Addr takes a host name, resolved by gouv: "localhost:0" listens
// on a loopback address, and echoes.
func TestListenHostName(t *testing.T) {
	r, err := Start(Config{Addr: "localhost:0"})
	require.NoError(t, err)
	defer func() { assert.NoError(t, r.Stop()) }()
	ap, err := netip.ParseAddrPort(r.Addr())
	require.NoError(t, err)
	assert.True(t, ap.Addr().IsLoopback(), "%v", ap)
	assert.NotZero(t, ap.Port())

	c, err := net.Dial("tcp", r.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("hello"))
	require.NoError(t, err)
	buf := make([]byte, 5)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(buf))
}

// A name that does not resolve, or no port: a clear error from New.
func TestListenHostNameErrors(t *testing.T) {
	_, err := Start(Config{Addr: "xyzzy..invalid:0"})
	assert.ErrorIs(t, err, uv.EAI_NONAME)
	_, err = Start(Config{Addr: "localhost"})
	assert.Error(t, err)
}
