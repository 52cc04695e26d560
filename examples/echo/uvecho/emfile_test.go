package uvecho

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gouv/gouv/examples/internal/echotest"
	"github.com/gouv/gouv/uv"
)

// TestEmfile floods the server with connections while the process is out
// of file descriptors (RLIMIT_NOFILE lowered in-process, the table filled
// with dups). The server must not crash or spin: libuv accepts and drops
// what it has no fd for (its reserve-fd trick), the loop stays idle, and
// the listener reports no error. The connections accepted before, and
// those accepted during the flood while a few fds were left, keep
// echoing; once the fds are free again every new connection is served,
// and after Stop the process holds no more fds than before.
func TestEmfile(t *testing.T) {
	const (
		before = 5  // connections served before the fds run out
		spare  = 2  // fds left to the server during the flood
		flood  = 20 // connections made during it
		after  = 20 // connections made once fds are free again
	)
	warmUp(t)
	fdsBefore := countFDs(t)
	r, err := Start(Config{Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			r.Stop()
		}
	})
	addr := netip.MustParseAddrPort(r.Addr())

	var old []net.Conn
	t.Cleanup(func() {
		for _, c := range old {
			c.Close()
		}
	})
	for i := range before {
		c, err := net.DialTimeout("tcp", r.Addr(), echotest.Timeout)
		require.NoError(t, err)
		old = append(old, c)
		require.NoError(t, echoConn(c, i))
	}

	// Loop iterations of the server, counted by a prepare handle.
	var prep *uv.Prepare
	iters := 0 // loop goroutine only
	require.NoError(t, r.Do(func() {
		var err error
		prep, err = uv.NewPrepare(r.Loop)
		if err == nil {
			err = prep.Start(func(*uv.Prepare) { iters++ })
		}
		assert.NoError(t, err)
	}))

	// Fill the fd table, leaving room for the flood's sockets and spare
	// fds for the server. The sockets are made before they connect, so
	// that nothing but the server allocates an fd from now on.
	ft := exhaustFds(t, flood+spare)
	socks := make([]int, flood)
	open := map[int]bool{} // sockets not closed yet
	closeSock := func(fd int) {
		if open[fd] {
			syscall.Close(fd)
			delete(open, fd)
		}
	}
	t.Cleanup(func() {
		for fd := range open {
			syscall.Close(fd)
		}
	})
	for i := range socks {
		socks[i], err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		require.NoError(t, err)
		fd := socks[i]
		open[fd] = true
		tv := syscall.NsecToTimeval(int64(echotest.Timeout))
		require.NoError(t, syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv))
		require.NoError(t, syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_SNDTIMEO, &tv))
	}
	sa := &syscall.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}
	for _, fd := range socks {
		require.NoError(t, syscall.Connect(fd, sa))
	}
	// Each flood connection was either accepted (it echoes) or dropped by
	// libuv (it ends at once). None may hang in the backlog.
	var served, dropped []int
	for i, fd := range socks {
		ok, err := rawEcho(fd, before+i)
		require.NoError(t, err, "flood connection %d", i)
		if ok {
			served = append(served, fd)
		} else {
			dropped = append(dropped, fd)
		}
	}
	t.Logf("flood: %d served, %d dropped", len(served), len(dropped))
	assert.LessOrEqual(t, len(served), spare, "flood connections served with %d spare fds", spare)
	assert.GreaterOrEqual(t, len(dropped), flood-spare, "flood connections dropped")

	// Still out of fds: the loop must sit idle for 100 ms.
	idle := make(chan int, 1)
	require.NoError(t, r.Do(func() {
		tm, err := uv.NewTimer(r.Loop)
		if !assert.NoError(t, err) {
			idle <- -1
			return
		}
		start := iters
		err = tm.Start(100*time.Millisecond, 0, func(tm *uv.Timer) {
			idle <- iters - start
			tm.Close(nil)
			prep.Close(nil)
		})
		if !assert.NoError(t, err) {
			idle <- -1
		}
	}))
	n := <-idle
	t.Logf("server loop iterations in 100 ms at fd exhaustion: %d", n)
	assert.Less(t, n, 100, "server loop iterations in 100 ms at fd exhaustion")

	// Free the fds: nothing accepted before is lost, everything new is
	// served.
	ft.release()
	for _, fd := range dropped {
		closeSock(fd)
	}
	for i, c := range old {
		assert.NoError(t, echoConn(c, 100+i), "connection %d accepted before the flood", i)
	}
	for i, fd := range served {
		ok, err := rawEcho(fd, 200+i)
		assert.True(t, ok && err == nil, "connection %d accepted during the flood: served %v, %v", i, ok, err)
		closeSock(fd)
	}
	for i := range after {
		c, err := net.DialTimeout("tcp", r.Addr(), echotest.Timeout)
		if !assert.NoError(t, err, "connection %d after the flood", i) {
			continue
		}
		assert.NoError(t, echoConn(c, 300+i), "connection %d after the flood", i)
		c.Close()
	}
	for _, c := range old {
		c.Close()
	}
	old = nil

	echotest.WaitNoConns(t, func() (c int) {
		require.NoError(t, r.Do(func() { c = r.Server.Conns() }))
		return c
	})
	var accepted, acceptErrs int
	require.NoError(t, r.Do(func() { accepted, acceptErrs = r.Server.Accepted(), r.Server.AcceptErrors() }))
	assert.Equal(t, before+len(served)+after, accepted, "connections accepted")
	assert.Zero(t, acceptErrs, "listener errors")
	assertOnlyListener(t, r)
	stopped = true
	require.NoError(t, r.Stop())
	// libuv's reserve fd was opened again after every use and closed with
	// the loop: nothing leaked.
	assert.Equal(t, fdsBefore, countFDs(t), "open file descriptors after Stop")
}

// echoConn sends a message on c and checks that it comes back.
func echoConn(c net.Conn, i int) error {
	if err := c.SetDeadline(time.Now().Add(echotest.Timeout)); err != nil {
		return err
	}
	msg := fmt.Appendf(nil, "message %d", i)
	if _, err := c.Write(msg); err != nil {
		return err
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	if !bytes.Equal(msg, got) {
		return fmt.Errorf("echoed %q, sent %q", got, msg)
	}
	return nil
}

// rawEcho sends a message on the connected socket fd (SO_RCVTIMEO set) and
// reads the echo: ok when it came back, !ok when the server had ended the
// connection (EOF, reset, broken pipe); an error for anything else,
// a timeout included.
func rawEcho(fd, i int) (ok bool, err error) {
	msg := fmt.Appendf(nil, "message %d", i)
	if err := syscall.Sendto(fd, msg, syscall.MSG_NOSIGNAL, nil); err != nil {
		if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
			return false, nil
		}
		return false, err
	}
	got := make([]byte, 0, len(msg))
	buf := make([]byte, len(msg))
	for len(got) < len(msg) {
		n, err := syscall.Read(fd, buf[:len(msg)-len(got)])
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.ECONNRESET):
			return false, nil
		case err != nil:
			return false, err
		case n == 0:
			if len(got) > 0 {
				return false, fmt.Errorf("EOF after %d bytes of the echo", len(got))
			}
			return false, nil
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(msg, got) {
		return false, fmt.Errorf("echoed %q, sent %q", got, msg)
	}
	return true, nil
}

// fdTable holds the dups that fill the fd table.
type fdTable struct{ dups []int }

// exhaustFds lowers RLIMIT_NOFILE to just above the highest fd open now
// and fills the slots below it with dups of /dev/null, all but free of
// them. t.Cleanup closes the dups and restores the limit. The limit is
// process-wide: no test of this package runs in parallel.
func exhaustFds(t *testing.T, free int) *fdTable {
	t.Helper()
	var old syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old))
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	highest := 0
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil && n > highest {
			highest = n
		}
	}
	// Above every open fd: libuv's reserve fd must free a slot under it.
	lim := syscall.Rlimit{Cur: uint64(highest + 1 + free + 8), Max: old.Max}
	require.Less(t, lim.Cur, old.Cur, "the fd limit is already that low")
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
	ft := &fdTable{}
	t.Cleanup(func() {
		ft.release()
		assert.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old))
	})
	null, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	ft.dups = append(ft.dups, null)
	for {
		fd, err := syscall.Dup(null)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			require.ErrorIs(t, err, syscall.EMFILE)
			break
		}
		ft.dups = append(ft.dups, fd)
	}
	require.Greater(t, len(ft.dups), free, "dups")
	for range free {
		n := len(ft.dups) - 1
		syscall.Close(ft.dups[n])
		ft.dups = ft.dups[:n]
	}
	return ft
}

// release closes the dups.
func (ft *fdTable) release() {
	for _, fd := range ft.dups {
		syscall.Close(fd)
	}
	ft.dups = nil
}
