package uv

// libuv's tests of TCP connects, closes and resets, urgent data, failed
// writes, IPv6 ping-pong, addresses and socket buffer sizes (row 65 of
// LIBUV_TESTS.md), each under its libuv name. libuv's connect timeouts
// connect to an address off this machine; these find the same states on
// loopback (see TestTCPConnectTimeout).

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkBufferSizes is libuv's check_buffer_size (test-socket-buffer-size.c)
// for both buffers: the size is positive; after setting 10000, Linux
// reports double that (libuv allows either).
func checkBufferSizes(t *testing.T, get func(send bool) (int, error), set func(send bool, n int) error) {
	t.Helper()
	for _, send := range []bool{false, true} {
		n, err := get(send)
		require.NoError(t, err)
		assert.Positive(t, n)
		require.NoError(t, set(send, 10000))
		n, err = get(send)
		require.NoError(t, err)
		assert.Contains(t, []int{10000, 20000}, n, "send %v", send)
		for _, bad := range []int{0, -1, 1 << 40} {
			err := set(send, bad)
			assert.ErrorIs(t, err, syscall.EINVAL, "size %d", bad)
		}
	}
}

// TestSocketBufferSize is libuv's socket_buffer_size: the receive (and
// here also the send) buffer size of a bound TCP and a bound UDP handle,
// and of a bound Pipe, read and set through gouv's RecvBufferSize,
// SendBufferSize and their setters. Before a handle has a socket, they
// are EBADF; a size that is not positive or does not fit a C int is
// EINVAL.
func TestSocketBufferSize(t *testing.T) {
	l := newLoop(t)
	tcp, err := NewTCP(l)
	require.NoError(t, err)
	_, err = tcp.RecvBufferSize()
	assertUVError(t, err, "uv_recv_buffer_size", EBADF)
	assertUVError(t, tcp.SetSendBufferSize(10000), "uv_send_buffer_size", EBADF)
	require.NoError(t, tcp.Bind(loopback4, 0))
	checkBufferSizes(t, func(send bool) (int, error) {
		if send {
			return tcp.SendBufferSize()
		}
		return tcp.RecvBufferSize()
	}, func(send bool, n int) error {
		if send {
			return tcp.SetSendBufferSize(n)
		}
		return tcp.SetRecvBufferSize(n)
	})

	udp, err := NewUDP(l)
	require.NoError(t, err)
	require.NoError(t, udp.Bind(loopback4, 0))
	checkBufferSizes(t, func(send bool) (int, error) {
		if send {
			return udp.SendBufferSize()
		}
		return udp.RecvBufferSize()
	}, func(send bool, n int) error {
		if send {
			return udp.SetSendBufferSize(n)
		}
		return udp.SetRecvBufferSize(n)
	})

	pipe, err := NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, pipe.Bind(filepath.Join(t.TempDir(), "sock")))
	checkBufferSizes(t, func(send bool) (int, error) {
		if send {
			return pipe.SendBufferSize()
		}
		return pipe.RecvBufferSize()
	}, func(send bool, n int) error {
		if send {
			return pipe.SetSendBufferSize(n)
		}
		return pipe.SetRecvBufferSize(n)
	})

	var closes counter
	for _, h := range []Handle{tcp, udp, pipe} {
		require.NoError(t, h.Close(closes.inc))
	}
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 3, closes.n)
	_, err = tcp.RecvBufferSize()
	assert.ErrorIs(t, err, ErrClosed)
}
