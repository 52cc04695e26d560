package uv

// Handle passing over IPC pipes: libuv's test-ipc.c, test-ipc-send-recv.c,
// test-ipc-heavy-traffic-deadlock-bug.c, test-pipe-sendmsg.c and
// test-stdio-over-pipes.c (row 57 of LIBUV_TESTS.md).
//
// As in libuv, the other end of a test runs in a child process (the test
// binary run as a named helper, its stdin the IPC channel: spawnPeer), or,
// for the _inprocess forms, on a second loop on its own goroutine that
// listens on a named pipe, as libuv's thread does (otherSide). The helper
// logic is the same function in both places; in a child its assertions go
// to stderr and its exit status, which the parent checks.

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	childHelpers["stdio_over_pipes_helper"] = stdioOverPipesHelper
	childHelpers["ipc_send_recv_helper"] = ipcChild(func(ct assert.TestingT, l *Loop, ch *Pipe) func() {
		return ipcEchoHandles(ct, ch, nil)
	})
	childHelpers["ipc_helper_listen_before_write"] = ipcChild(func(ct assert.TestingT, l *Loop, ch *Pipe) func() {
		return ipcListenHelper(ct, l, ch, false)
	})
	childHelpers["ipc_helper_listen_after_write"] = ipcChild(func(ct assert.TestingT, l *Loop, ch *Pipe) func() {
		return ipcListenHelper(ct, l, ch, true)
	})
	childHelpers["ipc_helper_tcp_connection"] = ipcChild(ipcTCPConnectionHelper)
	childHelpers["ipc_helper_send_zero"] = ipcChild(ipcSendZeroHelper)
	childHelpers["ipc_helper_heavy_traffic_deadlock_bug"] = ipcChild(func(ct assert.TestingT, l *Loop, ch *Pipe) func() {
		return heavyTraffic(ct, ch)
	})
}

// spawnPeer is libuv's spawn_helper: it runs the test binary as the named
// helper with the returned IPC pipe as its stdin (a socketpair) and its
// stdout and stderr inherited. The test fails unless the child exits 0;
// its Process closes itself then.
func spawnPeer(t *testing.T, l *Loop, helper string) *Pipe {
	t.Helper()
	ch, err := NewPipe(l, true)
	require.NoError(t, err)
	opts := childOptions(t, helper, func(p *Process, status int64, sig int) {
		assert.Zero(t, status, "child %s's exit status", helper)
		assert.Zero(t, sig, "child %s's signal", helper)
		p.Close(nil)
	})
	// A race-built child would sleep a second at exit.
	opts.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	opts.Stdio = []StdioContainer{
		CreatePipe(ch, StdioCreatePipe|StdioReadablePipe|StdioWritablePipe),
		InheritFd(1),
		InheritFd(2),
	}
	_, err = Spawn(l, opts)
	require.NoError(t, err)
	return ch
}

// ipcChild makes a child helper of run: a loop with an IPC pipe on fd 0,
// run until nothing is left, then the check run returned.
func ipcChild(run func(ct assert.TestingT, l *Loop, ch *Pipe) (check func())) func([]string) int {
	return func([]string) int {
		ct := &childT{}
		l, err := NewLoop()
		if err != nil {
			return 2
		}
		ch, err := NewPipe(l, true)
		if err != nil || ch.Open(0) != nil {
			return 2
		}
		check := run(ct, l, ch)
		_, err = l.Run(RunDefault)
		assert.NoError(ct, err)
		check()
		assert.NoError(ct, l.Close())
		if ct.failed {
			return 1
		}
		return 0
	}
}

// otherSide is the thread of libuv's _inprocess tests: a second loop that
// setup prepares on the test goroutine, then run on its own goroutine.
// wait returns once that Run has returned; the loop's cleanup (newLoop)
// then closes it.
func otherSide(t *testing.T, setup func(l *Loop)) (wait func()) {
	t.Helper()
	l := newLoop(t)
	setup(l)
	done := make(chan error, 1)
	go func() {
		wd := time.AfterFunc(watchdogTimeout, func() { l.Post(l.Stop) })
		defer wd.Stop()
		_, err := l.Run(RunDefault)
		done <- err
	}()
	return func() {
		t.Helper()
		assert.NoError(t, <-done, "other side's Run")
	}
}

// socketpair returns a connected pair of unix stream sockets.
func socketpair(t *testing.T) [2]int {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	return fds
}

// openPipe opens fd as a pipe handle of l.
func openPipe(t *testing.T, l *Loop, fd int, ipc bool) *Pipe {
	t.Helper()
	p, err := NewPipe(l, ipc)
	require.NoError(t, err)
	require.NoError(t, p.Open(fd))
	return p
}

// acceptPending takes every handle waiting on p into a new handle of its
// type and returns them with their types.
func acceptPending(ct assert.TestingT, p *Pipe) (got []Stream, types []HandleType) {
	for p.PendingCount() > 0 {
		typ := p.PendingType()
		var h Stream
		var err error
		switch typ {
		case TypeTCP:
			h, err = NewTCP(p.Loop())
		case TypeNamedPipe:
			h, err = NewPipe(p.Loop(), false)
		default:
			ct.Errorf("pending type %v", typ)
			return
		}
		if !assert.NoError(ct, err) {
			return
		}
		assert.NoError(ct, p.Accept(h))
		got, types = append(got, h), append(types, typ)
	}
	return got, types
}

// ipcEchoHandles is the other end of test-ipc-send-recv.c: it accepts each
// handle that arrives on ch and sends it back with Write2. It closes ch
// (and lis, the named pipe it listened on, if any) on EOF: libuv's helper
// does so in its last write callback, but libuv 1.44 reports EOF on
// POLLHUP after a partial read, and every read that brings a handle is
// partial, so a second message already queued when the peer hangs up
// would be lost. A child process is rarely that quick; a goroutine is.
func ipcEchoHandles(ct assert.TestingT, ch, lis *Pipe) (check func()) {
	var reads, writes int
	var handles []Stream
	assert.True(ct, ch.IsReadable())
	assert.True(ct, ch.IsWritable())
	assert.NoError(ct, ch.ReadStart(func(p []byte, err error) {
		if err != nil {
			ch.Close(nil)
			if lis != nil {
				lis.Close(nil)
			}
			return
		}
		got, _ := acceptPending(ct, ch)
		for _, h := range got {
			reads++
			handles = append(handles, h)
			assert.NoError(ct, ch.Write2([]byte("."), h, func(err error) {
				assert.NoError(ct, err)
				if writes++; writes == 2 {
					for _, h := range handles {
						h.Close(nil)
					}
				}
			}))
		}
	}))
	return func() {
		assert.Equal(ct, 2, reads, "handles the other end received")
		assert.Equal(ct, 2, writes, "handles the other end sent back")
	}
}

// ipcSendRecv is libuv's run_test of test-ipc-send-recv.c: this side sends
// two handles over the channel, the other side accepts them and sends them
// back, and this side accepts them again, of the expected type.
func ipcSendRecv(t *testing.T, want HandleType, inprocess bool) {
	l := newLoop(t)
	dir := t.TempDir()
	var send [2]Stream
	for i := range send {
		if want == TypeTCP {
			tc, err := NewTCP(l)
			require.NoError(t, err)
			require.NoError(t, tc.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
			send[i] = tc
		} else {
			p, err := NewPipe(l, true)
			require.NoError(t, err)
			require.NoError(t, p.Bind(filepath.Join(dir, "send"+itoa(i))))
			send[i] = p
		}
	}

	var recvs int
	var types []HandleType
	var channel *Pipe
	connected := func(err error) {
		assert.NoError(t, err)
		for _, h := range send {
			assert.NoError(t, channel.Write2([]byte("."), h, nil))
		}
		assert.NoError(t, channel.ReadStart(func(p []byte, err error) {
			if err == io.EOF {
				assert.Equal(t, 2, recvs, "EOF only after both handles")
				return
			}
			if !assert.NoError(t, err) {
				return
			}
			assert.Positive(t, channel.PendingCount())
			_, ty := acceptPending(t, channel)
			recvs += len(ty)
			types = append(types, ty...)
			if recvs == 2 {
				channel.Close(nil)
			}
		}))
	}
	wait := func() {}
	if inprocess {
		path := filepath.Join(dir, "channel")
		var check func()
		w := otherSide(t, func(l2 *Loop) {
			lis, err := NewPipe(l2, false)
			require.NoError(t, err)
			require.NoError(t, lis.Bind(path))
			require.NoError(t, lis.Listen(128, func(err error) {
				assert.NoError(t, err)
				ch, err := NewPipe(l2, true)
				if assert.NoError(t, err) && assert.NoError(t, lis.Accept(ch)) {
					check = ipcEchoHandles(t, ch, lis)
				}
			}))
		})
		wait = func() {
			w()
			if assert.NotNil(t, check, "the other side got no connection") {
				check()
			}
		}
		var err error
		channel, err = NewPipe(l, true)
		require.NoError(t, err)
		require.NoError(t, channel.Connect(path, connected))
	} else {
		channel = spawnPeer(t, l, "ipc_send_recv_helper")
		connected(nil)
	}
	runLoop(t, l, RunDefault)
	wait()
	assert.Equal(t, 2, recvs)
	assert.Equal(t, []HandleType{want, want}, types)
}

func TestIPCSendRecvPipe(t *testing.T)          { ipcSendRecv(t, TypeNamedPipe, false) }
func TestIPCSendRecvPipeInprocess(t *testing.T) { ipcSendRecv(t, TypeNamedPipe, true) }
func TestIPCSendRecvTCP(t *testing.T)           { ipcSendRecv(t, TypeTCP, false) }
func TestIPCSendRecvTCPInprocess(t *testing.T)  { ipcSendRecv(t, TypeTCP, true) }

// ipcListenHelper is libuv's ipc_helper: it sends a TCP server, listening
// (or, with listenAfterWrite, listening only after the write), over ch
// with "hello\n"; when it has accepted one connection itself it says
// "accepted_connection\n" and closes everything.
func ipcListenHelper(ct assert.TestingT, l *Loop, ch *Pipe, listenAfterWrite bool) (check func()) {
	var accepted int
	srv, err := NewTCP(l)
	if !assert.NoError(ct, err) {
		return func() {}
	}
	assert.NoError(ct, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	onConn := func(err error) {
		if accepted > 0 {
			return
		}
		assert.NoError(ct, err)
		c, err := NewTCP(l)
		if !assert.NoError(ct, err) {
			return
		}
		assert.NoError(ct, srv.Accept(c))
		c.Close(nil)
		accepted++
		assert.NoError(ct, ch.Write([]byte("accepted_connection\n"), func(err error) {
			srv.Close(nil)
			ch.Close(nil)
		}))
	}
	if !listenAfterWrite {
		assert.NoError(ct, srv.Listen(128, onConn))
	}
	assert.NoError(ct, ch.Write2([]byte("hello\n"), srv, nil))
	if listenAfterWrite {
		assert.NoError(ct, srv.Listen(128, onConn))
	}
	return func() { assert.Equal(ct, 1, accepted, "connections the child accepted") }
}

// ipcListen is the parent of ipc_listen_before_write and _after_write: it
// accepts the child's server, listens on it too, and makes 100
// connections, which both processes accept from the one socket.
func ipcListen(t *testing.T, listenAfterWrite bool) {
	const conns = 100
	l := newLoop(t)
	helper := "ipc_helper_listen_before_write"
	if listenAfterWrite {
		helper = "ipc_helper_listen_after_write"
	}
	channel := spawnPeer(t, l, helper)
	var reads, localAccepted, remoteAccepted int
	var server *TCP
	assert.NoError(t, channel.ReadStart(func(p []byte, err error) {
		if err == io.EOF {
			return
		}
		if !assert.NoError(t, err) {
			channel.Close(nil)
			return
		}
		if server == nil {
			reads++
			assert.Equal(t, 1, channel.PendingCount())
			assert.Equal(t, TypeTCP, channel.PendingType())
			assert.Equal(t, "hello\n", string(p))
			var err error
			server, err = NewTCP(l)
			if !assert.NoError(t, err) || !assert.NoError(t, channel.Accept(server)) {
				return
			}
			assert.NoError(t, server.Listen(128, func(err error) {
				if localAccepted > 0 {
					return
				}
				c, err := NewTCP(l)
				if assert.NoError(t, err) {
					assert.NoError(t, server.Accept(c))
					c.Close(nil)
				}
				server.Close(nil)
				localAccepted++
			}))
			assert.NoError(t, channel.Write([]byte("foobar\n"), nil))
			addr, err := server.LocalAddr()
			if !assert.NoError(t, err) {
				return
			}
			for range conns {
				c, err := NewTCP(l)
				if assert.NoError(t, err) {
					assert.NoError(t, c.Connect(addr, func(error) { c.Close(nil) }))
				}
			}
			return
		}
		if string(p) == "accepted_connection\n" {
			assert.Zero(t, channel.PendingCount())
			assert.Equal(t, TypeUnknown, channel.PendingType())
			remoteAccepted++
			channel.Close(nil)
		}
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, reads)
	assert.Equal(t, 1, localAccepted)
	assert.Equal(t, 1, remoteAccepted)
}

func TestIPCListenBeforeWrite(t *testing.T) { ipcListen(t, false) }
func TestIPCListenAfterWrite(t *testing.T)  { ipcListen(t, true) }

// ipcTCPConnectionHelper is libuv's ipc_helper_tcp_connection: it accepts
// a connection to its own server and sends it over ch with "hello\n",
// closing its copy; its client then reads "world\n" (written by the
// parent through the passed connection) and answers "hello again\n".
func ipcTCPConnectionHelper(ct assert.TestingT, l *Loop, ch *Pipe) (check func()) {
	var reads, writes, closes int
	closed := func() { closes++ }
	check = func() {
		assert.Equal(ct, 1, reads, "child reads")
		assert.Equal(ct, 1, writes, "child writes")
		assert.Equal(ct, 4, closes, "child close callbacks")
	}
	srv, err := NewTCP(l)
	if !assert.NoError(ct, err) {
		return check
	}
	assert.NoError(ct, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	assert.NoError(ct, srv.Listen(128, func(err error) {
		assert.NoError(ct, err)
		c, err := NewTCP(l)
		if !assert.NoError(ct, err) {
			return
		}
		assert.NoError(ct, srv.Accept(c))
		assert.NoError(ct, ch.Write2([]byte("hello\n"), c, nil))
		assert.NoError(ct, c.ReadStart(func([]byte, error) {}))
		c.Close(closed)
	}))
	addr, err := srv.LocalAddr()
	assert.NoError(ct, err)
	client, err := NewTCP(l)
	if !assert.NoError(ct, err) {
		return check
	}
	assert.NoError(ct, client.Connect(addr, func(err error) {
		assert.NoError(ct, err)
		assert.NoError(ct, client.ReadStart(func(p []byte, err error) {
			if err == io.EOF {
				return
			}
			assert.NoError(ct, err)
			assert.Equal(ct, "world\n", string(p))
			reads++
			assert.NoError(ct, client.Write([]byte("hello again\n"), func(err error) {
				writes++
				client.Close(closed)
				ch.Close(closed)
				srv.Close(closed)
			}))
		}))
	}))
	return check
}

// TestIPCTCPConnection: the child sends a connection it accepted; this
// side accepts it and talks to the child's client through it.
func TestIPCTCPConnection(t *testing.T) {
	l := newLoop(t)
	channel := spawnPeer(t, l, "ipc_helper_tcp_connection")
	var reads, tcpWrites, tcpReads int
	assert.NoError(t, channel.ReadStart(func(p []byte, err error) {
		if err == io.EOF {
			return
		}
		if !assert.NoError(t, err) || reads > 0 {
			return
		}
		reads++
		assert.Equal(t, 1, channel.PendingCount())
		assert.Equal(t, TypeTCP, channel.PendingType())
		assert.Equal(t, "hello\n", string(p))
		conn, err := NewTCP(l)
		if !assert.NoError(t, err) || !assert.NoError(t, channel.Accept(conn)) {
			return
		}
		assert.NoError(t, conn.Write([]byte("world\n"), func(err error) {
			assert.NoError(t, err)
			tcpWrites++
		}))
		assert.NoError(t, conn.ReadStart(func(p []byte, err error) {
			if assert.NoError(t, err) {
				assert.Equal(t, "hello again\n", string(p))
			}
			tcpReads++
			conn.Close(nil)
			channel.Close(nil)
		}))
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, 1, reads)
	assert.Equal(t, 1, tcpWrites)
	assert.Equal(t, 1, tcpReads)
}

// ipcSendZeroHelper is libuv's ipc_helper_send_zero: a zero-length write
// on the channel completes with its callback.
func ipcSendZeroHelper(ct assert.TestingT, l *Loop, ch *Pipe) (check func()) {
	var written int
	assert.True(ct, ch.IsReadable())
	assert.True(ct, ch.IsWritable())
	assert.False(ct, ch.IsClosing())
	assert.NoError(ct, ch.Write(nil, func(err error) {
		assert.NoError(ct, err)
		written++
		ch.Close(nil)
	}))
	return func() { assert.Equal(ct, 1, written, "zero-length writes done") }
}

// TestIPCSendZero: the child's zero-length write brings no data here, only
// the end of the stream once it closes (libuv passes nread 0 on; gouv
// does not report empty reads).
func TestIPCSendZero(t *testing.T) {
	l := newLoop(t)
	channel := spawnPeer(t, l, "ipc_helper_send_zero")
	var data int
	var eof bool
	assert.NoError(t, channel.ReadStart(func(p []byte, err error) {
		data += len(p)
		if err != nil {
			assert.Equal(t, io.EOF, err)
			eof = true
			channel.Close(nil)
		}
	}))
	runLoop(t, l, RunDefault)
	assert.Zero(t, data)
	assert.True(t, eof)
}

// heavyTraffic is both ends of ipc_heavy_traffic_deadlock_bug: 256 writes
// of three 8 KiB buffers while reading as much from the other end, then a
// shutdown and close.
func heavyTraffic(ct assert.TestingT, p *Pipe) (check func()) {
	const (
		writes  = 256
		perW    = 3
		bufSize = 8 << 10
		total   = writes * perW * bufSize
	)
	buf := bytes.Repeat([]byte{42}, bufSize)
	var written, read, bad int
	for range writes {
		assert.NoError(ct, p.WriteV([][]byte{buf, buf, buf}, func(err error) {
			assert.NoError(ct, err)
			written += perW * bufSize
		}))
	}
	assert.NoError(ct, p.ReadStart(func(b []byte, err error) {
		if !assert.NoError(ct, err) {
			p.Close(nil)
			return
		}
		read += len(b)
		bad += len(b) - bytes.Count(b, []byte{42})
		if read >= total {
			assert.NoError(ct, p.ReadStop())
			assert.NoError(ct, p.Shutdown(func(err error) {
				if err != nil {
					assert.ErrorIs(ct, err, ENOTCONN)
				}
				p.Close(nil)
			}))
		}
	}))
	return func() {
		assert.Equal(ct, total, written, "bytes written")
		assert.Equal(ct, total, read, "bytes read")
		assert.Zero(ct, bad, "bytes that were not 42")
	}
}

// TestIPCHeavyTrafficDeadlockBug: both ends of an IPC channel write 6 MiB
// while reading what the other writes; neither may deadlock, every byte
// arrives.
func TestIPCHeavyTrafficDeadlockBug(t *testing.T) {
	l := newLoop(t)
	check := heavyTraffic(t, spawnPeer(t, l, "ipc_helper_heavy_traffic_deadlock_bug"))
	runLoop(t, l, RunDefault)
	check()
}

// TestPipeSendmsg: four fds sent with one sendmsg (SCM_RIGHTS) by a plain
// socket arrive as four pending pipe handles on an IPC pipe reading one
// byte.
func TestPipeSendmsg(t *testing.T) {
	l := newLoop(t)
	fds := socketpair(t)
	defer syscall.Close(fds[0])
	var send []int
	for range 2 {
		p := socketpair(t)
		send = append(send, p[0], p[1])
	}
	p := openPipe(t, l, fds[1], true)
	var incoming []Stream
	var closes int
	require.NoError(t, p.ReadStart(func(b []byte, err error) {
		if !assert.NoError(t, err) {
			p.Close(nil)
			return
		}
		got, types := acceptPending(t, p)
		for _, ty := range types {
			assert.Equal(t, TypeNamedPipe, ty)
		}
		incoming = append(incoming, got...)
		if len(incoming) < len(send) {
			return
		}
		assert.NoError(t, p.ReadStop())
		p.Close(func() { closes++ })
		for _, h := range incoming {
			h.Close(func() { closes++ })
		}
	}))
	require.NoError(t, syscall.Sendmsg(fds[0], []byte("X"), syscall.UnixRights(send...), nil, 0))
	for _, fd := range send {
		syscall.Close(fd) // the pipe holds its own copies now
	}
	runLoop(t, l, RunDefault)
	assert.Len(t, incoming, 4)
	assert.Equal(t, 5, closes)
}

// TestPipeWrite2Errors: Write2 needs an IPC pipe, a handle and bytes.
func TestPipeWrite2Errors(t *testing.T) {
	l := newLoop(t)
	fds := socketpair(t)
	plain := openPipe(t, l, fds[0], false)
	ipc := openPipe(t, l, fds[1], true)
	tc, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, tc.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))

	var e *Error
	err = plain.Write2([]byte("x"), tc, nil)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, EINVAL, e.Code)
	assert.ErrorIs(t, ipc.Write2([]byte("x"), nil, nil), EINVAL)
	assert.ErrorIs(t, ipc.Write2(nil, tc, nil), EINVAL)
	assert.False(t, plain.IPC())
	assert.True(t, ipc.IPC())
	assert.Zero(t, ipc.PendingCount())
	assert.Equal(t, TypeUnknown, ipc.PendingType())

	doClose(t, tc)
	assert.ErrorIs(t, ipc.Write2([]byte("x"), tc, nil), ErrClosed)
	doClose(t, ipc)
	assert.ErrorIs(t, ipc.Write2([]byte("x"), plain, nil), ErrClosed)
	assert.Zero(t, ipc.PendingCount())
	assert.Equal(t, TypeUnknown, ipc.PendingType())
	assert.False(t, ipc.IPC())
}

// TestStdioOverPipes (stdio_over_pipes): a child whose stdin and stdout are
// pipes writes "hello world\n" in seven pieces, twice, and reads each line
// echoed back; the parent echoes every 12 bytes it reads. Writes keep
// their order across the pieces, and both ends see everything.
func TestStdioOverPipes(t *testing.T) {
	l := newLoop(t)
	in, err := NewPipe(l, false)
	require.NoError(t, err)
	out, err := NewPipe(l, false)
	require.NoError(t, err)
	var exits, closes, reads, writes int
	var output []byte
	closed := func() { closes++ }
	opts := childOptions(t, "stdio_over_pipes_helper", func(p *Process, status int64, sig int) {
		exits++
		assert.Zero(t, status)
		assert.Zero(t, sig)
		p.Close(closed)
		in.Close(closed)
		out.Close(closed)
	})
	// A race-built child would sleep a second at exit.
	opts.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	opts.Stdio = []StdioContainer{
		CreatePipe(in, StdioCreatePipe|StdioReadablePipe),
		CreatePipe(out, StdioCreatePipe|StdioWritablePipe),
		InheritFd(2),
	}
	_, err = Spawn(l, opts)
	require.NoError(t, err)
	require.NoError(t, out.ReadStart(func(p []byte, err error) {
		reads++
		if err != nil {
			assert.Equal(t, io.EOF, err)
			return
		}
		output = append(output, p...)
		if len(output)%12 == 0 {
			assert.Equal(t, "hello world\n", string(output[:12]))
			assert.NoError(t, in.Write(output[:12], func(err error) {
				assert.NoError(t, err)
				writes++
			}))
		}
	}))
	runLoop(t, l, RunDefault)
	assert.Greater(t, reads, 1)
	assert.Equal(t, 2, writes)
	assert.Equal(t, 1, exits)
	assert.Equal(t, 3, closes)
	assert.Equal(t, "hello world\nhello world\n", string(output))
}

// stdioOverPipesHelper is the child of TestStdioOverPipes (libuv's
// stdio_over_pipes_helper): two rounds of seven ordered writes to stdout
// with every handle unreferenced, then one line read from stdin with them
// referenced. libuv opens fds 0 and 1 twice; the second pair here are
// dups, so that closing the four handles closes no fd twice.
func stdioOverPipesHelper([]string) int {
	ct := &childT{}
	l, err := NewLoop()
	if err != nil {
		return 2
	}
	var pipes [4]*Pipe // stdin1, stdout1, stdin2, stdout2
	for i := range pipes {
		fd := i % 2
		if i >= 2 {
			if fd, err = syscall.Dup(fd); err != nil {
				return 2
			}
		}
		if pipes[i], err = NewPipe(l, false); err != nil || pipes[i].Open(fd) != nil {
			return 2
		}
	}
	var written, read int
	pieces := []string{"he", "ll", "o ", "wo", "rl", "d", "\n"}
	for j := range 2 {
		stdin, stdout := pipes[2*j], pipes[2*j+1]
		for _, p := range pipes {
			p.Unref()
		}
		for _, piece := range pieces {
			assert.NoError(ct, stdout.Write([]byte(piece), func(err error) {
				assert.NoError(ct, err)
				written++
			}))
		}
		_, err := l.Run(RunDefault)
		assert.NoError(ct, err)
		assert.Equal(ct, 7*(j+1), written)
		assert.Equal(ct, j, read)
		for _, p := range pipes {
			p.Ref()
		}
		assert.NoError(ct, stdin.ReadStart(func(p []byte, err error) {
			if assert.NoError(ct, err) {
				assert.Equal(ct, "hello world\n", string(p))
			}
			read++
			assert.NoError(ct, stdin.ReadStop())
		}))
		_, err = l.Run(RunDefault)
		assert.NoError(ct, err)
		assert.Equal(ct, 7*(j+1), written)
		assert.Equal(ct, j+1, read)
	}
	for _, p := range pipes {
		p.Close(nil)
	}
	_, err = l.Run(RunDefault)
	assert.NoError(ct, err)
	assert.NoError(ct, l.Close())
	if ct.failed {
		return 1
	}
	return 0
}

// childT takes a child helper's assertions: failures go to stderr, where
// the parent's test output shows them, and set the exit status.
type childT struct{ failed bool }

func (c *childT) Errorf(format string, args ...any) {
	c.failed = true
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
