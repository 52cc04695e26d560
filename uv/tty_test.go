package uv

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openPTY opens a new pseudo-terminal through /dev/ptmx and returns the
// master's fd, the slave's path, and the slave open with the given flags.
// The caller owns both fds. It fails the test, without skipping, where no
// pty can be had: libuv's tty tests need one.
func openPTY(t *testing.T, slaveFlags int) (master int, slavePath string, slave int) {
	t.Helper()
	master, err := syscall.Open("/dev/ptmx", syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err, "open /dev/ptmx")
	var unlock int32
	require.NoError(t, ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)), "TIOCSPTLCK")
	var n uint32
	require.NoError(t, ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n)), "TIOCGPTN")
	slavePath = "/dev/pts/" + strconv.Itoa(int(n))
	slave, err = syscall.Open(slavePath, slaveFlags|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err, "open %s", slavePath)
	return master, slavePath, slave
}

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// setWinSize sets a terminal's window size (TIOCSWINSZ).
func setWinSize(t *testing.T, fd, cols, rows int) {
	t.Helper()
	ws := struct{ row, col, xpixel, ypixel uint16 }{row: uint16(rows), col: uint16(cols)}
	require.NoError(t, ioctl(fd, syscall.TIOCSWINSZ, unsafe.Pointer(&ws)), "TIOCSWINSZ")
}

// closeFd closes an fd the test owns, at cleanup.
func closeFd(t *testing.T, fd int) {
	t.Cleanup(func() { assert.NoError(t, syscall.Close(fd)) })
}

// tty (test-tty.c): libuv opens /dev/tty, which a test run may not have;
// here a pty's slave, open read-only and write-only as libuv's test opens
// /dev/tty. The handles are readable or writable as the fd was opened,
// the window size is the one the test set, raw mode can be set and unset,
// and TTYResetMode can be called again and again.
func TestTTY(t *testing.T) {
	l := newLoop(t)
	master, path, inFd := openPTY(t, syscall.O_RDONLY)
	closeFd(t, master)
	closeFd(t, inFd)
	outFd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	closeFd(t, outFd)
	setWinSize(t, master, 132, 43)

	in, err := NewTTY(l, inFd, true)
	require.NoError(t, err)
	assert.Equal(t, TypeTTY, in.Type())
	assert.True(t, in.IsReadable())
	assert.False(t, in.IsWritable())
	out, err := NewTTY(l, outFd, false)
	require.NoError(t, err)
	assert.False(t, out.IsReadable())
	assert.True(t, out.IsWritable())

	w, h, err := out.WinSize()
	require.NoError(t, err)
	assert.Equal(t, 132, w)
	assert.Equal(t, 43, h)

	require.NoError(t, in.SetMode(TTYModeRaw))
	require.NoError(t, in.SetMode(TTYModeNormal))
	for range 3 {
		assert.NoError(t, TTYResetMode())
	}
	var e *Error
	require.ErrorAs(t, in.SetMode(TTYMode(42)), &e)
	assert.Equal(t, EINVAL, e.Code)

	var walked []Handle
	l.Walk(func(h Handle) { walked = append(walked, h) })
	assert.ElementsMatch(t, []Handle{in, out}, walked, "Walk reports *TTY")

	doClose(t, in)
	doClose(t, out)
	_, _, err = out.WinSize()
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, out.SetMode(TTYModeNormal), ErrClosed)
	assert.False(t, out.IsWritable())
}

// tty_file (test-tty.c): uv_tty_init refuses what is not a terminal with
// EINVAL: a regular file, the same fd once closed, /dev/random, /dev/zero,
// and here a negative fd. A terminal open read-write, read-only or
// write-only (libuv: /dev/tty; here a pty's slave) gives a handle readable
// and writable as it was opened, neither once closing.
func TestTTYFile(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "empty_file")
	require.NoError(t, os.WriteFile(name, nil, 0o600))
	notTTY := func(what string, fd int) {
		t.Helper()
		tty, err := NewTTY(l, fd, true)
		assert.Nil(t, tty, what)
		var e *Error
		if assert.ErrorAs(t, err, &e, what) {
			assert.Equal(t, "uv_tty_init", e.Op, what)
			assert.Equal(t, EINVAL, e.Code, what)
		}
	}
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	notTTY("regular file", fd)
	require.NoError(t, syscall.Close(fd))
	// libuv 1.44 says EINVAL for a closed fd too: uv_guess_handle cannot
	// tell what it is.
	notTTY("closed fd", fd)
	for _, dev := range []string{"/dev/random", "/dev/zero"} {
		fd, err := syscall.Open(dev, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		require.NoError(t, err)
		notTTY(dev, fd)
		require.NoError(t, syscall.Close(fd))
	}
	notTTY("negative fd", -1)
	notTTY("huge fd", 1<<40)
	assert.Zero(t, l.Stats().Handles, "a failed init leaves no handle")

	master, path, rw := openPTY(t, syscall.O_RDWR)
	closeFd(t, master)
	for _, c := range []struct {
		flags         int
		readable      bool
		wantR, wantW  bool
		alreadyOpenFd int
	}{
		{syscall.O_RDWR, true, true, true, rw},
		{syscall.O_RDONLY, true, true, false, -1},
		{syscall.O_WRONLY, false, false, true, -1},
	} {
		fd := c.alreadyOpenFd
		if fd < 0 {
			fd, err = syscall.Open(path, c.flags|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
			require.NoError(t, err)
		}
		tty, err := NewTTY(l, fd, c.readable)
		require.NoError(t, err)
		// libuv reopened the slave: fd is still ours.
		require.NoError(t, syscall.Close(fd))
		assert.Equal(t, c.wantR, tty.IsReadable())
		assert.Equal(t, c.wantW, tty.IsWritable())
		require.NoError(t, tty.Close(nil))
		assert.False(t, tty.IsReadable())
		assert.False(t, tty.IsWritable())
	}
	assert.False(t, runLoop(t, l, RunDefault))
}

// tty_pty (test-tty.c): a pty's slave and master both make readable and
// writable handles. libuv reopens the slave (so the handle has an fd of
// its own and the caller's fd stays the caller's) but never the master,
// which it writes blocking. Beyond libuv's test: bytes written to the
// master's handle are read from the slave's.
func TestTTYPty(t *testing.T) {
	l := newLoop(t)
	master, _, slave := openPTY(t, syscall.O_RDWR)
	slaveTTY, err := NewTTY(l, slave, false)
	require.NoError(t, err)
	masterTTY, err := NewTTY(l, master, false) // it owns master from here
	if err != nil {
		syscall.Close(master)
	}
	require.NoError(t, err)
	for _, tty := range []*TTY{slaveTTY, masterTTY} {
		assert.True(t, tty.IsReadable())
		assert.True(t, tty.IsWritable())
	}
	fd, err := slaveTTY.Fd()
	require.NoError(t, err)
	assert.NotEqual(t, slave, fd, "the slave is reopened")
	fd, err = masterTTY.Fd()
	require.NoError(t, err)
	assert.Equal(t, master, fd, "the master is not reopened")
	require.NoError(t, syscall.Close(slave))

	var got []byte
	var readErr error
	require.NoError(t, slaveTTY.ReadStart(func(p []byte, err error) {
		if err != nil {
			readErr = err
		}
		got = append(got, p...)
		if bytes.Contains(got, []byte("\n")) || err != nil {
			slaveTTY.Close(nil)
			masterTTY.Close(nil)
		}
	}))
	var wrote counter
	require.NoError(t, masterTTY.Write([]byte("ping\n"), func(err error) {
		assert.NoError(t, err)
		wrote.inc()
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, readErr)
	assert.Equal(t, "ping\n", string(got))
	assert.Equal(t, 1, wrote.n)
}

// tty_empty_write (test-tty.c, a Windows console test in libuv, here on a
// pty): an empty TryWrite writes 0 bytes without error, and an empty Write
// calls back.
func TestTTYEmptyWrite(t *testing.T) {
	l := newLoop(t)
	master, _, slave := openPTY(t, syscall.O_WRONLY)
	closeFd(t, master)
	closeFd(t, slave)
	out, err := NewTTY(l, slave, false)
	require.NoError(t, err)
	assert.False(t, out.IsReadable())
	assert.True(t, out.IsWritable())
	n, err := out.TryWrite([]byte{})
	assert.NoError(t, err)
	assert.Zero(t, n)
	var wrote counter
	require.NoError(t, out.Write(nil, func(err error) {
		assert.NoError(t, err)
		wrote.inc()
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, wrote.n)
	doClose(t, out)
}

// tty_large_write (test-tty.c, a Windows console test in libuv, here on a
// pty): 10000 bytes written to the slave all arrive at the master. A pty
// takes only a few KiB at once, so TryWrite writes a part and Write queues
// the rest, which goes out as the master's handle reads. libuv's bytes end
// in a newline, which the terminal would turn into CR LF: these are all
// dots.
func TestTTYLargeWrite(t *testing.T) {
	const size = 10000
	l := newLoop(t)
	master, _, slave := openPTY(t, syscall.O_WRONLY)
	closeFd(t, slave)
	out, err := NewTTY(l, slave, false)
	require.NoError(t, err)
	in, err := NewTTY(l, master, true) // it owns master from here
	if err != nil {
		syscall.Close(master)
	}
	require.NoError(t, err)

	data := bytes.Repeat([]byte{'.'}, size)
	n, err := out.TryWrite(data)
	require.NoError(t, err)
	assert.Greater(t, n, 0)
	var wrote counter
	require.NoError(t, out.Write(data[n:], func(err error) {
		assert.NoError(t, err)
		wrote.inc()
	}))
	var got []byte
	require.NoError(t, in.ReadStart(func(p []byte, err error) {
		if !assert.NoError(t, err) {
			in.Close(nil)
			return
		}
		got = append(got, p...)
		if len(got) >= size {
			in.Close(nil)
			out.Close(nil)
		}
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, wrote.n)
	assert.Equal(t, data, got)
}

// Callbacks of a TTY's stream are contained like any other's.
func TestTTYReadPanic(t *testing.T) {
	l := newLoop(t)
	master, _, slave := openPTY(t, syscall.O_RDWR)
	closeFd(t, master)
	closeFd(t, slave)
	tty, err := NewTTY(l, slave, true)
	require.NoError(t, err)
	require.NoError(t, tty.ReadStart(func([]byte, error) { panic("tty read") }))
	_, err = syscall.Write(master, []byte("x\n"))
	require.NoError(t, err)
	p := runPanic(t, l, RunDefault)
	assert.Equal(t, "tty read", p.Value)
}
