package uv

// Pipe tests: the stream layer over unix domain sockets and pipe fds, to
// show it is not TCP-specific (libuv runs ping_pong over pipes too), and
// the pipe-specific calls: Bind, Connect, LocalAddr, RemoteAddr, Open.

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sockPath returns a fresh unix socket path in the test's temporary
// directory (well under sun_path's 108 bytes).
func sockPath(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.Less(t, len(p), 100, "socket path too long for sun_path")
	return p
}

// listenPipe binds a pipe server to a fresh path and listens; cb runs for
// every incoming connection.
func listenPipe(t testing.TB, l *Loop, cb func(srv *Pipe, err error)) (*Pipe, string) {
	t.Helper()
	path := sockPath(t, "srv.sock")
	srv, err := NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(path))
	require.NoError(t, srv.Listen(128, func(err error) { cb(srv, err) }))
	return srv, path
}

// acceptPipe accepts srv's pending connection, for use in a connection
// callback.
func acceptPipe(t testing.TB, srv *Pipe) *Pipe {
	c, err := NewPipe(srv.Loop(), false)
	if !assert.NoError(t, err) {
		return nil
	}
	if !assert.NoError(t, srv.Accept(c)) {
		c.Close(nil)
		return nil
	}
	return c
}

// dialPipe connects a new pipe to path; cb gets it with the status.
func dialPipe(t testing.TB, l *Loop, path string, cb func(c *Pipe, err error)) *Pipe {
	t.Helper()
	c, err := NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, c.Connect(path, func(err error) { cb(c, err) }))
	return c
}

// pipeEchoServer is serveEcho behind a pipe server.
type pipeEchoServer struct {
	srv  *Pipe
	path string
	echoStats
}

func startPipeEchoServer(t testing.TB, l *Loop) *pipeEchoServer {
	t.Helper()
	e := &pipeEchoServer{}
	e.srv, e.path = listenPipe(t, l, func(srv *Pipe, err error) {
		if !assert.NoError(t, err) {
			return
		}
		if c := acceptPipe(t, srv); c != nil {
			e.accepted++
			serveEcho(t, c, &e.echoStats)
		}
	})
	return e
}

// TestPipeBindListenAcceptConnect: a connection over a unix socket, both
// ways, with the names each end reports; closing the server removes its
// socket file.
func TestPipeBindListenAcceptConnect(t *testing.T) {
	l := newLoop(t)
	var names struct{ srvLocal, accLocal, accRemote, cliLocal, cliRemote string }
	var fromClient, fromServer []byte
	var closes counter
	srv, path := listenPipe(t, l, func(srv *Pipe, err error) {
		assert.NoError(t, err)
		c := acceptPipe(t, srv)
		if c == nil {
			return
		}
		assert.Equal(t, TypeNamedPipe, c.Type())
		var err2 error
		names.accLocal, err2 = c.LocalAddr()
		assert.NoError(t, err2)
		names.accRemote, err2 = c.RemoteAddr()
		assert.NoError(t, err2)
		assert.NoError(t, c.Write([]byte("hello client"), nil))
		assert.NoError(t, c.ReadStart(func(p []byte, err error) {
			if err != nil {
				assert.ErrorIs(t, err, io.EOF)
				c.Close(closes.inc)
				srv.Close(closes.inc)
				return
			}
			fromClient = append(fromClient, p...)
		}))
	})
	var err error
	names.srvLocal, err = srv.LocalAddr()
	require.NoError(t, err)
	_, err = srv.RemoteAddr()
	assert.ErrorIs(t, err, syscall.ENOTCONN)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.ModeSocket, fi.Mode().Type())

	dialPipe(t, l, path, func(c *Pipe, err error) {
		assert.NoError(t, err)
		names.cliLocal, err = c.LocalAddr()
		assert.NoError(t, err)
		names.cliRemote, err = c.RemoteAddr()
		assert.NoError(t, err)
		assert.NoError(t, c.Write([]byte("hello server"), nil))
		assert.NoError(t, c.ReadStart(func(p []byte, err error) {
			if !assert.NoError(t, err) {
				c.Close(nil)
				return
			}
			fromServer = append(fromServer, p...)
			if len(fromServer) == len("hello client") {
				assert.NoError(t, c.Shutdown(func(err error) {
					assert.NoError(t, err)
					c.Close(closes.inc)
				}))
			}
		}))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, "hello server", string(fromClient))
	assert.Equal(t, "hello client", string(fromServer))
	assert.Equal(t, 3, closes.n)
	assert.Equal(t, path, names.srvLocal)
	assert.Equal(t, path, names.accLocal)
	assert.Equal(t, "", names.accRemote, "the client is unnamed")
	assert.Equal(t, "", names.cliLocal)
	assert.Equal(t, path, names.cliRemote)
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, fs.ErrNotExist, "libuv removes the socket file on close")
}

// TestPipePingPong is libuv's pipe_ping_pong: the pinger of
// TestTCPPingPong against the echo server, over a unix socket.
func TestPipePingPong(t *testing.T) { testPipePingPong(t, false) }

// TestPipePingPongVec is libuv's pipe_ping_pong_vec.
func TestPipePingPongVec(t *testing.T) { testPipePingPong(t, true) }

func testPipePingPong(t *testing.T, vec bool) {
	l := newLoop(t)
	echo := startPipeEchoServer(t, l)
	var connects counter
	p := &pinger{t: t, vec: vec, done: func() { echo.srv.Close(nil) }}
	p.s = dialPipe(t, l, echo.path, func(c *Pipe, err error) {
		connects.inc()
		if assert.NoError(t, err) {
			p.start()
		}
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, numPings, p.pongs)
	assert.Equal(t, numPings, p.writes)
	assert.Equal(t, 1, p.closed)
	assert.Equal(t, 1, echo.accepted)
	assert.Equal(t, 1, echo.eofs)
	assert.Equal(t, 1, echo.closed)
	assert.Empty(t, echo.errs)
}

// TestPipeOpen adopts the two ends of a socketpair and runs the pinger
// over them, one end echoing: no path, no listener. The handles own the
// fds and close them.
func TestPipeOpen(t *testing.T) {
	l := newLoop(t)
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	a, err := NewPipe(l, false)
	require.NoError(t, err)
	b, err := NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, a.Open(fds[0]))
	require.NoError(t, b.Open(fds[1]))
	fd, err := a.Fd()
	require.NoError(t, err)
	assert.Equal(t, fds[0], fd)
	assert.True(t, a.IsReadable())
	assert.True(t, a.IsWritable())
	name, err := a.LocalAddr()
	assert.NoError(t, err)
	assert.Empty(t, name, "a socketpair is unnamed")
	name, err = a.RemoteAddr()
	assert.NoError(t, err)
	assert.Empty(t, name)

	var st echoStats
	serveEcho(t, b, &st)
	p := &pinger{t: t, s: a, done: func() {}}
	p.start()
	runLoop(t, l, RunDefault)
	assert.Equal(t, numPings, p.pongs)
	assert.Equal(t, 1, p.closed)
	assert.Equal(t, 1, st.eofs)
	assert.Equal(t, 1, st.closed)
	assert.Empty(t, st.errs)

	t.Run("Pipe", func(t *testing.T) {
		// A unidirectional pipe: libuv reads the fd's mode, so the read end
		// is only readable and the write end only writable.
		l := newLoop(t)
		var fds [2]int
		require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
		r, err := NewPipe(l, false)
		require.NoError(t, err)
		w, err := NewPipe(l, false)
		require.NoError(t, err)
		require.NoError(t, r.Open(fds[0]))
		require.NoError(t, w.Open(fds[1]))
		assert.True(t, r.IsReadable())
		assert.False(t, r.IsWritable())
		assert.False(t, w.IsReadable())
		assert.True(t, w.IsWritable())
		var got []byte
		var end error
		require.NoError(t, w.Write([]byte("through a pipe"), func(err error) {
			assert.NoError(t, err)
			w.Close(nil)
		}))
		require.NoError(t, r.ReadStart(func(p []byte, err error) {
			if err != nil {
				end = err
				r.Close(nil)
				return
			}
			got = append(got, p...)
		}))
		runLoop(t, l, RunDefault)
		assert.Equal(t, "through a pipe", string(got))
		assert.ErrorIs(t, end, io.EOF)
	})
}

// TestPipeConnectMissing: connecting to a path that does not exist
// reports ENOENT to the callback (libuv's uv_pipe_connect never fails at
// once), matching syscall.ENOENT and fs.ErrNotExist.
func TestPipeConnectMissing(t *testing.T) {
	l := newLoop(t)
	var connectErr error
	var connects counter
	dialPipe(t, l, filepath.Join(t.TempDir(), "missing.sock"), func(c *Pipe, err error) {
		connects.inc()
		connectErr = err
		c.Close(nil)
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.ErrorIs(t, connectErr, syscall.ENOENT)
	assert.ErrorIs(t, connectErr, fs.ErrNotExist)
	var errno Errno
	require.True(t, errors.As(connectErr, &errno))
	assert.Equal(t, "ENOENT", errno.Name())
}

// TestPipeConnectRefused: a socket file with no listener behind it
// refuses (ECONNREFUSED).
func TestPipeConnectRefused(t *testing.T) {
	l := newLoop(t)
	path := sockPath(t, "bound.sock")
	bound, err := NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, bound.Bind(path))
	var connectErr error
	dialPipe(t, l, path, func(c *Pipe, err error) {
		connectErr = err
		c.Close(nil)
	})
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, connectErr, syscall.ECONNREFUSED)
}

// TestPipeBindExisting: binding a path that exists, a file or another
// server's socket, fails with EADDRINUSE, as an *Error naming
// uv_pipe_bind; the file is left alone.
func TestPipeBindExisting(t *testing.T) {
	l := newLoop(t)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("keep"), 0o600))
	srv, path := listenPipe(t, l, func(*Pipe, error) {})
	for _, p := range []string{file, path} {
		h, err := NewPipe(l, false)
		require.NoError(t, err)
		err = h.Bind(p)
		assert.ErrorIs(t, err, syscall.EADDRINUSE, p)
		var e *Error
		if assert.ErrorAs(t, err, &e) {
			assert.Equal(t, "uv_pipe_bind", e.Op)
			assert.Equal(t, EADDRINUSE, e.Code)
		}
		require.NoError(t, h.Close(nil))
	}
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "keep", string(b))
	_, err = os.Stat(path)
	assert.NoError(t, err, "a failed Bind removed the server's socket")
	doClose(t, srv)
}

// TestShutdownClosePipe is libuv's shutdown_close_pipe: Shutdown followed at
// once by Close on a pipe; the shutdown callback still runs.
func TestShutdownClosePipe(t *testing.T) {
	l := newLoop(t)
	echo := startPipeEchoServer(t, l)
	var connects, shutdowns, closes counter
	dialPipe(t, l, echo.path, func(c *Pipe, err error) {
		assert.NoError(t, err)
		assert.NoError(t, c.Shutdown(func(err error) {
			if err != nil {
				assert.ErrorIs(t, err, syscall.ECANCELED)
			}
			shutdowns.inc()
		}))
		assert.False(t, c.IsClosing())
		assert.NoError(t, c.Close(closes.inc))
		assert.True(t, c.IsClosing())
		connects.inc()
		echo.srv.Close(nil)
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, shutdowns.n)
	assert.Equal(t, 1, closes.n)
}

// TestPipeClosedErrors: the pipe-specific methods of a closed pipe return
// ErrClosed, of a closing one EINVAL.
func TestPipeClosedErrors(t *testing.T) {
	l := newLoop(t)
	p, err := NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, p.Close(nil))
	assert.ErrorIs(t, p.Bind("x"), syscall.EINVAL)
	assert.ErrorIs(t, p.Connect("x", func(error) {}), syscall.EINVAL)
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, p.Bind("x"), ErrClosed)
	assert.ErrorIs(t, p.Connect("x", func(error) {}), ErrClosed)
	assert.ErrorIs(t, p.Open(0), ErrClosed)
	_, err = p.LocalAddr()
	assert.ErrorIs(t, err, ErrClosed)
	_, err = p.RemoteAddr()
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, p.ReadStart(func([]byte, error) {}), ErrClosed)
	assert.Zero(t, l.Stats().Requests)
}

// TestPipeBadPath: libuv 1.44 silently truncates a path longer than
// sun_path (107 bytes and a NUL), binding or connecting to another path,
// and C strings stop at a NUL byte; gouv fails both at once, ENAMETOOLONG
// and EINVAL, without creating a file or starting a request. 107 bytes
// still work.
func TestPipeBadPath(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	fits := filepath.Join(dir, strings.Repeat("f", 107-len(dir)-1))
	require.Len(t, fits, 107)
	for _, c := range []struct {
		path string
		code Errno
	}{
		{fits + "x", ENAMETOOLONG},
		{filepath.Join(dir, strings.Repeat("a", 200)), ENAMETOOLONG},
		{filepath.Join(dir, "x\x00y"), EINVAL},
	} {
		for op, call := range map[string]func(p *Pipe) error{
			"uv_pipe_bind":    func(p *Pipe) error { return p.Bind(c.path) },
			"uv_pipe_connect": func(p *Pipe) error { return p.Connect(c.path, func(error) { t.Error("connect callback") }) },
		} {
			p, err := NewPipe(l, false)
			require.NoError(t, err)
			err = call(p)
			var e *Error
			if assert.ErrorAs(t, err, &e, "%s %q", op, c.path) {
				assert.Equal(t, op, e.Op)
				assert.Equal(t, c.code, e.Code)
			}
			require.NoError(t, p.Close(nil))
		}
	}
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, ents, "a rejected path created a file")
	assert.Zero(t, l.Stats().Requests)

	srv, err := NewPipe(l, false)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(fits))
	name, err := srv.LocalAddr()
	require.NoError(t, err)
	assert.Equal(t, fits, name)
	doClose(t, srv)
	_, err = os.Stat(fits)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}
