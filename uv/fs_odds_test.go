package uv

// Row 69 of LIBUV_TESTS.md: the fs odds of test-fs-event.c, test-fs.c and
// test-fs-fd-hash.c.

import (
	"errors"
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
