package uv

// Row 67 of LIBUV_TESTS.md: libuv's pipe tests of test-pipe-*.c, the pipe
// refs of test-ref.c and ipc_listen_after_bind_twice of test-ipc.c. Socket
// files live in the test's temporary directory; abstract names (Linux)
// are bound with plain syscalls, since uv_pipe_bind of libuv 1.44 cannot
// take them.

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPipeSetNonBlocking: a pipe in blocking mode (SetBlocking) takes
// every TryWrite whole, blocking while the reader (a goroutine) catches
// up; 10 MiB in 4 KiB writes.
func TestPipeSetNonBlocking(t *testing.T) {
	const total = 10 << 20
	l := newLoop(t)
	var fds [2]int
	require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
	p := newTestPipe(t, l)
	if err := p.Open(fds[1]); err != nil {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		require.NoError(t, err)
	}
	require.NoError(t, p.SetBlocking(true))
	read := make(chan int64, 1)
	go func() {
		defer syscall.Close(fds[0])
		var n int64
		buf := make([]byte, 4096)
		for {
			m, err := syscall.Read(fds[0], buf)
			if err == syscall.EINTR {
				continue
			}
			if m <= 0 {
				break
			}
			n += int64(m)
		}
		read <- n
	}()
	data := make([]byte, 4096)
	for i := range data {
		data[i] = '.'
	}
	written := 0
	for written < total {
		n, err := p.TryWrite(data)
		if !assert.NoError(t, err) || !assert.Equal(t, len(data), n) {
			break
		}
		written += n
	}
	require.NoError(t, p.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
	select {
	case n := <-read:
		assert.Equal(t, int64(written), n)
	case <-time.After(watchdogTimeout):
		t.Fatal("the reader did not see EOF")
	}
	assert.Equal(t, total, written)
}

// TestPipePendingInstances: the number of pending pipe instances is a
// Windows setting; Unix accepts and ignores it, before and after bind.
func TestPipePendingInstances(t *testing.T) {
	l := newLoop(t)
	p := newTestPipe(t, l)
	assert.NoError(t, p.SetPendingInstances(8))
	require.NoError(t, p.Bind(sockPath(t, "pipe")))
	assert.NoError(t, p.SetPendingInstances(16))
	require.NoError(t, p.Listen(128, func(error) { t.Error("connection callback ran") }))
	assert.ErrorIs(t, p.SetPendingInstances(0), syscall.EINVAL)
	require.NoError(t, p.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.ErrorIs(t, p.SetPendingInstances(8), ErrClosed)
}
