package uv

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSmokeTCPEcho(t *testing.T) {
	l := newLoop(t)
	srv, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	require.NoError(t, srv.Listen(128, func(err error) {
		assert.NoError(t, err)
		c, err := NewTCP(l)
		assert.NoError(t, err)
		assert.NoError(t, srv.Accept(c))
		c.ReadStart(func(p []byte, err error) {
			if err != nil {
				c.Close(nil)
				return
			}
			assert.NoError(t, c.Write(p, nil))
		})
	}))
	addr, err := srv.LocalAddr()
	require.NoError(t, err)

	cl, err := NewTCP(l)
	require.NoError(t, err)
	var got []byte
	msg := bytes.Repeat([]byte("ping"), 100000)
	var wrote, connected counter
	require.NoError(t, cl.Connect(addr, func(err error) {
		assert.NoError(t, err)
		connected.inc()
		cl.ReadStart(func(p []byte, err error) {
			if err != nil {
				cl.Close(nil)
				return
			}
			got = append(got, p...)
			if len(got) == len(msg) {
				cl.Close(nil)
				srv.Close(nil)
			}
		})
	}))
	require.NoError(t, cl.Write(msg, func(err error) { assert.NoError(t, err); wrote.inc() }))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connected.n)
	assert.Equal(t, 1, wrote.n)
	assert.Equal(t, msg, got)
}
