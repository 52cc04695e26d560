//go:build uvdebug

package uv

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
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
// To cover a new call that allocates (UDP Send, fs requests...), add a
// scenario to faultScenarios: make the calls through f.ok / f.req, call
// f.abort on a failure so that the loop ends.

// faultRun is one run of a scenario.
type faultRun struct {
	t      testing.TB
	l      *Loop
	bad    []string // unexpected results
	enomem int      // ENOMEM *Errors seen
	owed   int      // callbacks owed by calls that succeeded
	paid   int      // callbacks run
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

type faultScenario struct {
	name string
	run  func(f *faultRun)
}

var faultScenarios = []faultScenario{
	{"handles", faultHandles},
	{"tcp", faultTCP},
	{"pipe", faultPipe},
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
	closeLoop(t, l) // empty tables, Loop.Close() == nil
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
