//go:build uvdebug

package uv

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Allocation faults (issue 10). Every allocation of the binding's C goes
// through uvgo_malloc/uvgo_calloc, which uvdebug builds make fail on
// demand (testhooks_debug.go). A scenario is run once to count its
// allocations, then again for every N up to that count with the Nth
// allocation failing, and with every allocation from the Nth on failing.
// Each time, every synchronous call must succeed or fail with an ENOMEM
// *Error, every failed allocation must have surfaced as one, every
// callback owed by a call that succeeded must run exactly once, and the
// loop must close cleanly (closeLoop: empty tables, Loop.Close() == nil).
//
// Nearly every binding allocation happens inside the call that needs it,
// so a failure is the call's own ENOMEM *Error; the exception is
// ConnectHost, whose later attempts (a fresh C handle, uvgo_tcp_renew,
// then a connect request) are made from callbacks and give cb ENOMEM.
// The calls that allocate: New* (the C handle), Write/WriteV with a
// queued rest, Shutdown, Connect, UDP Send with a queued datagram, UDP
// RecvStart (the loop's receive state, and its recvmmsg buffer for a
// UDPRecvMmsg handle), Spawn (the watcher on the child's pidfd: the child
// is killed), ConnectHost, and the fs (FSReaddir: the request and the
// entries), dns, work and random requests. libuv's own allocations
// (FSEvent's and FSPoll's Start, say) are not the binding's and are not
// faulted.
//
// To cover a new call that allocates, add a scenario to faultScenarios:
// make the calls through f.ok / f.req, call f.abort on a failure so that
// the loop ends.

// faultRun is one run of a scenario.
type faultRun struct {
	t      testing.TB
	l      *Loop
	bad    []string // unexpected results
	enomem int      // ENOMEM *Errors seen
	owed   int      // callbacks owed by calls that succeeded
	paid   int      // callbacks run
	after  []func() // run once the loop is closed (closing fds)
	undo   []func() // run once faults are off, before the loop closes
}

// ok checks a synchronous result: nil and an ENOMEM *Error are fine. It
// returns whether err is nil, and on ENOMEM closes everything (abort).
func (f *faultRun) ok(what string, err error) bool {
	if err == nil {
		return true
	}
	var e *Error
	if errors.As(err, &e) && e.Code == ENOMEM {
		f.enomem++
		if faultLog {
			f.t.Logf("%s: %v", what, err)
		}
	} else {
		f.bad = append(f.bad, fmt.Sprintf("%s: %v (%T), want nil or an ENOMEM *Error", what, err, err))
	}
	f.abort()
	return false
}

// req makes a call that takes a callback and owes it when it succeeds.
func (f *faultRun) req(what string, call func(cb func(error)) error, then func(error)) bool {
	n := 0
	cb := func(err error) {
		n++
		f.paid++
		if n > 1 {
			f.bad = append(f.bad, what+": callback ran twice")
		}
		if then != nil {
			then(err)
		}
	}
	if !f.ok(what, call(cb)) {
		return false
	}
	f.owed++
	return true
}

// close closes h with a callback it owes.
func (f *faultRun) close(h Handle) {
	if h.IsClosing() {
		return
	}
	f.req("Close", func(cb func(error)) error { return h.Close(func() { cb(nil) }) }, nil)
}

// abort closes every handle of the loop, so that Run returns.
func (f *faultRun) abort() {
	if f.l == nil {
		return
	}
	f.l.Walk(func(h Handle) { f.close(h) })
}

// faultLog logs every ENOMEM *Error a sweep sees (to read their Ops).
const faultLog = false

type faultScenario struct {
	name string
	run  func(f *faultRun)
}

var faultScenarios = []faultScenario{
	{"handles", faultHandles},
	{"tcp", faultTCP},
	{"pipe", faultPipe},
	{"udp", faultUDP},
	{"poll", faultPoll},
	{"fswatch", faultFSWatch},
	{"tty", faultTTY},
	{"signal", faultSignal},
	{"process", faultProcess},
	{"fs", faultFS},
	{"reqs", faultReqs},
	{"dir", faultDir},
	{"connect-renew", faultConnectRenew},
}

// faultHandles creates one handle of each simple type and closes it from
// its own callback.
func faultHandles(f *faultRun) {
	l := f.l
	tm, err := NewTimer(l)
	if !f.ok("NewTimer", err) {
		return
	}
	f.ok("Timer.Start", tm.Start(time.Millisecond, 0, func(t *Timer) { f.close(t) }))
	id, err := NewIdle(l)
	if !f.ok("NewIdle", err) {
		return
	}
	f.ok("Idle.Start", id.Start(func(i *Idle) { f.close(i) }))
	pr, err := NewPrepare(l)
	if !f.ok("NewPrepare", err) {
		return
	}
	f.ok("Prepare.Start", pr.Start(func(p *Prepare) { f.close(p) }))
	ck, err := NewCheck(l)
	if !f.ok("NewCheck", err) {
		return
	}
	f.ok("Check.Start", ck.Start(func(c *Check) { f.close(c) }))
	as, err := NewAsync(l, func(a *Async) { f.close(a) })
	if !f.ok("NewAsync", err) {
		return
	}
	f.ok("Async.Send", as.Send())
}

// faultTCP connects a client to a listener; the client writes a large
// buffer and a WriteV before it is connected (all queued), then once
// connected another (partly sent at once, the rest queued) and shuts
// down; the server side
// reads to EOF, answers, shuts down and closes; the client reads to EOF.
func faultTCP(f *faultRun) {
	l := f.l
	big := bytes.Repeat([]byte("x"), 4<<20)
	srv, err := NewTCP(l)
	if !f.ok("NewTCP", err) {
		return
	}
	if !f.ok("Bind", srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0)) {
		return
	}
	if !f.ok("Listen", srv.Listen(8, func(err error) {
		c, err := NewTCP(l)
		if !f.ok("NewTCP (accept)", err) {
			return
		}
		if !f.ok("Accept", srv.Accept(c)) {
			return
		}
		f.close(srv)
		f.ok("ReadStart", c.ReadStart(func(p []byte, err error) {
			if err == nil {
				return
			}
			if !f.req("Write (server)", func(cb func(error)) error { return c.Write([]byte("bye"), cb) }, nil) {
				return
			}
			f.req("Shutdown (server)", c.Shutdown, func(error) { f.close(c) })
		}))
	})) {
		return
	}
	addr, err := srv.LocalAddr()
	if !f.ok("LocalAddr", err) {
		return
	}
	cl, err := NewTCP(l)
	if !f.ok("NewTCP (client)", err) {
		return
	}
	if !f.req("Connect", func(cb func(error)) error { return cl.Connect(addr, cb) }, func(err error) {
		if err != nil {
			f.close(cl)
			return
		}
		if !f.ok("ReadStart (client)", cl.ReadStart(func(p []byte, err error) {
			if err != nil {
				f.close(cl)
			}
		})) {
			return
		}
		// Connected: the socket takes part of this one at once.
		if !f.req("Write (connected)", func(cb func(error)) error { return cl.Write(big, cb) }, nil) {
			return
		}
		f.req("Shutdown", cl.Shutdown, nil)
	}) {
		return
	}
	if !f.req("Write", func(cb func(error)) error { return cl.Write(big, cb) }, nil) {
		return
	}
	f.req("WriteV", func(cb func(error)) error { return cl.WriteV([][]byte{[]byte("a"), big}, cb) }, nil)
}

// faultPipe connects a pipe to a path nobody listens on.
func faultPipe(f *faultRun) {
	p, err := NewPipe(f.l, false)
	if !f.ok("NewPipe", err) {
		return
	}
	f.req("Pipe.Connect", func(cb func(error)) error {
		return p.Connect(f.t.TempDir()+"/none", cb)
	}, func(error) { f.close(p) })
}

// udpTryFirst is setUDPTryFirst, whose per-loop state may fail to
// allocate too (it panics then: a test hook).
func (f *faultRun) udpTryFirst(on bool) bool {
	if catchPanic(func() { f.l.setUDPTryFirst(on) }) != nil {
		return f.ok("setUDPTryFirst", &Error{Op: "uvgo_udp_set_try_first", Code: ENOMEM})
	}
	return true
}

// faultUDP binds two receivers, one reading with recvmmsg (RecvStart
// allocates the loop's mmsg buffer), and sends one datagram to each from
// a third handle: a queued Send (the first try skipped), then from its
// callback a TrySend. Each receiver closes on its datagram.
func faultUDP(f *faultRun) {
	l := f.l
	lo := netip.MustParseAddrPort("127.0.0.1:0")
	recv := func(name string, flags UDPFlags) (*UDP, netip.AddrPort, bool) {
		u, err := NewUDPEx(l, flags)
		if !f.ok("NewUDPEx ("+name+")", err) {
			return nil, netip.AddrPort{}, false
		}
		if !f.ok("UDP.Bind ("+name+")", u.Bind(lo, 0)) {
			return nil, netip.AddrPort{}, false
		}
		addr, err := u.LocalAddr()
		if !f.ok("UDP.LocalAddr ("+name+")", err) {
			return nil, netip.AddrPort{}, false
		}
		ok := f.ok("UDP.RecvStart ("+name+")", u.RecvStart(func(p []byte, _ netip.AddrPort, _ UDPFlags, err error) {
			if len(p) > 0 || err != nil {
				f.close(u)
			}
		}))
		return u, addr, ok
	}
	_, a, ok := recv("plain", 0)
	if !ok {
		return
	}
	_, b, ok := recv("mmsg", syscall.AF_INET|UDPRecvMmsg)
	if !ok {
		return
	}
	cl, err := NewUDP(l)
	if !f.ok("NewUDP", err) {
		return
	}
	if !f.udpTryFirst(false) {
		return
	}
	f.req("UDP.Send", func(cb func(error)) error { return cl.Send([]byte("queued"), a, cb) }, func(err error) {
		if err == nil && f.udpTryFirst(true) {
			_, err := cl.TrySend([]byte("try"), b)
			f.ok("UDP.TrySend", err)
		}
		f.close(cl)
	})
}

// faultPoll watches both ends of a socketpair, one with NewSocketPoll,
// one with NewPoll, each closing once writable.
func faultPoll(f *faultRun) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(f.t, err)
	f.after = append(f.after, func() { syscall.Close(fds[0]); syscall.Close(fds[1]) })
	for i, mk := range []func(*Loop, int) (*Poll, error){NewSocketPoll, NewPoll} {
		p, err := mk(f.l, fds[i])
		if !f.ok("NewPoll", err) {
			return
		}
		if !f.ok("Poll.Start", p.Start(PollWritable, func(PollEvent, error) { f.close(p) })) {
			return
		}
	}
}

// faultFSWatch starts an FSEvent on a directory and an FSPoll on a file
// in it, then closes both.
func faultFSWatch(f *faultRun) {
	dir := f.t.TempDir()
	ev, err := NewFSEvent(f.l)
	if !f.ok("NewFSEvent", err) {
		return
	}
	if !f.ok("FSEvent.Start", ev.Start(dir, 0, func(string, FSEventKind, error) {})) {
		return
	}
	f.close(ev)
	fp, err := NewFSPoll(f.l)
	if !f.ok("NewFSPoll", err) {
		return
	}
	if !f.ok("FSPoll.Start", fp.Start(dir+"/file", time.Millisecond, func(_, _ Stat, _ error) {})) {
		return
	}
	f.close(fp)
}

// faultTTY opens a TTY on a pty's slave, which libuv reopens.
func faultTTY(f *faultRun) {
	master, _, slave := openPTY(f.t.(*testing.T), syscall.O_RDWR)
	f.after = append(f.after, func() { syscall.Close(slave); syscall.Close(master) })
	tty, err := NewTTY(f.l, slave, false)
	if !f.ok("NewTTY", err) {
		return
	}
	f.close(tty)
}

// faultSignal starts a Signal watcher and closes it.
func faultSignal(f *faultRun) {
	s, err := NewSignal(f.l)
	if !f.ok("NewSignal", err) {
		return
	}
	if !f.ok("Signal.Start", s.Start(syscall.SIGUSR2, func(*Signal, syscall.Signal) {})) {
		return
	}
	f.close(s)
}

// faultProcess spawns /bin/true and closes the Process when it exits.
func faultProcess(f *faultRun) {
	_, err := Spawn(f.l, &ProcessOptions{File: "/bin/true", OnExit: func(p *Process, _ int64, _ int) { f.close(p) }})
	f.ok("Spawn", err)
}

// faultFS runs a synchronous stat, then a chain of asynchronous requests
// on a new file: open, write, read, stat, close. A failed step closes the
// file at once.
func faultFS(f *faultRun) {
	l := f.l
	path := f.t.TempDir() + "/file"
	_, _, err := FSStat(l, f.t.TempDir(), nil)
	if !f.ok("FSStat (sync)", err) {
		return
	}
	buf := make([]byte, 8)
	fd := -1
	closeNow := func() {
		if fd >= 0 {
			syscall.Close(fd)
			fd = -1
		}
	}
	stepClose := func() {
		if !f.req("FSClose", func(cb func(error)) error { _, err := FSClose(l, fd, cb); return err }, nil) {
			closeNow()
		}
	}
	stepStat := func() {
		if !f.req("FSStat", func(cb func(error)) error {
			_, _, err := FSStat(l, path, func(_ Stat, err error) { cb(err) })
			return err
		}, func(error) { stepClose() }) {
			closeNow()
		}
	}
	stepRead := func() {
		if !f.req("FSRead", func(cb func(error)) error {
			_, _, err := FSRead(l, fd, buf, 0, func(_ int, err error) { cb(err) })
			return err
		}, func(error) { stepStat() }) {
			closeNow()
		}
	}
	f.req("FSOpen", func(cb func(error)) error {
		_, _, err := FSOpen(l, path, os.O_CREATE|os.O_RDWR, 0o600, func(n int, err error) {
			fd = n
			cb(err)
		})
		return err
	}, func(err error) {
		if err != nil {
			f.bad = append(f.bad, "FSOpen: "+err.Error())
			return
		}
		if !f.req("FSWrite", func(cb func(error)) error {
			_, _, err := FSWrite(l, fd, []byte("hello"), 0, func(_ int, err error) { cb(err) })
			return err
		}, func(error) { stepRead() }) {
			closeNow()
		}
	})
}

// faultReqs makes the other loop-level requests: a numeric GetAddrInfo,
// a GetNameInfo, a QueueWork and a Random.
func faultReqs(f *faultRun) {
	l := f.l
	if !f.req("GetAddrInfo", func(cb func(error)) error {
		_, err := GetAddrInfo(l, "127.0.0.1", "80", &AddrInfoHints{Flags: AINumericHost}, func(_ []AddrInfo, err error) { cb(err) })
		return err
	}, nil) {
		return
	}
	if !f.req("GetNameInfo", func(cb func(error)) error {
		_, err := GetNameInfo(l, netip.MustParseAddrPort("127.0.0.1:80"), NINumericHost|NINumericServ,
			func(_, _ string, err error) { cb(err) })
		return err
	}, nil) {
		return
	}
	if !f.req("QueueWork", func(cb func(error)) error { _, err := QueueWork(l, func() {}, cb); return err }, nil) {
		return
	}
	f.req("Random", func(cb func(error)) error { _, err := Random(l, make([]byte, 16), cb); return err }, nil)
}

// cbErr checks an error a callback got: nil, ENOMEM (an allocation made
// after the call returned) or one of want.
func (f *faultRun) cbErr(what string, err error, want ...Errno) {
	var e *Error
	switch {
	case err == nil:
	case errors.As(err, &e) && e.Code == ENOMEM, errors.Is(err, ENOMEM):
		f.enomem++
	default:
		for _, w := range want {
			if errors.Is(err, w) {
				return
			}
		}
		f.bad = append(f.bad, fmt.Sprintf("%s: callback got %v", what, err))
	}
}

// faultDir lists a directory with FSScandir, and reads it with FSOpendir,
// FSReaddir (two allocations: the request and the entries) and
// FSClosedir. A Dir left open by a failure is closed once faults are off.
func faultDir(f *faultRun) {
	l := f.l
	dir := f.t.TempDir()
	require.NoError(f.t, os.WriteFile(dir+"/a", nil, 0o600))
	if !f.req("FSScandir", func(cb func(error)) error {
		_, _, err := FSScandir(l, dir, func(_ []DirEnt, err error) { cb(err) })
		return err
	}, func(err error) { f.cbErr("FSScandir", err) }) {
		return
	}
	var d *Dir
	f.undo = append(f.undo, func() {
		if d != nil {
			_, err := FSClosedir(l, d, nil)
			assert.NoError(f.t, err, "FSClosedir (undo)")
		}
	})
	f.req("FSOpendir", func(cb func(error)) error {
		_, _, err := FSOpendir(l, dir, func(dd *Dir, err error) {
			d = dd
			cb(err)
		})
		return err
	}, func(err error) {
		f.cbErr("FSOpendir", err)
		if err != nil {
			return
		}
		f.req("FSReaddir", func(cb func(error)) error {
			_, _, err := FSReaddir(l, d, 4, func(_ []DirEnt, err error) { cb(err) })
			return err
		}, func(err error) {
			f.cbErr("FSReaddir", err)
			f.req("FSClosedir", func(cb func(error)) error {
				_, err := FSClosedir(l, d, cb)
				return err
			}, func(err error) {
				f.cbErr("FSClosedir", err)
				if err == nil {
					d = nil
				}
			})
		})
	})
}

// faultConnectRenew connects to two addresses in turn as ConnectHost does
// with a name's addresses (through its dial, to give it the addresses): the
// first refuses (a bound socket that does not listen), so the handle's C
// side is replaced (uvgo_tcp_renew allocates) before the second, a
// listener, accepts.
func faultConnectRenew(f *faultRun) {
	l := f.l
	lo := netip.MustParseAddrPort("127.0.0.1:0")
	refuser, err := NewTCP(l)
	if !f.ok("NewTCP (refuser)", err) || !f.ok("Bind (refuser)", refuser.Bind(lo, 0)) {
		return
	}
	refused, err := refuser.LocalAddr()
	if !f.ok("LocalAddr (refuser)", err) {
		return
	}
	srv, err := NewTCP(l)
	if !f.ok("NewTCP", err) || !f.ok("Bind", srv.Bind(lo, 0)) {
		return
	}
	addr, err := srv.LocalAddr()
	if !f.ok("LocalAddr", err) {
		return
	}
	if !f.ok("Listen", srv.Listen(8, func(error) {})) {
		return
	}
	cl, err := NewTCP(l)
	if !f.ok("NewTCP (client)", err) {
		return
	}
	f.req("dial", func(cb func(error)) error {
		cl.dial([]netip.AddrPort{refused, addr}, nil, false, cb)
		return nil
	}, func(err error) {
		f.cbErr("dial", err)
		f.abort()
	})
}

// runFault runs sc once with the fault armed as given (setAllocFault),
// loop creation included, and checks the outcome. It returns how many
// allocations the run made.
func runFault(t *testing.T, sc faultScenario, n int64, after bool) (count int64) {
	t.Helper()
	f := &faultRun{t: t}
	what := fmt.Sprintf("%s, allocation %d fails", sc.name, n)
	if after {
		what += " and every one after"
	}
	setAllocFault(n, after)
	defer setAllocFault(0, false)
	l, err := NewLoop()
	if err != nil {
		failed, count := allocFailed(), allocCount()
		setAllocFault(0, false)
		var e *Error
		assert.True(t, errors.As(err, &e) && e.Code == ENOMEM, "%s: NewLoop: %v", what, err)
		assert.NotZero(t, failed, "%s: NewLoop failed without a failed allocation", what)
		return count
	}
	f.l = l
	sc.run(f)
	runLoop(t, l, RunDefault)
	failed, count := allocFailed(), allocCount()
	setAllocFault(0, false)
	for _, fn := range f.undo {
		fn()
	}
	closeLoop(t, l) // empty tables, Loop.Close() == nil
	for _, fn := range f.after {
		fn()
	}
	assert.Empty(t, f.bad, what)
	assert.Equal(t, f.owed, f.paid, "%s: callbacks owed and run", what)
	if failed > 0 {
		assert.NotZero(t, f.enomem, "%s: %d allocations failed but no call returned ENOMEM", what, failed)
	}
	return count
}

func TestAllocFaultSweep(t *testing.T) {
	require.True(t, DebugBuild)
	for _, sc := range faultScenarios {
		t.Run(sc.name, func(t *testing.T) {
			n := runFault(t, sc, -1, false)
			require.NotZero(t, n, "the scenario allocates nothing")
			t.Logf("%s: %d allocations", sc.name, n)
			// The count may vary a little between runs (how much of a
			// write the socket takes at once): sweep a few past it.
			for i := int64(1); i <= n+2; i++ {
				runFault(t, sc, i, false)
				runFault(t, sc, i, true)
			}
		})
	}
}

// The hook itself: the Nth allocation fails, once or from then on.
func TestAllocFaultHook(t *testing.T) {
	setAllocFault(1, false)
	_, err := NewLoop()
	setAllocFault(0, false)
	assert.ErrorIs(t, err, syscall.ENOMEM)
	l := newLoop(t)
	setAllocFault(2, true)
	_, err1 := NewTimer(l)
	_, err2 := NewTimer(l)
	_, err3 := NewIdle(l)
	setAllocFault(0, false)
	assert.NoError(t, err1)
	assert.ErrorIs(t, err2, ENOMEM)
	assert.ErrorIs(t, err3, ENOMEM)
	var e *Error
	require.ErrorAs(t, err2, &e)
	assert.Equal(t, "uv_timer_init", e.Op)
}
