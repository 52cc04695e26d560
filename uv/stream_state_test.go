package uv

// Row 66 of LIBUV_TESTS.md: what IsReadable and IsWritable say through
// EOF, read errors and shutdown; both ends shutting down at once; a pipe
// whose writer goes away while it is not reading.

import (
	"errors"
	"io"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cmdEchoServer is libuv's test echo server with its commands
// (test/echo-server.c): it writes back what it reads, except that a read
// holding "QS" closes the connection, "QSH" resets it, "QSS" writes the
// read back and then shuts the connection down, and any other 'Q' closes
// the listening handle. At EOF it shuts down its side, if still
// writable, then closes the connection.
type cmdEchoServer struct {
	srv       *TCP
	srvClosed bool
	echoStats
}

func startCmdEchoServer(t testing.TB, l *Loop) *cmdEchoServer {
	t.Helper()
	e := &cmdEchoServer{}
	e.srv, _ = listenTCP(t, l, func(srv *TCP, err error) {
		if !assert.NoError(t, err) {
			return
		}
		if c := acceptTCP(t, srv); c != nil {
			e.accepted++
			e.serve(t, c)
		}
	})
	return e
}

func (e *cmdEchoServer) serve(t testing.TB, c *TCP) {
	closed := func() { e.closed++ }
	assert.NoError(t, c.ReadStart(func(p []byte, err error) {
		switch {
		case errors.Is(err, io.EOF):
			e.eofs++
			if !c.IsWritable() || c.Shutdown(func(error) { c.Close(closed) }) != nil {
				c.Close(closed)
			}
		case err != nil:
			e.errs = append(e.errs, err)
			c.Close(closed)
		default:
			e.command(t, c, p, closed)
		}
	}))
}

// command acts on one read as echo-server.c's after_read does.
func (e *cmdEchoServer) command(t testing.TB, c *TCP, p []byte, closed func()) {
	shutdown := false
scan:
	for i, b := range p {
		if b != 'Q' {
			continue
		}
		if i+1 < len(p) && p[i+1] == 'S' {
			next := byte(0)
			if i+2 < len(p) {
				next = p[i+2]
			}
			switch next {
			case 'H':
				assert.NoError(t, c.CloseReset(closed))
				return
			case 'S':
				shutdown = true
				break scan
			}
			c.Close(closed)
			return
		}
		if !e.srvClosed {
			e.srv.Close(nil)
			e.srvClosed = true
		}
	}
	assert.NoError(t, c.Write(p, nil))
	if shutdown {
		assert.NoError(t, c.Shutdown(nil))
	}
}

// rw is what IsReadable and IsWritable say of a stream.
type rw struct{ r, w bool }

func rwOf(s Stream) rw { return rw{s.IsReadable(), s.IsWritable()} }

// dialCmdEcho starts a command echo server and connects a client to it;
// connected runs with the client once the connection is made.
func dialCmdEcho(t *testing.T, l *Loop, connected func(c *TCP)) *cmdEchoServer {
	t.Helper()
	e := startCmdEchoServer(t, l)
	srv := e.srv
	addr, err := srv.LocalAddr()
	require.NoError(t, err)
	dialTCP(t, l, addr, func(c *TCP, err error) {
		if !assert.NoError(t, err) {
			c.Close(nil)
			srv.Close(nil)
			return
		}
		connected(c)
	})
	return e
}

// TestReadableOnEOF: after EOF a stream is still readable and writable
// (the peer closed its side only), reading may start again and gives EOF
// again; after Close it is neither.
func TestReadableOnEOF(t *testing.T) {
	l := newLoop(t)
	var connected rw
	var atEOF []rw
	var afterClose rw
	var writes, closes counter
	var readStartErrs []error
	var e *cmdEchoServer
	e = dialCmdEcho(t, l, func(c *TCP) {
		connected = rwOf(c)
		var onRead func(p []byte, err error)
		onRead = func(p []byte, err error) {
			if !assert.ErrorIs(t, err, io.EOF, "read %q", p) {
				c.Close(nil)
				return
			}
			atEOF = append(atEOF, rwOf(c))
			if len(atEOF) == 2 {
				c.Close(closes.inc)
				afterClose = rwOf(c)
				e.srv.Close(nil)
				return
			}
			readStartErrs = append(readStartErrs, c.ReadStart(onRead))
		}
		assert.NoError(t, c.ReadStart(onRead))
		assert.NoError(t, c.Write([]byte("QS"), func(err error) {
			writes.inc()
			assert.NoError(t, err)
		}))
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, rw{true, true}, connected)
	assert.Equal(t, []rw{{true, true}, {true, true}}, atEOF)
	assert.Equal(t, []error{nil}, readStartErrs, "ReadStart after EOF")
	assert.Equal(t, rw{false, false}, afterClose)
	assert.Equal(t, 1, writes.n)
	assert.Equal(t, 1, closes.n)
	assert.Empty(t, e.errs)
}

// TestNotReadableNorWritableOnReadError: a read error (the peer reset the
// connection) leaves the stream neither readable nor writable.
func TestNotReadableNorWritableOnReadError(t *testing.T) {
	l := newLoop(t)
	var reads, writes, closes counter
	var readErr error
	var onError rw
	e := dialCmdEcho(t, l, func(c *TCP) {
		assert.NoError(t, c.ReadStart(func(p []byte, err error) {
			reads.inc()
			readErr = err
			onError = rwOf(c)
			c.Close(closes.inc)
		}))
		assert.NoError(t, c.Write([]byte("QSH"), func(err error) {
			writes.inc()
			assert.NoError(t, err)
		}))
	})
	e.srv.Unref() // the listener does not keep the loop alive
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, reads.n)
	assert.ErrorIs(t, readErr, syscall.ECONNRESET)
	assert.NotErrorIs(t, readErr, io.EOF)
	assert.Equal(t, rw{false, false}, onError)
	assert.Equal(t, 1, writes.n)
	assert.Equal(t, 1, closes.n)
}

// TestNotWritableAfterShutdown: a stream stops being writable as soon as
// Shutdown is called, before its callback.
func TestNotWritableAfterShutdown(t *testing.T) {
	l := newLoop(t)
	var afterCall rw
	var shutdowns counter
	var srv *TCP
	e := dialCmdEcho(t, l, func(c *TCP) {
		assert.NoError(t, c.Shutdown(func(err error) {
			shutdowns.inc()
			assert.NoError(t, err)
			c.Close(nil)
			srv.Close(nil)
		}))
		afterCall = rwOf(c)
	})
	srv = e.srv
	runLoop(t, l, RunDefault)
	assert.Equal(t, rw{true, false}, afterCall)
	assert.Equal(t, 1, shutdowns.n)
}

// TestShutdownSimultaneous: the client shuts down its side while the
// server shuts down its own (the echo server's "QSS"): both shutdowns
// complete, the client reads the echo and then EOF, and nothing hangs.
// The checks of ReadStart's errors are Go's: EALREADY when reading, EINVAL
// for a nil callback.
func TestShutdownSimultaneous(t *testing.T) {
	l := newLoop(t)
	var got []byte
	var gotEOF, connects, shutdowns counter
	var shutdownErr error
	e := dialCmdEcho(t, l, func(c *TCP) {
		onRead := func(p []byte, err error) {
			switch {
			case err == nil:
				assert.Zero(t, gotEOF.n, "data after EOF")
				got = append(got, p...)
				if string(got) == "QQSS" {
					// Shut down our side while the server shuts down its.
					assert.NoError(t, c.Shutdown(func(err error) {
						shutdowns.inc()
						shutdownErr = err
						assert.Equal(t, 1, connects.n)
						assert.False(t, c.IsClosing())
					}))
				}
			case errors.Is(err, io.EOF):
				gotEOF.inc()
			default:
				assert.NoError(t, err)
				c.Close(nil)
			}
		}
		assert.NoError(t, c.ReadStart(onRead))
		assert.ErrorIs(t, c.ReadStart(onRead), syscall.EALREADY)
		assert.ErrorIs(t, c.ReadStart(nil), syscall.EINVAL)
		// "QQSS": the first Q closes the echo server's listener, "QSS"
		// makes it write the data back and shut down.
		n, err := c.TryWrite([]byte("QQSS"))
		assert.NoError(t, err)
		assert.Equal(t, 4, n)
		connects.inc()
		assert.Zero(t, shutdowns.n)
	})
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, connects.n)
	assert.Equal(t, 1, shutdowns.n)
	assert.NoError(t, shutdownErr)
	assert.Equal(t, "QQSS", string(got))
	assert.Equal(t, 1, gotEOF.n)
	assert.True(t, e.srvClosed)
	assert.Empty(t, e.errs)
}

// TestCloseFd: a pipe reads the byte its writer left and stops; the
// writer's fd is closed while the pipe does not read; reading again gives
// EOF, and the pipe closes from the callback.
func TestCloseFd(t *testing.T) {
	l := newLoop(t)
	var fds [2]int
	require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
	p := newTestPipe(t, l)
	if err := p.Open(fds[0]); err != nil {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		require.NoError(t, err)
	}
	n, _, err := FSWrite(l, fds[1], []byte{0}, -1, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, syscall.Close(fds[1]))

	var reads []string
	onRead := func(b []byte, err error) {
		switch len(reads) {
		case 0:
			assert.NoError(t, err)
			assert.Equal(t, []byte{0}, b)
			assert.NoError(t, p.ReadStop())
		case 1:
			assert.ErrorIs(t, err, io.EOF)
			p.Close(nil)
		default:
			assert.Fail(t, "more than two reads", "%q %v", b, err)
		}
		reads = append(reads, string(b))
	}
	require.NoError(t, p.ReadStart(onRead))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Len(t, reads, 1)
	assert.False(t, p.IsActive())
	require.NoError(t, p.ReadStart(onRead))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Len(t, reads, 2)
	assert.True(t, p.IsClosing())
}
