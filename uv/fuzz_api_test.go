package uv

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime/debug"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzAPI drives a loop with a sequence of operations decoded from the
// input, two bytes each (an operation and its argument), on two timers,
// two idles, two asyncs and a connected TCP pair with its listener: start,
// stop, again, set repeat, close, close reset, ref and unref, write, writev,
// read start and stop, shutdown, run once (RunNoWait, or RunOnce with a
// 1 ms guard timer so it never blocks long), async send and post, and
// timers and writes whose callbacks make one more such call, Loop.Stop
// and Loop.Walk (closing a handle on the way); on a bound UDP pair send
// (queued or tried first), try-send, recv start and stop, close; and fs
// requests on a temporary file: async stat, open and close, and cancel
// of the last request. Calls may
// fail (a write on the listener, a start on a closed timer): what counts
// is what happens around them. After the sequence every handle is closed
// and the loop run to the end; then:
//   - no call panicked, no callback panicked (Run would re-raise it);
//   - no timer, idle, async or read callback ran after its handle's Close,
//     no callback at all after its handle's close callback;
//   - every callback owed by a call that succeeded (write, writev,
//     shutdown, close, connect, UDP send, fs request) and every posted
//     function ran exactly once;
//   - the loop's tables are empty and Loop.Close() == nil (closeLoop).
//
// The seed corpus is in testdata/fuzz/FuzzAPI; `make fuzz` fuzzes.
func FuzzAPI(f *testing.F) {
	f.Add([]byte{0, 1, 10, 0, 11, 0, 1, 0, 3, 0})
	f.Add([]byte{6, 0, 6, 1, 7, 1, 10, 0, 9, 0, 11, 0, 7, 0, 11, 0})
	f.Add([]byte{6, 0x81, 15, 0x81, 3, 7, 11, 0, 11, 0, 16, 1})
	f.Add([]byte{13, 0, 13, 1, 14, 0, 14, 1, 12, 0, 10, 0, 3, 4, 3, 2, 11, 0})
	f.Add([]byte{0, 0x12, 17, 1, 2, 0, 4, 0, 5, 1, 11, 0, 1, 1, 2, 1, 3, 0})
	f.Add([]byte{24, 0, 24, 1, 22, 0, 22, 1, 23, 1, 26, 0, 22, 5, 11, 0, 11, 0, 25, 0, 23, 0, 3, 9})
	f.Add([]byte{27, 1, 27, 0, 28, 0, 27, 1, 10, 0, 11, 0, 27, 2, 28, 0, 11, 0, 27, 2})
	f.Fuzz(fuzzAPIRun)
}

// fuzzAPIRun runs one input of FuzzAPI.
func fuzzAPIRun(t *testing.T, data []byte) {
	{
		if len(data) > 256 {
			data = data[:256]
		}
		hung := time.AfterFunc(8*time.Second, func() {
			debug.SetTraceback("all")
			panic(fmt.Sprintf("FuzzAPI: input %x hung", data))
		})
		defer hung.Stop()
		fz := newFuzzAPI(t)
		for i := 0; i+1 < len(data); i += 2 {
			fz.op(data[i], data[i+1])
		}
		fz.finish()
	}
}

// fuzzHandle is what the fuzzer knows of one handle.
type fuzzHandle struct {
	h        Handle
	closeReq bool // Close or CloseReset succeeded
	closed   bool // its close callback ran
}

type fuzzAPI struct {
	t       *testing.T
	l       *Loop
	hs      []*fuzzHandle // timers 0-1, idles 2-3, asyncs 4-5, client 6, server 7, listener 8, UDP 9-10
	udpAddr [2]netip.AddrPort
	path    string // a file for the fs requests
	fds     []int  // open, and not being closed
	lastReq *Req   // the last fs request made
	guard   *Timer
	bad     []string
	owed    int
	paid    int
	posted  int
	ranPost int
	payload []byte
	running bool // inside run
}

const (
	fzTimer0  = 0
	fzIdle0   = 2
	fzAsync0  = 4
	fzStream0 = 6 // client, server, listener
	fzUDP0    = 9
	fzOps     = 29 // operations
)

func newFuzzAPI(t *testing.T) *fuzzAPI {
	fz := &fuzzAPI{t: t, l: newLoop(t), payload: bytes.Repeat([]byte("0123456789abcdef"), 1<<14)}
	l := fz.l
	for range 2 {
		tm, err := NewTimer(l)
		require.NoError(t, err)
		fz.hs = append(fz.hs, &fuzzHandle{h: tm})
	}
	for range 2 {
		id, err := NewIdle(l)
		require.NoError(t, err)
		fz.hs = append(fz.hs, &fuzzHandle{h: id})
	}
	for i := range 2 {
		i := fzAsync0 + i
		a, err := NewAsync(l, func(*Async) { fz.cb(i, false, "async") })
		require.NoError(t, err)
		fz.hs = append(fz.hs, &fuzzHandle{h: a})
	}
	lis, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, lis.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	srv, err := NewTCP(l)
	require.NoError(t, err)
	accepted := false
	require.NoError(t, lis.Listen(8, func(err error) {
		if err == nil && !accepted {
			accepted = true
			if e := lis.Accept(srv); e != nil {
				fz.fail("Accept: %v", e)
			}
		}
	}))
	addr, err := lis.LocalAddr()
	require.NoError(t, err)
	cl, err := NewTCP(l)
	require.NoError(t, err)
	fz.hs = append(fz.hs, &fuzzHandle{h: cl}, &fuzzHandle{h: srv}, &fuzzHandle{h: lis})
	connected := false
	require.True(t, fz.req(fzStream0, "Connect", func(cb func(error)) error { return cl.Connect(addr, cb) }, func(err error) {
		if err != nil {
			fz.fail("Connect: %v", err)
		}
		connected = true
	}))
	for i := range 2 {
		u, err := NewUDP(l)
		require.NoError(t, err)
		require.NoError(t, u.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
		fz.udpAddr[i], err = u.LocalAddr()
		require.NoError(t, err)
		fz.hs = append(fz.hs, &fuzzHandle{h: u})
	}
	fz.path = t.TempDir() + "/file"
	require.NoError(t, os.WriteFile(fz.path, []byte("fuzz"), 0o600))
	guard, err := NewTimer(l)
	require.NoError(t, err)
	fz.guard = guard
	require.NoError(t, guard.Start(watchdogTimeout, 0, func(*Timer) { fz.fail("setup timed out") }))
	for !(connected && accepted) && len(fz.bad) == 0 {
		runLoop(t, l, RunOnce)
	}
	require.NoError(t, guard.Stop())
	require.Empty(t, fz.bad)
	return fz
}

func (fz *fuzzAPI) fail(format string, args ...any) {
	fz.bad = append(fz.bad, fmt.Sprintf(format, args...))
}

// cb records a callback of handle i; stopping says it is one that must
// not run once Close was called (timer, idle, async, read).
func (fz *fuzzAPI) cb(i int, stopping bool, what string) {
	h := fz.hs[i]
	switch {
	case h.closed:
		fz.fail("%s callback of handle %d after its close callback", what, i)
	case stopping && h.closeReq:
		fz.fail("%s callback of handle %d after Close", what, i)
	}
}

// req makes a call that owes its callback once when it succeeds; then
// runs in the callback.
func (fz *fuzzAPI) req(i int, what string, call func(cb func(error)) error, then func(error)) bool {
	n := 0
	err := call(func(err error) {
		n++
		fz.paid++
		if n > 1 {
			fz.fail("%s callback of handle %d ran %d times", what, i, n)
		}
		fz.cb(i, false, what)
		if then != nil {
			then(err)
		}
	})
	if err == nil {
		fz.owed++
	}
	return err == nil
}

func (fz *fuzzAPI) close(i int, reset bool) {
	h := fz.hs[i]
	ok := fz.req(i, "close", func(cb func(error)) error {
		done := func() { cb(nil); h.closed = true }
		if reset {
			return h.h.(*TCP).CloseReset(done)
		}
		return h.h.Close(done)
	}, nil)
	if ok {
		h.closeReq = true
	}
}

// op runs one operation; arg picks the handle and parameters.
func (fz *fuzzAPI) op(code, arg byte) {
	defer func() {
		if v := recover(); v != nil {
			fz.fail("op %d arg %d panicked: %v", code, arg, v)
		}
	}()
	ti := fzTimer0 + int(arg&1)
	tm := fz.hs[ti].h.(*Timer)
	ii := fzIdle0 + int(arg&1)
	idle := fz.hs[ii].h.(*Idle)
	ai := fzAsync0 + int(arg&1)
	si := fzStream0 + int(arg&0x7f)%3
	st := fz.hs[si].h.(*TCP)
	hi := int(arg) % len(fz.hs)
	ui := fzUDP0 + int(arg&1)
	udp := fz.hs[ui].h.(*UDP)
	switch code % fzOps {
	case 0:
		tm.Start(time.Duration(arg>>1&3)*time.Millisecond, time.Duration(arg>>3&1)*time.Millisecond,
			func(*Timer) { fz.cb(ti, true, "timer") })
	case 1:
		tm.Stop()
	case 2:
		tm.Again()
	case 3:
		fz.close(hi, false)
	case 4:
		if !fz.hs[hi].closed {
			fz.hs[hi].h.Ref()
		}
	case 5:
		if !fz.hs[hi].closed {
			fz.hs[hi].h.Unref()
		}
	case 6, 15:
		p := fz.payload[:1+int(arg>>5)]
		if arg&0x80 != 0 {
			p = fz.payload // 256 KiB: the socket does not take it all
		}
		if code%fzOps == 6 {
			fz.req(si, "write", func(cb func(error)) error { return st.Write(p, cb) }, nil)
		} else {
			fz.req(si, "writev", func(cb func(error)) error { return st.WriteV([][]byte{p, nil, p[:1]}, cb) }, nil)
		}
	case 7:
		st.ReadStart(func(p []byte, err error) { fz.cb(si, true, "read") })
	case 8:
		st.ReadStop()
	case 9:
		fz.req(si, "shutdown", st.Shutdown, nil)
	case 10:
		fz.run(RunNoWait)
	case 11:
		fz.run(RunOnce)
	case 12:
		fz.posted++
		if err := fz.l.Post(func() { fz.ranPost++ }); err != nil {
			fz.fail("Post: %v", err)
		}
	case 13:
		if arg&2 == 0 {
			idle.Start(func(*Idle) { fz.cb(ii, true, "idle") })
		} else {
			idle.Stop()
		}
	case 14:
		fz.hs[ai].h.(*Async).Send()
	case 16:
		fz.close(si, true)
	case 17:
		if !fz.hs[ti].closed {
			tm.SetRepeat(time.Duration(arg>>1&3) * time.Millisecond)
		}
	case 18: // a one-shot timer whose callback makes another call
		inner, innerArg := arg*7%18, arg^0x5a
		tm.Start(time.Duration(arg>>1&1)*time.Millisecond, 0, func(*Timer) {
			fz.cb(ti, true, "timer")
			fz.op(inner, innerArg)
		})
	case 19: // a write whose callback makes another call
		inner, innerArg := arg*5%18, arg^0xa5
		fz.req(si, "write", func(cb func(error)) error { return st.Write(fz.payload[:1+int(arg)], cb) },
			func(error) { fz.op(inner, innerArg) })
	case 20:
		fz.l.Stop()
	case 21: // walk, closing the handle arg picks when it comes by
		fz.l.Walk(func(h Handle) {
			h.IsActive()
			h.HasRef()
			if h == fz.hs[hi].h && arg&0x80 != 0 {
				fz.close(hi, false)
			}
		})
	case 22: // send to the other UDP handle
		p := fz.payload[:int(arg>>2)]
		fz.req(ui, "udp send", func(cb func(error)) error { return udp.Send(p, fz.udpAddr[1-arg&1], cb) }, nil)
	case 23:
		udp.TrySend(fz.payload[:int(arg>>2)], fz.udpAddr[1-arg&1])
	case 24:
		udp.RecvStart(func([]byte, netip.AddrPort, UDPFlags, error) { fz.cb(ui, true, "udp recv") })
	case 25:
		udp.RecvStop()
	case 26: // Send tries at once, or queues
		fz.l.setUDPTryFirst(arg&1 != 0)
	case 27:
		fz.fsOp(arg)
	case 28:
		if fz.lastReq != nil {
			fz.lastReq.Cancel()
		}
	}
}

// fsOp makes an fs request on the file, picked by arg: stat, open, or
// close of a descriptor an open gave.
func (fz *fuzzAPI) fsOp(arg byte) {
	var r *Req
	switch arg % 3 {
	case 0:
		fz.fsReq("fs stat", func(cb func(error)) error {
			var err error
			_, r, err = FSStat(fz.l, fz.path, func(_ Stat, err error) { cb(err) })
			return err
		}, nil)
	case 1:
		fz.fsReq("fs open", func(cb func(error)) error {
			var err error
			_, r, err = FSOpen(fz.l, fz.path, os.O_RDONLY, 0, func(fd int, err error) {
				if err == nil {
					fz.fds = append(fz.fds, fd)
				}
				cb(err)
			})
			return err
		}, nil)
	case 2:
		if len(fz.fds) == 0 {
			return
		}
		fd := fz.fds[len(fz.fds)-1]
		fz.fds = fz.fds[:len(fz.fds)-1]
		if !fz.fsReq("fs close", func(cb func(error)) error {
			var err error
			r, err = FSClose(fz.l, fd, cb)
			return err
		}, func(err error) {
			if errors.Is(err, ECANCELED) {
				fz.fds = append(fz.fds, fd) // still open
			}
		}) {
			fz.fds = append(fz.fds, fd)
		}
	}
	if r != nil {
		fz.lastReq = r
	}
}

// fsReq is req for a request of no handle: its callback may run after
// any handle's close (ECANCELED when cancelled), once.
func (fz *fuzzAPI) fsReq(what string, call func(cb func(error)) error, then func(error)) bool {
	n := 0
	err := call(func(err error) {
		n++
		fz.paid++
		if n > 1 {
			fz.fail("%s callback ran %d times", what, n)
		}
		if err != nil && !errors.Is(err, ECANCELED) {
			fz.fail("%s: %v", what, err)
		}
		if then != nil {
			then(err)
		}
	})
	if err == nil {
		fz.owed++
	} else {
		fz.fail("%s: %v", what, err)
	}
	return err == nil
}

// run runs the loop once; RunOnce gets a 1 ms guard timer so that it
// never blocks long. The guard repeats: uv_run first refreshes the loop's
// time, and when that time had gone stale by a millisecond or more a
// one-shot guard would fire before the poll, which would then block
// without a timeout (the first hang FuzzAPI found, in this harness).
func (fz *fuzzAPI) run(mode RunMode) {
	if fz.running { // from a callback: uv_run is not reentrant
		if _, err := fz.l.Run(mode); err != ErrRunning {
			fz.fail("Run from a callback: %v, want ErrRunning", err)
		}
		return
	}
	fz.running = true
	defer func() { fz.running = false }()
	if mode == RunOnce {
		fz.guard.Start(time.Millisecond, time.Millisecond, func(*Timer) {})
	}
	v := catchPanic(func() { fz.l.Run(mode) })
	if v != nil {
		fz.fail("Run panicked: %v", v)
	}
	fz.guard.Stop()
}

// finish closes every handle, runs the loop to the end and checks.
func (fz *fuzzAPI) finish() {
	t := fz.t
	for i, h := range fz.hs {
		if !h.h.IsClosing() {
			fz.close(i, false)
		}
	}
	fz.guard.Close(nil)
	// A pending Stop makes the first Run return at once.
	for range 2 {
		v := catchPanic(func() { runLoop(t, fz.l, RunDefault) })
		assert.Nil(t, v, "Run panicked")
	}
	for i, h := range fz.hs {
		assert.True(t, h.closed, "handle %d not closed", i)
	}
	assert.Empty(t, fz.bad)
	assert.Equal(t, fz.owed, fz.paid, "callbacks owed and run")
	assert.Equal(t, fz.posted, fz.ranPost, "posted functions run")
	for _, fd := range fz.fds {
		assert.NoError(t, syscall.Close(fd), "close fd %d an fs open gave", fd)
	}
	closeLoop(t, fz.l)
}
