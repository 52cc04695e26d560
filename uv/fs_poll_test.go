package uv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fsPollInterval is the tests' polling interval: libuv's tests use 100 ms.
const fsPollInterval = 20 * time.Millisecond

// growFile rewrites name one byte longer each time (libuv's touch_file in
// test-fs-poll.c): the size changes even when the mtime cannot. It writes
// a new file and renames it over the old one, so that a stat running on
// the thread pool meanwhile never sees it empty.
type growFile struct {
	t    testing.TB
	name string
	n    int
}

func (g *growFile) touch() {
	g.n++
	tmp := g.name + ".tmp"
	assert.NoError(g.t, os.WriteFile(tmp, []byte(strings.Repeat("*", g.n)), 0o600))
	assert.NoError(g.t, os.Rename(tmp, g.name))
}

// fsPollCall is one FSPoll callback.
type fsPollCall struct {
	prev, curr Stat
	err        error
}

// fsPollCalls records callbacks.
type fsPollCalls struct{ got []fsPollCall }

func (r *fsPollCalls) cb(prev, curr Stat, err error) {
	r.got = append(r.got, fsPollCall{prev, curr, err})
}

// fs_poll (test-fs-poll.c): a path that does not exist, then is created,
// changed twice (once soon, once after several unchanged polls), then
// removed: five callbacks with the right stats and errors.
func TestFSPoll(t *testing.T) {
	l := newLoop(t)
	g := &growFile{t: t, name: filepath.Join(t.TempDir(), "testfile")}
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var ticks counter
	touch := func(*Timer) { g.touch(); ticks.inc() }

	p, err := NewFSPoll(l)
	require.NoError(t, err)
	var got []fsPollCall
	var active []bool
	var closed counter
	require.NoError(t, p.Start(g.name, fsPollInterval, func(prev, curr Stat, err error) {
		got = append(got, fsPollCall{prev, curr, err})
		active = append(active, p.IsActive())
		switch len(got) {
		case 1:
			g.touch()
		case 2:
			assert.NoError(t, tm.Start(5*time.Millisecond, 0, touch))
		case 3:
			// Longer than the interval: polls that see no change make no
			// callback.
			assert.NoError(t, tm.Start(5*fsPollInterval/2, 0, touch))
		case 4:
			assert.NoError(t, os.Remove(g.name))
		case 5:
			p.Close(closed.inc)
			tm.Close(nil)
		}
	}))
	assert.False(t, runLoop(t, l, RunDefault))

	assert.Equal(t, 2, ticks.n)
	assert.Equal(t, 1, closed.n)
	require.Len(t, got, 5)
	for i, a := range active {
		assert.True(t, a, "callback %d: active", i)
	}
	zero := Stat{}
	assert.ErrorIs(t, got[0].err, ENOENT)
	assert.ErrorIs(t, got[0].err, os.ErrNotExist)
	assert.Equal(t, zero, got[0].prev)
	assert.Equal(t, zero, got[0].curr)

	assert.NoError(t, got[1].err)
	assert.Equal(t, zero, got[1].prev)
	assert.NotEqual(t, zero, got[1].curr)
	assert.EqualValues(t, 1, got[1].curr.Size)
	assert.True(t, got[1].curr.Mode.IsRegular())

	for i := 2; i <= 3; i++ {
		assert.NoError(t, got[i].err)
		assert.Equal(t, got[i-1].curr, got[i].prev, "callback %d: prev is the last curr", i)
		assert.EqualValues(t, i, got[i].curr.Size)
	}

	assert.ErrorIs(t, got[4].err, ENOENT)
	assert.Equal(t, got[3].curr, got[4].prev)
	assert.Equal(t, zero, got[4].curr)
}

// fs_poll_getpath (test-fs-poll.c): Path is EINVAL until started, then the
// path as given.
func TestFSPollGetpath(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "testfile")
	p, err := NewFSPoll(l)
	require.NoError(t, err)
	_, err = p.Path()
	var ue *Error
	if assert.ErrorAs(t, err, &ue) {
		assert.Equal(t, EINVAL, ue.Code)
		assert.Equal(t, "uv_fs_poll_getpath", ue.Op)
	}
	var calls fsPollCalls
	require.NoError(t, p.Start(name, 100*time.Millisecond, calls.cb))
	got, err := p.Path()
	assert.NoError(t, err)
	assert.Equal(t, name, got)
	var closed counter
	require.NoError(t, p.Close(closed.inc))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, closed.n)
	assert.Empty(t, calls.got)
}

// runUntilClosed is libuv's `while (close_cb_called == 0) uv_run(ONCE)`.
func runUntilClosed(t *testing.T, l *Loop, closed *counter) {
	t.Helper()
	for i := 0; closed.n == 0 && i < 1000; i++ {
		runLoop(t, l, RunOnce)
	}
	assert.Equal(t, 1, closed.n)
}

// fs_poll_close_request (test-fs-poll.c): closing while the first stat is
// on the thread pool; the loop then closes (newLoop's cleanup).
func TestFSPollCloseRequest(t *testing.T) {
	l := newLoop(t)
	p, err := NewFSPoll(l)
	require.NoError(t, err)
	var calls fsPollCalls
	require.NoError(t, p.Start(filepath.Join(t.TempDir(), "testfile"), 100*time.Millisecond, calls.cb))
	var closed counter
	require.NoError(t, p.Close(closed.inc))
	runUntilClosed(t, l, &closed)
	assert.Empty(t, calls.got)
}

// fs_poll_close_request_multi_start_stop (test-fs-poll.c): ten starts and
// stops, each leaving a stat in flight, then Close.
func TestFSPollCloseRequestMultiStartStop(t *testing.T) {
	l := newLoop(t)
	p, err := NewFSPoll(l)
	require.NoError(t, err)
	var calls fsPollCalls
	name := filepath.Join(t.TempDir(), "testfile")
	for range 10 {
		require.NoError(t, p.Start(name, 100*time.Millisecond, calls.cb))
		require.NoError(t, p.Stop())
	}
	var closed counter
	require.NoError(t, p.Close(closed.inc))
	runUntilClosed(t, l, &closed)
	assert.Empty(t, calls.got)
}

// fs_poll_close_request_multi_stop_start (test-fs-poll.c): the same,
// stopping first.
func TestFSPollCloseRequestMultiStopStart(t *testing.T) {
	l := newLoop(t)
	p, err := NewFSPoll(l)
	require.NoError(t, err)
	var calls fsPollCalls
	name := filepath.Join(t.TempDir(), "testfile")
	for range 10 {
		require.NoError(t, p.Stop())
		require.NoError(t, p.Start(name, 100*time.Millisecond, calls.cb))
	}
	var closed counter
	require.NoError(t, p.Close(closed.inc))
	runUntilClosed(t, l, &closed)
	assert.Empty(t, calls.got)
}

// fs_poll_close_request_stop_when_active (test-fs-poll.c, libuv issue
// 2287): Stop while the timer between two stats is active, then Close.
func TestFSPollCloseRequestStopWhenActive(t *testing.T) {
	l := newLoop(t)
	p, err := NewFSPoll(l)
	require.NoError(t, err)
	var calls fsPollCalls
	require.NoError(t, p.Start(filepath.Join(t.TempDir(), "testfile"), 100*time.Millisecond, calls.cb))
	runLoop(t, l, RunOnce)
	require.NoError(t, p.Stop())
	runLoop(t, l, RunOnce)
	var closed counter
	require.NoError(t, p.Close(closed.inc))
	runUntilClosed(t, l, &closed)
	// The first stat's ENOENT may have been reported before Stop.
	for _, c := range calls.got {
		assert.ErrorIs(t, c.err, ENOENT)
	}
}

// fs_poll_ref (test-ref.c): an unreferenced FSPoll does not keep the loop
// alive (the first stat, a request, does until it is done, and is not
// reported since it succeeds).
func TestFSPollRef(t *testing.T) {
	l := newLoop(t)
	p, err := NewFSPoll(l)
	require.NoError(t, err)
	var calls fsPollCalls
	require.NoError(t, p.Start(t.TempDir(), 999*time.Millisecond, calls.cb))
	p.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	doClose(t, p)
	assert.Empty(t, calls.got)
}

// Misuse and bad input: nil callback, negative interval, empty path, a
// NUL byte, Start on an active handle, closing and closed handles.
func TestFSPollMisuse(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	p, err := NewFSPoll(l)
	require.NoError(t, err)
	var calls fsPollCalls
	for _, c := range []struct {
		path     string
		interval time.Duration
		cb       func(prev, curr Stat, err error)
		code     Errno
	}{
		{dir, time.Second, nil, EINVAL},
		{dir, -time.Second, calls.cb, EINVAL},
		{"", time.Second, calls.cb, ENOENT},
		{dir + "/x\x00y", time.Second, calls.cb, EINVAL},
	} {
		var ue *Error
		if assert.ErrorAs(t, p.Start(c.path, c.interval, c.cb), &ue, "%q", c.path) {
			assert.Equal(t, "uv_fs_poll_start", ue.Op)
			assert.Equal(t, c.path, ue.Path)
			assert.Equal(t, c.code, ue.Code, "%q", c.path)
		}
		assert.False(t, p.IsActive())
	}
	assert.NoError(t, p.Stop(), "Stop on a stopped handle")

	require.NoError(t, p.Start(dir, time.Second, calls.cb))
	// As in libuv, Start on an active handle does nothing.
	require.NoError(t, p.Start(filepath.Join(dir, "other"), time.Second, calls.cb))
	got, err := p.Path()
	assert.NoError(t, err)
	assert.Equal(t, dir, got)

	require.NoError(t, p.Close(nil))
	assert.ErrorIs(t, p.Start(dir, time.Second, calls.cb), EINVAL, "closing")
	assert.NoError(t, p.Stop(), "Stop on a closing handle")
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, p.Start(dir, time.Second, calls.cb), ErrClosed)
	assert.ErrorIs(t, p.Stop(), ErrClosed)
	_, err = p.Path()
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, p.Close(nil), ErrClosed)
	assert.Equal(t, TypeFSPoll, p.Type())
	assert.Empty(t, calls.got)
}

func panicFSPollCB(prev, curr Stat, err error) { panic("fs_poll boom") }

// A panicking FSPoll callback is contained: Run re-panics with it.
func TestPanicFSPoll(t *testing.T) {
	l := newLoop(t)
	p, err := NewFSPoll(l)
	require.NoError(t, err)
	require.NoError(t, p.Start(filepath.Join(t.TempDir(), "missing"), fsPollInterval, panicFSPollCB))
	checkPanic(t, runPanic(t, l, RunDefault), "fs_poll boom", "panicFSPollCB")
	doClose(t, p)
}
