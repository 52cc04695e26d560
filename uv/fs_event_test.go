package uv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createFile creates an empty file (libuv's create_file); touchFile
// writes to an existing one (touch_file). Both record a failure with
// assert, so that callbacks may call them.
func createFile(t testing.TB, name string) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o600)
	if assert.NoError(t, err) {
		assert.NoError(t, f.Close())
	}
}

func touchFile(t testing.TB, name string) {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if assert.NoError(t, err) {
		_, err = f.Write([]byte("foo"))
		assert.NoError(t, err)
		assert.NoError(t, f.Close())
	}
}

// fsEvent is one callback of an FSEvent.
type fsEvent struct {
	name   string
	events FSEventKind
	err    error
}

// fsEvents records callbacks.
type fsEvents struct{ got []fsEvent }

func (r *fsEvents) cb(name string, events FSEventKind, err error) {
	r.got = append(r.got, fsEvent{name, events, err})
}

func startFSEvent(t testing.TB, l *Loop, path string, cb func(string, FSEventKind, error)) *FSEvent {
	t.Helper()
	e, err := NewFSEvent(l)
	require.NoError(t, err)
	require.NoError(t, e.Start(path, 0, cb))
	assert.True(t, e.IsActive())
	return e
}

// fs_event_watch_dir (test-fs-event.c): files created then removed one per
// loop iteration in a watched directory come as one event each, named
// after the file.
func TestFSEventWatchDir(t *testing.T) {
	const files = 16
	l := newLoop(t)
	dir := t.TempDir()
	name := func(i int) string { return fmt.Sprintf("fsevent-%d", i) }

	var got []fsEvent
	var created, removed int
	var closed counter
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var remove func(*Timer)
	remove = func(tm *Timer) {
		assert.NoError(t, os.Remove(filepath.Join(dir, name(removed))))
		if removed++; removed < files {
			assert.NoError(t, tm.Start(time.Millisecond, 0, remove))
		}
	}
	var w *FSEvent
	w = startFSEvent(t, l, dir, func(n string, ev FSEventKind, err error) {
		got = append(got, fsEvent{n, ev, err})
		switch len(got) {
		case files:
			assert.NoError(t, tm.Start(time.Millisecond, 0, remove))
		case 2 * files:
			tm.Close(closed.inc)
			w.Close(closed.inc)
		}
	})
	var create func(*Timer)
	create = func(tm *Timer) {
		createFile(t, filepath.Join(dir, name(created)))
		if created++; created < files {
			assert.NoError(t, tm.Start(time.Millisecond, 0, create))
		}
	}
	require.NoError(t, tm.Start(time.Millisecond, 0, create))

	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, files, created)
	assert.Equal(t, files, removed)
	assert.Equal(t, 2, closed.n)
	require.Len(t, got, 2*files)
	for i, e := range got {
		assert.NoError(t, e.err)
		assert.Equal(t, FSEventRename, e.events, "event %d %s", i, e.name)
		assert.Equal(t, name(i%files), e.name)
	}
}

// fs_event_watch_file (test-fs-event.c): watching a file reports changes
// to it, named after it, and not those of its neighbour.
func TestFSEventWatchFile(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	file1, file2 := filepath.Join(dir, "file1"), filepath.Join(dir, "file2")
	createFile(t, file1)
	createFile(t, file2)

	var got []fsEvent
	var closed counter
	var w *FSEvent
	w = startFSEvent(t, l, file2, func(n string, ev FSEventKind, err error) {
		got = append(got, fsEvent{n, ev, err})
		assert.NoError(t, w.Stop())
		w.Close(closed.inc)
	})
	ticks := 0
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(5*time.Millisecond, 5*time.Millisecond, func(tm *Timer) {
		if ticks++; ticks == 1 {
			touchFile(t, file1)
		} else {
			touchFile(t, file2)
			tm.Close(closed.inc)
		}
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, []fsEvent{{"file2", FSEventChange, nil}}, got)
	assert.Equal(t, 2, ticks)
	assert.Equal(t, 2, closed.n)
}

// fs_event_watch_file_exact_path (test-fs-event.c): a watch on file.jsx
// sees nothing of file.js.
func TestFSEventWatchFileExactPath(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	js, jsx := filepath.Join(dir, "file.js"), filepath.Join(dir, "file.jsx")
	createFile(t, js)
	createFile(t, jsx)

	var fail fsEvents
	w := startFSEvent(t, l, jsx, fail.cb)
	ticks := 0
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(5*time.Millisecond, 5*time.Millisecond, func(tm *Timer) {
		if ticks++; ticks == 1 {
			touchFile(t, js)
		} else {
			tm.Close(nil)
			assert.NoError(t, w.Stop())
			w.Close(nil)
		}
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 2, ticks)
	assert.Empty(t, fail.got)
}

// fs_event_watch_file_twice (test-fs-event.c): two watchers on one file,
// closed together.
func TestFSEventWatchFileTwice(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(t.TempDir(), "empty_file")
	createFile(t, path)
	var fail fsEvents
	a := startFSEvent(t, l, path, fail.cb)
	b := startFSEvent(t, l, path, fail.cb)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(10*time.Millisecond, 0, func(tm *Timer) {
		a.Close(nil)
		b.Close(nil)
		tm.Close(nil)
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Empty(t, fail.got)
}

// fs_event_watch_file_current_dir (test-fs-event.c): a path relative to
// the current directory; the event names the file.
func TestFSEventWatchFileCurrentDir(t *testing.T) {
	l := newLoop(t)
	t.Chdir(t.TempDir())
	createFile(t, "watch_file")

	var got []fsEvent
	var closed counter
	var w *FSEvent
	w = startFSEvent(t, l, "watch_file", func(n string, ev FSEventKind, err error) {
		got = append(got, fsEvent{n, ev, err})
		if !w.IsClosing() {
			w.Close(closed.inc)
		}
	})
	var touched counter
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Millisecond, 0, func(tm *Timer) {
		tm.Close(nil)
		touchFile(t, "watch_file")
		touched.inc()
	}))
	assert.Zero(t, touched.n)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, touched.n)
	assert.Equal(t, []fsEvent{{"watch_file", FSEventChange, nil}}, got)
	assert.Equal(t, 1, closed.n)
}

// fs_event_watch_invalid_path (test-fs-event.c): paths that cannot be
// watched are an *Error naming the path, and leave the handle inactive.
func TestFSEventWatchInvalidPath(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	e, err := NewFSEvent(l)
	require.NoError(t, err)
	var fail fsEvents
	for _, c := range []struct {
		path string
		code Errno
	}{
		{filepath.Join(dir, "<:;"), ENOENT},
		{"", ENOENT},
		{filepath.Join(dir, "missing", "file"), ENOENT},
		{filepath.Join(dir, "x\x00y"), EINVAL},
		{filepath.Join(dir, strings.Repeat("n", 5000)), ENAMETOOLONG},
	} {
		err := e.Start(c.path, 0, fail.cb)
		var ue *Error
		if assert.ErrorAs(t, err, &ue, "%q", c.path) {
			assert.Equal(t, "uv_fs_event_start", ue.Op)
			assert.Equal(t, c.path, ue.Path)
			assert.Equal(t, c.code, ue.Code, "%q", c.path)
		}
		assert.False(t, e.IsActive())
	}
	assert.ErrorIs(t, e.Start(filepath.Join(dir, "missing"), 0, fail.cb), os.ErrNotExist)
	doClose(t, e)
	assert.Empty(t, fail.got)
}

// fs_event_no_callback_after_close (test-fs-event.c): a change made after
// Close is not reported.
func TestFSEventNoCallbackAfterClose(t *testing.T) {
	l := newLoop(t)
	file := filepath.Join(t.TempDir(), "file1")
	createFile(t, file)
	var fail fsEvents
	w := startFSEvent(t, l, file, fail.cb)
	var closed counter
	require.NoError(t, w.Close(closed.inc))
	touchFile(t, file)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Empty(t, fail.got)
	assert.Equal(t, 1, closed.n)
}

// fs_event_no_callback_on_close (test-fs-event.c): closing a watcher does
// not call its callback.
func TestFSEventNoCallbackOnClose(t *testing.T) {
	l := newLoop(t)
	file := filepath.Join(t.TempDir(), "file1")
	createFile(t, file)
	var fail fsEvents
	w := startFSEvent(t, l, file, fail.cb)
	var closed counter
	require.NoError(t, w.Close(closed.inc))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Empty(t, fail.got)
	assert.Equal(t, 1, closed.n)
}

// fs_event_immediate_close (test-fs-event.c): a watcher started and closed
// in the same callback.
func TestFSEventImmediateClose(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	var fail fsEvents
	var closed counter
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Millisecond, 0, func(tm *Timer) {
		w, err := NewFSEvent(l)
		if !assert.NoError(t, err) {
			return
		}
		assert.NoError(t, w.Start(dir, 0, fail.cb))
		w.Close(closed.inc)
		tm.Close(closed.inc)
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 2, closed.n)
	assert.Empty(t, fail.got)
}

// fs_event_close_with_pending_event (test-fs-event.c): an event queued by
// the kernel but not read yet when the watcher closes is dropped.
func TestFSEventCloseWithPendingEvent(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	createFile(t, file)
	var fail fsEvents
	w := startFSEvent(t, l, dir, fail.cb)
	touchFile(t, file)
	var closed counter
	require.NoError(t, w.Close(closed.inc))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, closed.n)
	assert.Empty(t, fail.got)
}

// fs_event_close_with_pending_delete_event (test-fs-event.c): the same
// with the watched file deleted. libuv sleeps a second to let the event
// arrive (for Solaris); inotify queues it before unlink returns, so no
// wait is needed here.
func TestFSEventCloseWithPendingDeleteEvent(t *testing.T) {
	l := newLoop(t)
	file := filepath.Join(t.TempDir(), "file")
	createFile(t, file)
	var fail fsEvents
	w := startFSEvent(t, l, file, fail.cb)
	require.NoError(t, os.Remove(file))
	var closed counter
	require.NoError(t, w.Close(closed.inc))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, closed.n)
	assert.Empty(t, fail.got)
}

// fs_event_close_in_callback (test-fs-event.c): a watcher that closes
// itself in its third callback gets no fourth, though more events are
// queued: here all sixteen files are created at once, so that the events
// after the third come in the same read as it (libuv creates them one per
// iteration).
func TestFSEventCloseInCallback(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	var calls, closed counter
	var w *FSEvent
	w = startFSEvent(t, l, dir, func(n string, ev FSEventKind, err error) {
		assert.NoError(t, err)
		calls.inc()
		assert.LessOrEqual(t, calls.n, 3)
		if calls.n == 3 {
			w.Close(closed.inc)
		}
	})
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Millisecond, 0, func(*Timer) {
		for i := range 16 {
			createFile(t, filepath.Join(dir, fmt.Sprintf("fsevent-%d", i)))
		}
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	require.NoError(t, tm.Close(closed.inc))
	runLoop(t, l, RunOnce)
	assert.Equal(t, 2, closed.n)
	assert.Equal(t, 3, calls.n)
}

// fs_event_start_and_close (test-fs-event.c): two watchers on one
// directory, closed in the other order.
func TestFSEventStartAndClose(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	var fail fsEvents
	a := startFSEvent(t, l, dir, fail.cb)
	b := startFSEvent(t, l, dir, fail.cb)
	var closed counter
	require.NoError(t, b.Close(closed.inc))
	require.NoError(t, a.Close(closed.inc))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 2, closed.n)
	assert.Empty(t, fail.got)
}

// fs_event_error_reporting (test-fs-event.c): in libuv only macOS reports
// errors through the callback (FSEvents streams run out after many loops);
// elsewhere the test is empty. On Linux the resource that runs out is the
// loop's inotify fd, and Start reports it: this port makes the next fd
// unavailable (RLIMIT_NOFILE) instead of opening loops until the system
// refuses, which would starve the other tests of inotify instances.
func TestFSEventErrorReporting(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	e, err := NewFSEvent(l)
	require.NoError(t, err)

	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	next, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0) // the lowest free fd
	require.NoError(t, err)
	require.NoError(t, syscall.Close(next))
	low := lim
	low.Cur = uint64(next)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
	var fail fsEvents
	err = e.Start(dir, 0, fail.cb)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))

	var ue *Error
	if assert.ErrorAs(t, err, &ue) {
		assert.Equal(t, EMFILE, ue.Code)
		assert.Equal(t, dir, ue.Path)
	}
	assert.False(t, e.IsActive())

	// With fds back, the same handle starts and reports.
	var got []fsEvent
	require.NoError(t, e.Start(dir, 0, func(n string, ev FSEventKind, err error) {
		got = append(got, fsEvent{n, ev, err})
		e.Close(nil)
	}))
	createFile(t, filepath.Join(dir, "f"))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, []fsEvent{{"f", FSEventRename, nil}}, got)
	assert.Empty(t, fail.got)
}

// fs_event_getpath (test-fs-event.c): Path returns the path as given, and
// EINVAL when not started.
func TestFSEventGetpath(t *testing.T) {
	l := newLoop(t)
	t.Chdir(t.TempDir())
	require.NoError(t, os.MkdirAll("watch_dir/subfolder", 0o755))
	var fail fsEvents
	for _, dir := range []string{
		"watch_dir",
		"watch_dir/",
		"watch_dir///",
		"watch_dir/subfolder/..",
		"watch_dir//subfolder//..//",
	} {
		e, err := NewFSEvent(l)
		require.NoError(t, err)
		_, err = e.Path()
		var ue *Error
		if assert.ErrorAs(t, err, &ue) {
			assert.Equal(t, EINVAL, ue.Code)
			assert.Equal(t, "uv_fs_event_getpath", ue.Op)
		}
		require.NoError(t, e.Start(dir, 0, fail.cb))
		p, err := e.Path()
		assert.NoError(t, err)
		assert.Equal(t, dir, p)
		require.NoError(t, e.Stop())
		_, err = e.Path()
		assert.ErrorIs(t, err, EINVAL, "stopped")
		doClose(t, e)
	}
	assert.Empty(t, fail.got)
}

// fs_event_stop_in_cb (test-fs-event.c): a watcher that stops itself in
// its callback gets no other callback, even for an event read in the same
// batch (here a write and a chmod, two events in one read).
func TestFSEventStopInCb(t *testing.T) {
	l := newLoop(t)
	path := filepath.Join(t.TempDir(), "fs_event_stop_in_cb.txt")
	createFile(t, path)
	var calls counter
	var w *FSEvent
	w = startFSEvent(t, l, path, func(string, FSEventKind, error) {
		assert.NoError(t, w.Stop())
		calls.inc()
	})
	var touched counter
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(time.Millisecond, 0, func(tm *Timer) {
		tm.Close(nil)
		touchFile(t, path)
		assert.NoError(t, os.Chmod(path, 0o644))
		touched.inc()
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, calls.n)
	assert.Equal(t, 1, touched.n)
	require.NoError(t, w.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, calls.n)
}

// fs_event_ref (test-ref.c): an unreferenced watcher does not keep the
// loop alive.
func TestFSEventRef(t *testing.T) {
	l := newLoop(t)
	var fail fsEvents
	w := startFSEvent(t, l, t.TempDir(), fail.cb)
	w.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	doClose(t, w)
	assert.Empty(t, fail.got)
}

// Misuse: nil callback, Start on an active watcher, closing and closed
// watchers.
func TestFSEventMisuse(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	e, err := NewFSEvent(l)
	require.NoError(t, err)
	var fail fsEvents
	var ue *Error
	if assert.ErrorAs(t, e.Start(dir, 0, nil), &ue) {
		assert.Equal(t, EINVAL, ue.Code)
	}
	assert.NoError(t, e.Stop(), "Stop on a stopped watcher")
	require.NoError(t, e.Start(dir, FSEventStat|FSEventWatchEntry, fail.cb))
	assert.ErrorIs(t, e.Start(dir, 0, fail.cb), EINVAL, "already started")
	p, err := e.Path()
	assert.NoError(t, err)
	assert.Equal(t, dir, p, "the first Start holds")
	_, err = e.Fd()
	assert.Error(t, err, "no fd of its own")

	require.NoError(t, e.Close(nil))
	assert.ErrorIs(t, e.Start(dir, 0, fail.cb), EINVAL, "closing")
	assert.NoError(t, e.Stop(), "Stop on a closing watcher")
	runLoop(t, l, RunDefault)
	assert.ErrorIs(t, e.Start(dir, 0, fail.cb), ErrClosed)
	assert.ErrorIs(t, e.Stop(), ErrClosed)
	_, err = e.Path()
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, e.Close(nil), ErrClosed)
	assert.Equal(t, TypeFSEvent, e.Type())
	assert.Empty(t, fail.got)
}

func panicFSEventCB(string, FSEventKind, error) { panic("fs_event boom") }

// A panicking FSEvent callback is contained: Run re-panics with it.
func TestPanicFSEvent(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	w := startFSEvent(t, l, dir, panicFSEventCB)
	createFile(t, filepath.Join(dir, "f"))
	checkPanic(t, runPanic(t, l, RunDefault), "fs_event boom", "panicFSEventCB")
	doClose(t, w)
}

func TestFSEventKindString(t *testing.T) {
	assert.Equal(t, "rename", FSEventRename.String())
	assert.Equal(t, "change", FSEventChange.String())
	assert.Equal(t, "rename|change", (FSEventRename | FSEventChange).String())
	assert.Equal(t, "0", FSEventKind(0).String())
	assert.Equal(t, "change|FSEventKind(8)", (FSEventChange | 8).String())
}
