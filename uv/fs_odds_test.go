package uv

// Row 69 of LIBUV_TESTS.md: the fs odds of test-fs-event.c, test-fs.c and
// test-fs-fd-hash.c.

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

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
