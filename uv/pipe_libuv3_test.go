package uv

// Row 67 of LIBUV_TESTS.md: libuv's pipe tests of test-pipe-*.c, the pipe
// refs of test-ref.c and ipc_listen_after_bind_twice of test-ipc.c. Socket
// files live in the test's temporary directory; abstract names (Linux)
// are bound with plain syscalls, since uv_pipe_bind of libuv 1.44 cannot
// take them.

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badPipeName is libuv's BAD_PIPENAME: a path in a directory that does
// not exist.
const badPipeName = "/path/to/unix/socket/that/really/should/not/be/there"

func init() {
	childHelpers["ipc_helper_bind_twice"] = ipcChild(ipcBindTwiceHelper)
	childHelpers["pipe_close_stdout_read_stdin_helper"] = pipeCloseStdoutReadStdinHelper
}

func TestPipeBindErrorAddrinuse(t *testing.T) {
	l := newLoop(t)
	path := sockPath(t, "pipe")
	server1, server2 := newTestPipe(t, l), newTestPipe(t, l)
	require.NoError(t, server1.Bind(path))
	assert.ErrorIs(t, server2.Bind(path), syscall.EADDRINUSE)
	assert.NoError(t, server1.Listen(128, func(error) {}))
	assert.ErrorIs(t, server2.Listen(128, func(error) {}), syscall.EINVAL)
	var closes counter
	require.NoError(t, server1.Close(closes.inc))
	require.NoError(t, server2.Close(closes.inc))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 2, closes.n)
}

// TestPipeBindErrorAddrnotavail: binding in a missing directory is EACCES,
// as libuv turns ENOENT into it (for Windows' sake).
func TestPipeBindErrorAddrnotavail(t *testing.T) {
	l := newLoop(t)
	server := newTestPipe(t, l)
	err := server.Bind(badPipeName)
	assert.ErrorIs(t, err, syscall.EACCES)
	var ue *Error
	if assert.ErrorAs(t, err, &ue) {
		assert.Equal(t, "uv_pipe_bind", ue.Op)
	}
	doClose(t, server)
}

func TestPipeBindErrorInval(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	server := newTestPipe(t, l)
	require.NoError(t, server.Bind(filepath.Join(dir, "pipe")))
	assert.ErrorIs(t, server.Bind(filepath.Join(dir, "pipe2")), syscall.EINVAL)
	doClose(t, server)
	_, err := os.Stat(filepath.Join(dir, "pipe2"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestPipeBindOrListenErrorAfterClose: EINVAL while the pipe closes, as in
// libuv; ErrClosed once it is closed.
func TestPipeBindOrListenErrorAfterClose(t *testing.T) {
	l := newLoop(t)
	path := sockPath(t, "pipe")
	server := newTestPipe(t, l)
	require.NoError(t, server.Close(nil))
	assert.ErrorIs(t, server.Bind(path), syscall.EINVAL)
	assert.ErrorIs(t, server.Listen(128, func(error) {}), syscall.EINVAL)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.ErrorIs(t, server.Bind(path), ErrClosed)
	assert.ErrorIs(t, server.Listen(128, func(error) {}), ErrClosed)
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestPipeListenWithoutBind(t *testing.T) {
	l := newLoop(t)
	server := newTestPipe(t, l)
	assert.ErrorIs(t, server.Listen(128, func(error) {}), syscall.EINVAL)
	doClose(t, server)
}

// connectAndClose connects a new pipe to path; the callback records the
// status and closes the pipe.
func connectAndClose(t *testing.T, l *Loop, path string, status *[]error, closes *counter) {
	t.Helper()
	p := newTestPipe(t, l)
	require.NoError(t, p.Connect(path, func(err error) {
		*status = append(*status, err)
		p.Close(closes.inc)
	}))
}

func TestPipeConnectBadName(t *testing.T) {
	l := newLoop(t)
	var status []error
	var closes counter
	connectAndClose(t, l, badPipeName, &status, &closes)
	runLoop(t, l, RunDefault)
	require.Len(t, status, 1)
	assert.ErrorIs(t, status[0], syscall.ENOENT)
	assert.Equal(t, 1, closes.n)
}

// TestPipeConnectToFile: a regular file is no socket (ECONNREFUSED on
// Linux; ENOTSOCK elsewhere).
func TestPipeConnectToFile(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(t.TempDir(), "empty_file")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	var status []error
	var closes counter
	connectAndClose(t, l, path, &status, &closes)
	runLoop(t, l, RunDefault)
	require.Len(t, status, 1)
	if !errors.Is(status[0], syscall.ENOTSOCK) {
		assert.ErrorIs(t, status[0], syscall.ECONNREFUSED)
	}
	assert.Equal(t, 1, closes.n)
}

// TestPipeConnectMultiple: four clients connect to one server; the loop
// stops once every connect and every accept is done.
func TestPipeConnectMultiple(t *testing.T) {
	const clients = 4
	l := newLoop(t)
	var accepted, connected int
	done := func() {
		if accepted == clients && connected == clients {
			l.Stop()
		}
	}
	_, path := listenPipe(t, l, func(srv *Pipe, err error) {
		assert.NoError(t, err)
		if acceptPipe(t, srv) != nil {
			accepted++
			done()
		}
	})
	for range clients {
		dialPipe(t, l, path, func(_ *Pipe, err error) {
			assert.NoError(t, err)
			connected++
			done()
		})
	}
	runLoop(t, l, RunDefault)
	assert.Equal(t, clients, accepted)
	assert.Equal(t, clients, connected)
}

// TestPipeConnectOnPrepare: a connect started from a prepare callback
// reports its failure on a later iteration.
func TestPipeConnectOnPrepare(t *testing.T) {
	l := newLoop(t)
	p := newTestPipe(t, l)
	prep, err := NewPrepare(l)
	require.NoError(t, err)
	var status []error
	var closes counter
	require.NoError(t, prep.Start(func(*Prepare) {
		if len(status) > 0 || p.IsActive() {
			return
		}
		assert.NoError(t, p.Connect(badPipeName, func(err error) {
			status = append(status, err)
			prep.Close(closes.inc)
			p.Close(closes.inc)
		}))
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	require.Len(t, status, 1)
	assert.ErrorIs(t, status[0], syscall.ENOENT)
	assert.Equal(t, 2, closes.n)
}

// TestPipeGetsockname: the names of a server and a client before bind or
// connect (EBADF), after bind (the path; no peer: ENOTCONN), and of a
// client once connecting (no name of its own, the server's path as peer).
func TestPipeGetsockname(t *testing.T) {
	l := newLoop(t)
	path := sockPath(t, "pipe")
	server := newTestPipe(t, l)
	_, err := server.LocalAddr()
	assert.ErrorIs(t, err, syscall.EBADF)
	_, err = server.RemoteAddr()
	assert.ErrorIs(t, err, syscall.EBADF)
	require.NoError(t, server.Bind(path))
	name, err := server.LocalAddr()
	assert.NoError(t, err)
	assert.Equal(t, path, name)
	_, err = server.RemoteAddr()
	assert.ErrorIs(t, err, syscall.ENOTCONN)
	require.NoError(t, server.Listen(0, func(err error) { assert.NoError(t, err) }))

	client := newTestPipe(t, l)
	_, err = client.LocalAddr()
	assert.ErrorIs(t, err, syscall.EBADF)
	_, err = client.RemoteAddr()
	assert.ErrorIs(t, err, syscall.EBADF)
	type names struct{ local, peer string }
	var inCb names
	var connects, closes counter
	require.NoError(t, client.Connect(path, func(err error) {
		assert.NoError(t, err)
		connects.inc()
		var e1, e2 error
		inCb.local, e1 = client.LocalAddr()
		inCb.peer, e2 = client.RemoteAddr()
		assert.NoError(t, e1)
		assert.NoError(t, e2)
		client.Close(closes.inc)
		server.Close(closes.inc)
	}))
	// A unix socket connects at once: the names are there already.
	local, err := client.LocalAddr()
	assert.NoError(t, err)
	assert.Empty(t, local)
	peer, err := client.RemoteAddr()
	assert.NoError(t, err)
	assert.Equal(t, path, peer)

	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 2, closes.n)
	assert.Equal(t, names{"", path}, inCb)
}

// abstractName returns a fresh name in Linux's abstract socket namespace,
// as the kernel and libuv spell it: a NUL byte first.
func abstractName(t *testing.T) string {
	return "\x00gouv-" + t.Name() + "-" + strconv.Itoa(os.Getpid())
}

// abstractSocket returns a unix stream socket bound to the abstract name,
// the name's exact length (no trailing NUL bytes).
func abstractSocket(t *testing.T, name string) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	// Go's syscall spells the leading NUL of an abstract name '@'.
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: "@" + name[1:]}); err != nil {
		syscall.Close(fd)
		require.NoError(t, err)
	}
	return fd
}

// TestPipeGetsocknameAbstract: a pipe opened on a socket bound to an
// abstract name reports that name, leading NUL included; so do the ends of
// a connection accepted on it (libuv's test checks the first; gouv the
// others too).
func TestPipeGetsocknameAbstract(t *testing.T) {
	l := newLoop(t)
	name := abstractName(t)
	server := openPipe(t, l, abstractSocket(t, name), false)
	got, err := server.LocalAddr()
	assert.NoError(t, err)
	assert.Equal(t, name, got)

	var acceptedLocal, acceptedPeer string
	var closes counter
	require.NoError(t, server.Listen(1, func(err error) {
		assert.NoError(t, err)
		c := acceptPipe(t, server)
		if c == nil {
			return
		}
		var e1, e2 error
		acceptedLocal, e1 = c.LocalAddr()
		acceptedPeer, e2 = c.RemoteAddr()
		assert.NoError(t, e1)
		assert.NoError(t, e2)
		c.Close(closes.inc)
		server.Close(closes.inc)
	}))
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	client := openPipe(t, l, fd, false)
	require.NoError(t, syscall.Connect(fd, &syscall.SockaddrUnix{Name: "@" + name[1:]}))
	peer, err := client.RemoteAddr()
	assert.NoError(t, err)
	assert.Equal(t, name, peer)
	runLoop(t, l, RunDefault)
	assert.Equal(t, name, acceptedLocal)
	assert.Empty(t, acceptedPeer, "an unbound client has no name")
	assert.Equal(t, 2, closes.n)
}

// TestPipeGetsocknameBlocking: libuv's test is for Windows' anonymous
// pipes, whose name must not change while a read is pending. Its Unix
// form: a pipe opened on a pipe(2) fd has no socket name (ENOTSOCK), the
// same before, while and after reading, and no read callback runs.
func TestPipeGetsocknameBlocking(t *testing.T) {
	l := newLoop(t)
	var fds [2]int
	require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
	defer syscall.Close(fds[1])
	p := openPipe(t, l, fds[0], false)
	var reads counter
	name := func() error {
		n, err := p.LocalAddr()
		assert.Empty(t, n)
		return err
	}
	assert.ErrorIs(t, name(), syscall.ENOTSOCK)
	require.NoError(t, p.ReadStart(func([]byte, error) { reads.inc() }))
	runLoop(t, l, RunNoWait)
	assert.ErrorIs(t, name(), syscall.ENOTSOCK)
	require.NoError(t, p.ReadStop())
	assert.ErrorIs(t, name(), syscall.ENOTSOCK)
	require.NoError(t, p.ReadStart(func([]byte, error) { reads.inc() }))
	runLoop(t, l, RunNoWait)
	assert.ErrorIs(t, name(), syscall.ENOTSOCK)
	require.NoError(t, p.ReadStop())
	doClose(t, p)
	assert.Zero(t, reads.n)
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

// TestPipeServerClose: closing a listening pipe from a client's connect
// callback, whether or not the server saw the connection yet.
func TestPipeServerClose(t *testing.T) {
	l := newLoop(t)
	var connects, closes counter
	srv, path := listenPipe(t, l, func(_ *Pipe, err error) { assert.NoError(t, err) })
	dialPipe(t, l, path, func(c *Pipe, err error) {
		assert.NoError(t, err)
		connects.inc()
		c.Close(closes.inc)
		srv.Close(closes.inc)
	})
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 2, closes.n)
}

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

// pipeCloseStdoutReadStdinHelper is the child of
// pipe_close_stdout_read_stdin: its stdin is a pipe whose writer is gone.
// It waits for that (a blocking read gives 0), then reads stdin with a
// Pipe: the EOF must be seen, and the pipe closed, within one RunNoWait.
func pipeCloseStdoutReadStdinHelper([]string) int {
	var b [1]byte
	for {
		if _, err := syscall.Read(0, b[:]); err != syscall.EINTR {
			break
		}
	}
	l, err := NewLoop()
	if err != nil {
		return 2
	}
	p, err := NewPipe(l, false)
	if err != nil || p.Open(0) != nil {
		return 3
	}
	if p.ReadStart(func(_ []byte, err error) {
		if err != nil {
			p.Close(nil)
		}
	}) != nil {
		return 4
	}
	alive, err := l.Run(RunNoWait)
	if err != nil || alive {
		return 5
	}
	if l.Close() != nil {
		return 6
	}
	return 0
}

// TestPipeCloseStdoutReadStdin: libuv's fork becomes the test binary run
// as a helper with the read end of a pipe as its stdin; the parent closes
// both ends once the child runs, and the child must exit 0.
func TestPipeCloseStdoutReadStdin(t *testing.T) {
	l := newLoop(t)
	var fds [2]int
	require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
	var exits exitRec
	var closes counter
	exits.closes = &closes
	opts := childOptions(t, "pipe_close_stdout_read_stdin_helper", exits.cb)
	opts.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0") // as spawnPeer
	opts.Stdio = []StdioContainer{InheritFd(fds[0]), InheritFd(1), InheritFd(2)}
	_, err := Spawn(l, opts)
	syscall.Close(fds[0])
	syscall.Close(fds[1])
	require.NoError(t, err)
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, exits.n)
	assert.Zero(t, exits.status, "the child's exit status")
	assert.Zero(t, exits.signal)
	assert.Equal(t, 1, closes.n)
}

func TestPipeRef(t *testing.T) {
	l := newLoop(t)
	p := newTestPipe(t, l)
	p.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	doClose(t, p)
}

// TestPipeRef2: Listen on an unbound pipe fails (EINVAL), and the pipe,
// unreferenced, does not keep the loop alive.
func TestPipeRef2(t *testing.T) {
	l := newLoop(t)
	p := newTestPipe(t, l)
	assert.ErrorIs(t, p.Listen(128, func(error) { t.Error("connection callback ran") }), syscall.EINVAL)
	p.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	doClose(t, p)
}

// goEchoServer is libuv's pipe echo server, run outside the test's loop
// (libuv runs it in another process): a net.Listener on a unix socket in
// the test's temporary directory, copying back what it reads until EOF.
func goEchoServer(t *testing.T) string {
	t.Helper()
	path := sockPath(t, "echo.sock")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return path
}

// TestPipeRef3: an unreferenced pipe's connect and shutdown requests keep
// the loop alive until their callbacks ran.
func TestPipeRef3(t *testing.T) {
	l := newLoop(t)
	path := goEchoServer(t)
	p := newTestPipe(t, l)
	var connects, shutdowns counter
	require.NoError(t, p.Connect(path, func(err error) {
		assert.NoError(t, err)
		connects.inc()
		assert.NoError(t, p.Shutdown(func(err error) {
			assert.NoError(t, err)
			shutdowns.inc()
		}))
	}))
	p.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, shutdowns.n)
	doClose(t, p)
}

// TestPipeRef4: the same with a write between connect and shutdown.
func TestPipeRef4(t *testing.T) {
	l := newLoop(t)
	path := goEchoServer(t)
	p := newTestPipe(t, l)
	var connects, writes, shutdowns counter
	require.NoError(t, p.Connect(path, func(err error) {
		assert.NoError(t, err)
		connects.inc()
		assert.NoError(t, p.Write(make([]byte, 1024), func(err error) {
			assert.NoError(t, err)
			writes.inc()
			assert.NoError(t, p.Shutdown(func(err error) {
				assert.NoError(t, err)
				shutdowns.inc()
			}))
		}))
	}))
	p.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, writes.n)
	assert.Equal(t, 1, shutdowns.n)
	doClose(t, p)
}

// ipcBindTwiceHelper is libuv's ipc_helper_bind_twice: two TCP handles
// bound to the same address (libuv binds with SO_REUSEADDR, which Linux
// allows while neither listens), both sent over the channel, which closes
// once they are written.
func ipcBindTwiceHelper(ct assert.TestingT, l *Loop, ch *Pipe) (check func()) {
	assert.True(ct, ch.IsReadable())
	assert.True(ct, ch.IsWritable())
	assert.False(ct, ch.IsClosing())
	var servers [2]*TCP
	for i := range servers {
		s, err := NewTCP(l)
		if !assert.NoError(ct, err) {
			ch.Close(nil)
			return func() {}
		}
		servers[i] = s
	}
	addr := netip.MustParseAddrPort("127.0.0.1:0")
	assert.NoError(ct, servers[0].Bind(addr, 0))
	first, err := servers[0].LocalAddr()
	assert.NoError(ct, err)
	assert.NoError(ct, servers[1].Bind(first, 0), "second bind to %v", first)
	var written int
	for _, s := range servers {
		assert.NoError(ct, ch.Write2([]byte("hello\n"), s, func(err error) {
			assert.NoError(ct, err)
			if written++; written == 2 {
				servers[0].Close(nil)
				servers[1].Close(nil)
				ch.Close(nil)
			}
		}))
	}
	return func() { assert.Equal(ct, 2, written, "handles written") }
}

// TestIPCListenAfterBindTwice: of two TCP handles received bound to the
// same address, the first listens and the second gets EADDRINUSE. (libuv
// runs it on Windows only; the scenario holds on Linux too.)
func TestIPCListenAfterBindTwice(t *testing.T) {
	l := newLoop(t)
	channel := spawnPeer(t, l, "ipc_helper_bind_twice")
	var got []Stream
	var types []HandleType
	var listenErrs []error
	var bytesRead int
	assert.NoError(t, channel.ReadStart(func(p []byte, err error) {
		if err != nil {
			assert.ErrorIs(t, err, io.EOF)
			channel.Close(nil)
			return
		}
		bytesRead += len(p)
		h, ty := acceptPending(t, channel)
		got, types = append(got, h...), append(types, ty...)
		if len(got) < 2 {
			return
		}
		for _, s := range got {
			listenErrs = append(listenErrs, s.Listen(128, func(error) {}))
		}
		for _, s := range got {
			s.Close(nil)
		}
		assert.Zero(t, channel.PendingCount())
		channel.Close(nil)
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, []HandleType{TypeTCP, TypeTCP}, types)
	assert.Equal(t, len("hello\nhello\n"), bytesRead)
	require.Len(t, listenErrs, 2)
	assert.NoError(t, listenErrs[0])
	assert.ErrorIs(t, listenErrs[1], syscall.EADDRINUSE)
}

// TestPipeSetChmod: Chmod adds read, write or both permissions for every
// user to a bound pipe's socket file; a bad mode is EINVAL, a pipe with no
// socket (unbound, closing) EBADF. (libuv's pipe_set_chmod; not in
// LIBUV_TESTS.md's rows, ported with Chmod.)
func TestPipeSetChmod(t *testing.T) {
	l := newLoop(t)
	path := sockPath(t, "pipe")
	p := newTestPipe(t, l)
	assert.ErrorIs(t, p.Chmod(PipeReadable), syscall.EBADF, "not bound")
	require.NoError(t, p.Bind(path))
	require.NoError(t, os.Chmod(path, 0o700))
	perm := func() os.FileMode {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		return fi.Mode().Perm()
	}
	require.NoError(t, p.Chmod(PipeReadable))
	assert.Equal(t, os.FileMode(0o744), perm())
	require.NoError(t, p.Chmod(PipeWritable))
	assert.Equal(t, os.FileMode(0o766), perm())
	require.NoError(t, os.Chmod(path, 0o700))
	require.NoError(t, p.Chmod(PipeReadable|PipeWritable))
	assert.Equal(t, os.FileMode(0o766), perm())
	assert.ErrorIs(t, p.Chmod(12345678), syscall.EINVAL)
	require.NoError(t, p.Close(nil))
	assert.ErrorIs(t, p.Chmod(PipeReadable|PipeWritable), syscall.EBADF, "closing")
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, p.Chmod(PipeReadable|PipeWritable), ErrClosed)

	abstract := openPipe(t, l, abstractSocket(t, abstractName(t)), false)
	assert.ErrorIs(t, abstract.Chmod(PipeReadable), syscall.ENOENT, "an abstract name has no file")
	doClose(t, abstract)
}
