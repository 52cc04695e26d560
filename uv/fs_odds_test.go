package uv

// Row 69 of LIBUV_TESTS.md: the fs odds of test-fs-event.c, test-fs.c and
// test-fs-fd-hash.c.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFSEventWatchDirRecursive: libuv watches trees on macOS and Windows
// only (its test skips elsewhere; on Linux libuv 1.44 ignores the flag and
// watches one level). gouv says so: ENOSYS, nothing started, and the
// handle may be started without the flag.
func TestFSEventWatchDirRecursive(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "subdir"), 0o755))
	e, err := NewFSEvent(l)
	require.NoError(t, err)
	var got fsEvents
	for _, path := range []string{dir, "/"} {
		err = e.Start(path, FSEventRecursive, got.cb)
		assert.ErrorIs(t, err, syscall.ENOSYS)
		assert.ErrorIs(t, err, errors.ErrUnsupported)
		var ue *Error
		if assert.ErrorAs(t, err, &ue) {
			assert.Equal(t, "uv_fs_event_start", ue.Op)
			assert.Equal(t, path, ue.Path)
		}
		assert.False(t, e.IsActive())
		_, err = e.Path()
		assert.ErrorIs(t, err, syscall.EINVAL, "not started")
	}
	require.NoError(t, e.Start(dir, 0, got.cb))
	assert.True(t, e.IsActive())
	doClose(t, e)
	assert.Empty(t, got.got)
}

// TestFSEventWatchDirShortPath: libuv's test watches a directory by its
// Windows 8.3 short name. Linux has no short names: "watch_~1" is just a
// missing file (ENOENT, where libuv's test skips), and the long name
// watches as the test expects: one change of file1, then stop and close.
func TestFSEventWatchDirShortPath(t *testing.T) {
	l := newLoop(t)
	root := t.TempDir()
	dir := filepath.Join(root, "watch_dir")
	require.NoError(t, os.Mkdir(dir, 0o755))
	file1 := filepath.Join(dir, "file1")
	createFile(t, file1)
	e, err := NewFSEvent(l)
	require.NoError(t, err)
	assert.ErrorIs(t, e.Start(filepath.Join(root, "watch_~1"), 0, func(string, FSEventKind, error) {}), fs.ErrNotExist)

	var got []fsEvent
	var closes counter
	require.NoError(t, e.Start(dir, 0, func(name string, ev FSEventKind, err error) {
		got = append(got, fsEvent{name, ev, err})
		assert.NoError(t, e.Stop())
		e.Close(closes.inc)
	}))
	timer, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, timer.Start(100*time.Millisecond, 0, func(tm *Timer) {
		touchFile(t, file1)
		tm.Close(closes.inc)
	}))
	runLoop(t, l, RunDefault)
	assert.Equal(t, []fsEvent{{"file1", FSEventChange, nil}}, got)
	assert.Equal(t, 2, closes.n)
}

// TestFSEventWatchFileRootDir: libuv's test watches a file in the root of
// Windows' system drive (bootsect.bak), to check paths with nothing before
// the root. The Linux form: watching "/" and an entry of it works, and the
// path reads back as given.
func TestFSEventWatchFileRootDir(t *testing.T) {
	l := newLoop(t)
	for _, path := range []string{"/", "/etc"} {
		e, err := NewFSEvent(l)
		require.NoError(t, err)
		require.NoError(t, e.Start(path, 0, func(string, FSEventKind, error) {}), path)
		got, err := e.Path()
		assert.NoError(t, err)
		assert.Equal(t, path, got)
		require.NoError(t, e.Close(nil))
	}
	runLoop(t, l, RunDefault)
}

// fs_fd_hash: tests libuv's Windows-only map from fds to file info
// (src/win/fs-fd-hash-inl.h), an internal with no Unix counterpart; gouv
// keeps no fd table.

// TestFSGetSystemError: a failed fs request carries the system's errno,
// synchronously and in the callback. uv_fs_get_system_error's Go form is
// the *Error's Code, libuv's negated errno: syscall.Errno(-Code) is the
// system's number, and errors.Is matches it (errors.As into a
// syscall.Errno does not: an Errno is not one, TestError).
func TestFSGetSystemError(t *testing.T) {
	l := newLoop(t)
	missing := filepath.Join(t.TempDir(), "non_existing_file")
	sysErr := func(err error) syscall.Errno {
		var ue *Error
		if !assert.ErrorAs(t, err, &ue) {
			return 0
		}
		assert.Equal(t, "uv_fs_statfs", ue.Op)
		return syscall.Errno(-ue.Code)
	}
	_, _, err := FSStatfs(l, missing, nil)
	assert.Equal(t, syscall.ENOENT, sysErr(err))
	assert.ErrorIs(t, err, syscall.ENOENT)
	var cbErr error
	_, _, err = FSStatfs(l, missing, func(_ StatFS, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, syscall.ENOENT, sysErr(cbErr))
	assert.ErrorIs(t, cbErr, fs.ErrNotExist)
}

// TestFSReadWriteNullArguments: no buffers at all (nil, or an empty list)
// is EINVAL before the thread pool is reached, synchronously and with a
// callback; a request that failed so keeps nothing alive and never calls
// back.
func TestFSReadWriteNullArguments(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	defer fsCloseSync(t, l, fd)
	var calls counter
	failCb := func(int, error) { calls.inc() }
	cases := []struct {
		name string
		call func(cb func(int, error)) (int, *Req, error)
	}{
		{"FSRead(nil)", func(cb func(int, error)) (int, *Req, error) { return FSRead(l, fd, nil, -1, cb) }},
		{"FSWrite(nil)", func(cb func(int, error)) (int, *Req, error) { return FSWrite(l, fd, nil, -1, cb) }},
		{"FSReadV(nil)", func(cb func(int, error)) (int, *Req, error) { return FSReadV(l, fd, nil, -1, cb) }},
		{"FSWriteV(nil)", func(cb func(int, error)) (int, *Req, error) { return FSWriteV(l, fd, nil, -1, cb) }},
		{"FSReadV(empty)", func(cb func(int, error)) (int, *Req, error) { return FSReadV(l, fd, [][]byte{}, -1, cb) }},
		{"FSWriteV(empty)", func(cb func(int, error)) (int, *Req, error) { return FSWriteV(l, fd, [][]byte{}, -1, cb) }},
	}
	for _, c := range cases {
		for _, cb := range []func(int, error){nil, failCb} {
			n, req, err := c.call(cb)
			assert.Zero(t, n, c.name)
			assert.Nil(t, req, c.name)
			assert.ErrorIs(t, err, syscall.EINVAL, c.name)
			assert.False(t, runLoop(t, l, RunDefault), "%s: the loop is kept alive", c.name)
		}
	}
	assert.Zero(t, calls.n, "callbacks of failed requests")
	assert.Zero(t, l.Stats().Requests)
}

// TestFSStatRoot: libuv's test stats Windows' roots ("\\", "c:\\", ...).
// The Unix forms: "/", and ".." repeated past the root, which stays there.
func TestFSStatRoot(t *testing.T) {
	l := newLoop(t)
	root, _, err := FSStat(l, "/", nil)
	require.NoError(t, err)
	assert.True(t, root.IsDir())
	for _, path := range []string{"../../../../../../..", "..", "../", "/..", "//"} {
		st, _, err := FSStat(l, path, nil)
		if assert.NoError(t, err, path) {
			assert.True(t, st.IsDir(), path)
		}
	}
	for _, path := range []string{"/..", "//", "/../../.."} {
		st, _, err := FSStat(l, path, nil)
		if assert.NoError(t, err, path) {
			assert.Equal(t, root.Ino, st.Ino, path)
			assert.Equal(t, root.Dev, st.Dev, path)
		}
	}
	var got Stat
	var cbErr error
	_, _, err = FSStat(l, "/", func(st Stat, err error) { got, cbErr = st, err })
	require.NoError(t, err)
	runFS(t, l)
	assert.NoError(t, cbErr)
	assert.Equal(t, root.Ino, got.Ino)
}

// TestFSUtimeRound: a time before the epoch with a fraction of a second,
// libuv's -14245440.25 s (1969-07-20T02:55:59.75Z), is set and read back
// exactly: the seconds round down, not toward zero, and the fraction
// counts up from there.
func TestFSUtimeRound(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	fsCloseSync(t, l, fd)
	when := time.Unix(-14245441, 750_000_000)
	require.Equal(t, -14245440.25, float64(when.UnixNano())/1e9)
	_, err := FSUtime(l, name, when, when, nil)
	require.NoError(t, err)
	st, _, err := FSStat(l, name, nil)
	require.NoError(t, err)
	assert.True(t, when.Equal(st.Atime), "atime %v, want %v", st.Atime.UTC(), when.UTC())
	assert.True(t, when.Equal(st.Mtime), "mtime %v, want %v", st.Mtime.UTC(), when.UTC())
	assert.Equal(t, int64(-14245441), st.Atime.Unix())
	assert.Equal(t, 750_000_000, st.Atime.Nanosecond())

	// Every microsecond survives libuv's float64 seconds, on both sides of
	// the epoch; what is below a microsecond is floored away. (Sent as
	// sec + nsec/1e9, about half of these came back a microsecond short.)
	var lost []string
	for i := range int64(400) {
		sec := 1_700_000_000 + i*7919
		if i%2 == 1 {
			sec = -1_700_000_000 + i*7919
		}
		nsec := (i * 499_979 % 1_000_000) * 1000
		if i%4 == 0 {
			nsec += i % 1000 // below the microsecond
		}
		set := time.Unix(sec, nsec)
		_, err := FSUtime(l, name, set, set, nil)
		require.NoError(t, err)
		st, _, err := FSStat(l, name, nil)
		require.NoError(t, err)
		if want := time.Unix(sec, nsec/1000*1000); !st.Mtime.Equal(want) || !st.Atime.Equal(want) {
			lost = append(lost, set.UTC().Format(time.RFC3339Nano)+" -> "+st.Mtime.UTC().Format(time.RFC3339Nano))
		}
	}
	assert.Empty(t, lost[:min(len(lost), 5)], "%d of 400 times changed", len(lost))
}
