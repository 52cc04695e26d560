package uv

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The ports of libuv's test-fs.c, test-fs-copyfile.c, test-fs-readdir.c and
// test-fs-open-flags.c (LIBUV_TESTS.md row 59). Each works in its own
// t.TempDir(); setup and checks use package os where the libuv call under
// test is not the point.

var testBuf = []byte("test-buffer\n")

// assertFSError checks that err is an *Error for op and path with code.
func assertFSError(t *testing.T, err error, op, path string, code Errno) bool {
	t.Helper()
	var e *Error
	if !assert.ErrorAs(t, err, &e) {
		return false
	}
	return assert.Equal(t, op, e.Op) && assert.Equal(t, path, e.Path) && assert.Equal(t, code, e.Code, "%v", err)
}

// fsOpen opens path synchronously or fails the test.
func fsOpen(t *testing.T, l *Loop, path string, flags int, mode os.FileMode) int {
	t.Helper()
	fd, r, err := FSOpen(l, path, flags, mode, nil)
	require.NoError(t, err)
	require.Nil(t, r)
	require.GreaterOrEqual(t, fd, 0)
	return fd
}

// fsCloseSync closes fd synchronously and checks it worked.
func fsCloseSync(t *testing.T, l *Loop, fd int) {
	t.Helper()
	_, err := FSClose(l, fd, nil)
	assert.NoError(t, err)
}

// runFS runs l until its requests are done.
func runFS(t *testing.T, l *Loop) { t.Helper(); runLoop(t, l, RunDefault) }

func TestFSFileNoent(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "does_not_exist")
	fd, r, err := FSOpen(l, name, os.O_RDONLY, 0, nil)
	assert.Equal(t, -1, fd)
	assert.Nil(t, r)
	assertFSError(t, err, "uv_fs_open", name, ENOENT)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.ErrorIs(t, err, syscall.ENOENT)
	assert.Equal(t, "uv_fs_open "+name+": ENOENT: no such file or directory", err.Error())

	var calls counter
	var cbErr error
	cbFd := 0
	_, r, err = FSOpen(l, name, os.O_RDONLY, 0, func(fd int, err error) { calls.inc(); cbFd, cbErr = fd, err })
	require.NoError(t, err)
	require.NotNil(t, r)
	assert.Zero(t, calls.n, "callback ran before the loop")
	runFS(t, l)
	assert.Equal(t, 1, calls.n)
	assert.Equal(t, -1, cbFd)
	assertFSError(t, cbErr, "uv_fs_open", name, ENOENT)
	assert.ErrorIs(t, cbErr, fs.ErrNotExist)
}

func TestFSFileNametoolong(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), strings.Repeat("a", 300))
	_, _, err := FSOpen(l, name, os.O_RDONLY, 0, nil)
	assertFSError(t, err, "uv_fs_open", name, ENAMETOOLONG)
	var cbErr error
	_, _, err = FSOpen(l, name, os.O_RDONLY, 0, func(_ int, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_open", name, ENAMETOOLONG)
}

func TestFSFileLoop(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_symlink")
	_, err := FSSymlink(l, name, name, 0, nil) // a link to itself
	require.NoError(t, err)
	_, _, err = FSOpen(l, name, os.O_RDONLY, 0, nil)
	assertFSError(t, err, "uv_fs_open", name, ELOOP)
	var cbErr error
	_, _, err = FSOpen(l, name, os.O_RDONLY, 0, func(_ int, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_open", name, ELOOP)
}

// TestFSFileAsync chains callbacks as libuv's test does: create, write,
// fdatasync, fsync, close; rename; open, read, ftruncate, close; open,
// read the truncated file, close; unlink.
func TestFSFileAsync(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name, name2 := filepath.Join(dir, "test_file"), filepath.Join(dir, "test_file2")
	var errs []error
	var steps []string
	step := func(s string, err error) bool {
		steps = append(steps, s)
		if err != nil {
			errs = append(errs, err)
			return false
		}
		return true
	}
	buf := make([]byte, 32)
	var read1, read2 string
	reopenRead := func() {
		FSOpen(l, name2, os.O_RDONLY, 0, func(fd int, err error) {
			if !step("open2", err) {
				return
			}
			clear(buf)
			FSRead(l, fd, buf, -1, func(n int, err error) {
				step("read2", err)
				read2 = string(buf[:n])
				FSClose(l, fd, func(err error) {
					step("close3", err)
					FSUnlink(l, name2, func(err error) { step("unlink", err) })
				})
			})
		})
	}
	_, _, err := FSOpen(l, name, os.O_WRONLY|os.O_CREATE, 0o600, func(fd int, err error) {
		if !step("create", err) {
			return
		}
		FSWrite(l, fd, testBuf, -1, func(n int, err error) {
			step("write", err)
			FSFdatasync(l, fd, func(err error) {
				step("fdatasync", err)
				FSFsync(l, fd, func(err error) {
					step("fsync", err)
					FSClose(l, fd, func(err error) {
						step("close", err)
						FSRename(l, name, name2, func(err error) {
							if !step("rename", err) {
								return
							}
							FSOpen(l, name2, os.O_RDWR, 0, func(fd int, err error) {
								if !step("open", err) {
									return
								}
								FSRead(l, fd, buf, -1, func(n int, err error) {
									step("read", err)
									read1 = string(buf[:n])
									FSFtruncate(l, fd, 7, func(err error) {
										step("ftruncate", err)
										FSClose(l, fd, func(err error) {
											step("close2", err)
											reopenRead()
										})
									})
								})
							})
						})
					})
				})
			})
		})
	})
	require.NoError(t, err)
	runFS(t, l)
	assert.Empty(t, errs)
	assert.Equal(t, []string{"create", "write", "fdatasync", "fsync", "close", "rename", "open", "read",
		"ftruncate", "close2", "open2", "read2", "close3", "unlink"}, steps)
	assert.Equal(t, string(testBuf), read1)
	assert.Equal(t, "test-bu", read2)
	assert.NoFileExists(t, name2)
}

// TestFSFileSync is TestFSFileAsync with nil callbacks: each call runs
// inline and returns its result.
func TestFSFileSync(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name, name2 := filepath.Join(dir, "test_file"), filepath.Join(dir, "test_file2")
	fd := fsOpen(t, l, name, os.O_WRONLY|os.O_CREATE, 0o600)
	n, r, err := FSWrite(l, fd, testBuf, -1, nil)
	require.NoError(t, err)
	assert.Nil(t, r)
	assert.Equal(t, len(testBuf), n)
	fsCloseSync(t, l, fd)

	fd = fsOpen(t, l, name, os.O_RDWR, 0)
	buf := make([]byte, 32)
	n, _, err = FSRead(l, fd, buf, -1, nil)
	require.NoError(t, err)
	assert.Equal(t, testBuf, buf[:n])
	_, err = FSFtruncate(l, fd, 7, nil)
	require.NoError(t, err)
	_, err = FSFsync(l, fd, nil)
	assert.NoError(t, err)
	_, err = FSFdatasync(l, fd, nil)
	assert.NoError(t, err)
	fsCloseSync(t, l, fd)

	_, err = FSRename(l, name, name2, nil)
	require.NoError(t, err)
	fd = fsOpen(t, l, name2, os.O_RDONLY, 0)
	clear(buf)
	n, _, err = FSRead(l, fd, buf, -1, nil)
	require.NoError(t, err)
	assert.Equal(t, "test-bu", string(buf[:n]))
	fsCloseSync(t, l, fd)
	_, err = FSUnlink(l, name2, nil)
	assert.NoError(t, err)
	assert.NoFileExists(t, name2)
	runFS(t, l) // nothing pending: returns at once
}

// TestFSFileWriteNullBuffer writes a buffer with no memory (libuv's NULL
// base and zero length): nothing is written and the count is 0. A nil
// buffer for FSWrite, or no buffers at all for FSWriteV, is EINVAL.
func TestFSFileWriteNullBuffer(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_WRONLY|os.O_CREATE, 0o600)
	n, _, err := FSWriteV(l, fd, [][]byte{nil}, -1, nil)
	assert.NoError(t, err)
	assert.Zero(t, n)
	n, _, err = FSWrite(l, fd, []byte{}, -1, nil)
	assert.NoError(t, err)
	assert.Zero(t, n)
	_, _, err = FSWrite(l, fd, nil, -1, nil)
	assertFSError(t, err, "uv_fs_write", "", EINVAL)
	_, _, err = FSWriteV(l, fd, nil, -1, func(int, error) {})
	assertFSError(t, err, "uv_fs_write", "", EINVAL)
	fsCloseSync(t, l, fd)
}

func TestFSAsyncDir(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(t.TempDir(), "test_dir")
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	_, err := FSMkdir(l, dir, 0o755, keep)
	require.NoError(t, err)
	runFS(t, l)
	require.Empty(t, errs)
	for _, f := range []string{"file1", "file2"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o600))
	}
	var ents []DirEnt
	_, _, err = FSScandir(l, dir, func(e []DirEnt, err error) { keep(err); ents = e })
	require.NoError(t, err)
	var st, lst, lstSlash Stat
	_, _, err = FSStat(l, dir, func(s Stat, err error) { keep(err); st = s })
	require.NoError(t, err)
	_, _, err = FSLstat(l, dir, func(s Stat, err error) { keep(err); lst = s })
	require.NoError(t, err)
	_, _, err = FSLstat(l, dir+"/", func(s Stat, err error) { keep(err); lstSlash = s })
	require.NoError(t, err)
	runFS(t, l)
	require.Empty(t, errs)
	assert.Equal(t, []DirEnt{{"file1", DirentFile}, {"file2", DirentFile}}, ents)
	assert.True(t, st.IsDir())
	assert.True(t, lst.IsDir())
	assert.True(t, lstSlash.IsDir())
	assert.Equal(t, st.Ino, lst.Ino)

	for _, f := range []string{"file1", "file2"} {
		_, err = FSUnlink(l, filepath.Join(dir, f), keep)
		require.NoError(t, err)
	}
	runFS(t, l)
	_, err = FSRmdir(l, dir, keep)
	require.NoError(t, err)
	runFS(t, l)
	assert.Empty(t, errs)
	assert.NoDirExists(t, dir)
}

// testSendfile copies from offset 1 of a file, up to 128 KiB, into a new
// file, as libuv's test_sendfile does.
func testSendfile(t *testing.T, content []byte) {
	l := newLoop(t)
	dir := t.TempDir()
	name, name2 := filepath.Join(dir, "test_file"), filepath.Join(dir, "test_file2")
	require.NoError(t, os.WriteFile(name, content, 0o600))
	in := fsOpen(t, l, name, os.O_RDWR, 0)
	out := fsOpen(t, l, name2, os.O_WRONLY|os.O_CREATE, 0o600)
	var got int
	var cbErr error
	var calls counter
	_, r, err := FSSendfile(l, out, in, 1, 131072, func(n int, err error) { calls.inc(); got, cbErr = n, err })
	require.NoError(t, err)
	require.NotNil(t, r)
	runFS(t, l)
	assert.Equal(t, 1, calls.n)
	assert.NoError(t, cbErr)
	want := max(len(content)-1, 0)
	assert.Equal(t, want, got)
	fsCloseSync(t, l, in)
	fsCloseSync(t, l, out)
	b, err := os.ReadFile(name2)
	require.NoError(t, err)
	if len(content) > 0 {
		assert.Equal(t, content[1:], b)
		assert.Equal(t, byte('e'), b[0]) // "begin" without its b
	} else {
		assert.Empty(t, b)
	}
}

func TestFSAsyncSendfile(t *testing.T) {
	content := make([]byte, 65546)
	copy(content, "begin\n")
	copy(content[65542:], "end\n")
	testSendfile(t, content)
}

func TestFSAsyncSendfileNodata(t *testing.T) { testSendfile(t, nil) }

func TestFSMkdtemp(t *testing.T) {
	l := newLoop(t)
	tpl := filepath.Join(t.TempDir(), "test_dir_XXXXXX")
	var p1 string
	var cbErr error
	_, r, err := FSMkdtemp(l, tpl, func(p string, err error) { p1, cbErr = p, err })
	require.NoError(t, err)
	require.NotNil(t, r)
	runFS(t, l)
	require.NoError(t, cbErr)
	p2, r, err := FSMkdtemp(l, tpl, nil)
	require.NoError(t, err)
	assert.Nil(t, r)
	for _, p := range []string{p1, p2} {
		assert.True(t, strings.HasPrefix(p, strings.TrimSuffix(tpl, "XXXXXX")), p)
		assert.Len(t, p, len(tpl))
		assert.DirExists(t, p)
	}
	assert.NotEqual(t, p1, p2)
	// A template without its six Xs.
	bad := filepath.Join(t.TempDir(), "test_dir_XXXXX")
	_, _, err = FSMkdtemp(l, bad, nil)
	assertFSError(t, err, "uv_fs_mkdtemp", bad, EINVAL)
}

func TestFSMkstemp(t *testing.T) {
	l := newLoop(t)
	tpl := filepath.Join(t.TempDir(), "test_file_XXXXXX")
	type res struct {
		fd   int
		path string
		err  error
	}
	var got []res
	for range 2 {
		_, _, r, err := FSMkstemp(l, tpl, func(fd int, p string, err error) { got = append(got, res{fd, p, err}) })
		require.NoError(t, err)
		require.NotNil(t, r)
	}
	runFS(t, l)
	fd, p, r, err := FSMkstemp(l, tpl, nil)
	require.NoError(t, err)
	assert.Nil(t, r)
	got = append(got, res{fd, p, err})
	require.Len(t, got, 3)
	seen := map[string]bool{}
	for _, g := range got {
		require.NoError(t, g.err)
		assert.True(t, strings.HasPrefix(g.path, strings.TrimSuffix(tpl, "XXXXXX")), g.path)
		assert.Len(t, g.path, len(tpl))
		assert.False(t, seen[g.path], "duplicate path %s", g.path)
		seen[g.path] = true
		// The descriptor is open for reading and writing.
		n, _, err := FSWrite(l, g.fd, testBuf, 0, nil)
		assert.NoError(t, err)
		assert.Equal(t, len(testBuf), n)
		buf := make([]byte, 32)
		n, _, err = FSRead(l, g.fd, buf, 0, nil)
		assert.NoError(t, err)
		assert.Equal(t, testBuf, buf[:n])
		fsCloseSync(t, l, g.fd)
	}
	bad := filepath.Join(t.TempDir(), "test_file_XXXXX")
	_, _, _, err = FSMkstemp(l, bad, nil)
	assertFSError(t, err, "uv_fs_mkstemp", bad, EINVAL)
	// A closed descriptor is EBADF.
	_, err = FSClose(l, got[0].fd, nil)
	assertFSError(t, err, "uv_fs_close", "", EBADF)
}

func TestFSFstat(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	_, _, err := FSWrite(l, fd, testBuf, -1, nil)
	require.NoError(t, err)
	check := func(st Stat) {
		t.Helper()
		var sys syscall.Stat_t
		require.NoError(t, syscall.Fstat(fd, &sys))
		assert.Equal(t, uint64(sys.Dev), st.Dev)
		assert.Equal(t, uint64(sys.Ino), st.Ino)
		assert.Equal(t, uint64(sys.Nlink), st.Nlink)
		assert.Equal(t, uint64(sys.Uid), st.UID)
		assert.Equal(t, uint64(sys.Gid), st.GID)
		assert.Equal(t, sys.Mode, st.RawMode)
		assert.Equal(t, os.FileMode(0o600), st.Mode)
		assert.Equal(t, int64(len(testBuf)), st.Size)
		assert.Equal(t, int64(sys.Blksize), st.BlkSize)
		assert.Equal(t, sys.Blocks, st.Blocks)
		assert.Equal(t, time.Unix(sys.Mtim.Unix()), st.Mtime)
		assert.Equal(t, time.Unix(sys.Atim.Unix()), st.Atime)
		assert.Equal(t, time.Unix(sys.Ctim.Unix()), st.Ctime)
	}
	st, r, err := FSFstat(l, fd, nil)
	require.NoError(t, err)
	assert.Nil(t, r)
	check(st)
	var ast Stat
	var cbErr error
	_, r, err = FSFstat(l, fd, func(s Stat, err error) { ast, cbErr = s, err })
	require.NoError(t, err)
	require.NotNil(t, r)
	runFS(t, l)
	require.NoError(t, cbErr)
	check(ast)
	// Stat by path agrees.
	pst, _, err := FSStat(l, name, nil)
	require.NoError(t, err)
	assert.Equal(t, st.Ino, pst.Ino)
	assert.Equal(t, st.Size, pst.Size)
	fsCloseSync(t, l, fd)
	_, _, err = FSFstat(l, fd, nil)
	assertFSError(t, err, "uv_fs_fstat", "", EBADF)
}

// TestFSAccess: libuv checks that a missing file fails F_OK, an existing
// one passes, and a new directory passes W_OK. The tests run as root,
// for whom access(2) grants read and write whatever the permission bits
// say, so denial is checked only with X_OK on a file without execute
// bits, which root does not get either.
func TestFSAccess(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name, sub := filepath.Join(dir, "test_file"), filepath.Join(dir, "test_dir")
	_, err := FSAccess(l, name, FSAccessExists, nil)
	assertFSError(t, err, "uv_fs_access", name, ENOENT)
	var cbErr error
	var calls counter
	_, err = FSAccess(l, name, FSAccessExists, func(err error) { calls.inc(); cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, 1, calls.n)
	assertFSError(t, cbErr, "uv_fs_access", name, ENOENT)

	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	_, err = FSAccess(l, name, FSAccessExists, nil)
	assert.NoError(t, err)
	_, err = FSAccess(l, name, FSAccessRead|FSAccessWrite, func(err error) { calls.inc(); cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, 2, calls.n)
	assert.NoError(t, cbErr)
	fsCloseSync(t, l, fd)
	_, err = FSAccess(l, name, FSAccessExec, nil)
	assertFSError(t, err, "uv_fs_access", name, EACCES)
	assert.ErrorIs(t, err, fs.ErrPermission)

	_, err = FSMkdir(l, sub, 0o777, nil)
	require.NoError(t, err)
	_, err = FSAccess(l, sub, FSAccessWrite, nil)
	assert.NoError(t, err)
	// An unknown mode bit.
	_, err = FSAccess(l, sub, 8, nil)
	assertFSError(t, err, "uv_fs_access", sub, EINVAL)
	runFS(t, l) // no extra reference keeps the loop alive
}

func TestFSChmod(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	mode := func() os.FileMode {
		st, _, err := FSStat(l, name, nil)
		require.NoError(t, err)
		return st.Mode
	}
	_, err := FSChmod(l, name, 0o200, nil)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o200), mode())
	_, err = FSChmod(l, name, 0o400|os.ModeSetuid|os.ModeSticky, nil)
	require.NoError(t, err)
	assert.Equal(t, 0o400|os.ModeSetuid|os.ModeSticky, mode())
	var errs []error
	_, err = FSChmod(l, name, 0o600, func(err error) { errs = append(errs, err) })
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, os.FileMode(0o600), mode())
	_, err = FSFchmod(l, fd, 0o640, nil)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), mode())
	_, err = FSFchmod(l, fd, 0o604, func(err error) { errs = append(errs, err) })
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, []error{nil, nil}, errs)
	assert.Equal(t, os.FileMode(0o604), mode())
	fsCloseSync(t, l, fd)
	missing := name + ".missing"
	_, err = FSChmod(l, missing, 0o600, nil)
	assertFSError(t, err, "uv_fs_chmod", missing, ENOENT)
}

// TestFSChown changes owners to the current uid and gid, and to -1 (no
// change). libuv also checks that chown to root fails with EPERM for an
// unprivileged user; these tests run as root, so that check is done only
// when they do not.
func TestFSChown(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name, link := filepath.Join(dir, "test_file"), filepath.Join(dir, "test_file_link")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	uid, gid := os.Getuid(), os.Getgid()
	_, err := FSChown(l, name, uid, gid, nil)
	assert.NoError(t, err)
	var errs []error
	keep := func(err error) { errs = append(errs, err) }
	_, err = FSChown(l, name, -1, -1, keep)
	require.NoError(t, err)
	_, err = FSFchown(l, fd, uid, gid, keep)
	require.NoError(t, err)
	runFS(t, l)
	_, err = FSFchown(l, fd, -1, gid, nil)
	assert.NoError(t, err)
	if uid != 0 {
		_, err = FSChown(l, name, 0, 0, nil)
		assertFSError(t, err, "uv_fs_chown", name, EPERM)
	}
	_, err = FSSymlink(l, name, link, 0, nil)
	require.NoError(t, err)
	_, err = FSLchown(l, link, uid, gid, keep)
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, []error{nil, nil, nil}, errs)
	st, _, err := FSLstat(l, link, nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(uid), st.UID)
	// Bad ids never reach the kernel.
	_, err = FSChown(l, name, -2, 0, nil)
	assertFSError(t, err, "uv_fs_chown", name, EINVAL)
	_, err = FSFchown(l, fd, 0, -5, nil)
	assertFSError(t, err, "uv_fs_fchown", "", EINVAL)
	fsCloseSync(t, l, fd)
}

func TestFSLink(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name, link, link2 := filepath.Join(dir, "test_file"), filepath.Join(dir, "test_file_link"), filepath.Join(dir, "test_file_link2")
	require.NoError(t, os.WriteFile(name, testBuf, 0o600))
	_, err := FSLink(l, name, link, nil)
	require.NoError(t, err)
	var cbErr error
	_, err = FSLink(l, name, link2, func(err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	for _, p := range []string{link, link2} {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.Equal(t, testBuf, b)
	}
	st, _, err := FSStat(l, name, nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(3), st.Nlink)
	// Linking onto an existing name: the error names both paths.
	_, err = FSLink(l, name, link, nil)
	assertFSError(t, err, "uv_fs_link", name, EEXIST)
	assert.ErrorIs(t, err, fs.ErrExist)
	assert.Contains(t, err.Error(), link)
}

func TestFSReadlink(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "no_such_file")
	_, _, err := FSReadlink(l, missing, nil)
	assertFSError(t, err, "uv_fs_readlink", missing, ENOENT)
	var cbErr error
	_, _, err = FSReadlink(l, missing, func(_ string, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_readlink", missing, ENOENT)
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink("some/target", link))
	target, _, err := FSReadlink(l, link, nil)
	require.NoError(t, err)
	assert.Equal(t, "some/target", target)
}

func TestFSRealpath(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "no_such_file")
	_, _, err := FSRealpath(l, missing, nil)
	assertFSError(t, err, "uv_fs_realpath", missing, ENOENT)
	var cbErr error
	_, _, err = FSRealpath(l, missing, func(_ string, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_realpath", missing, ENOENT)

	real, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.Symlink("sub", filepath.Join(dir, "link")))
	var got string
	_, _, err = FSRealpath(l, filepath.Join(dir, "link", "..", "link"), func(p string, err error) { got, cbErr = p, err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	assert.Equal(t, filepath.Join(real, "sub"), got)
	wd, err := os.Getwd()
	require.NoError(t, err)
	got, _, err = FSRealpath(l, ".", nil)
	require.NoError(t, err)
	wdReal, _ := filepath.EvalSymlinks(wd)
	assert.Equal(t, wdReal, got)
}

func TestFSSymlink(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "test_file")
	require.NoError(t, os.WriteFile(name, testBuf, 0o600))
	link, rel, asyncLink := filepath.Join(dir, "test_file_symlink"), filepath.Join(dir, "test_file_symlink2"), filepath.Join(dir, "test_file_symlink3")
	_, err := FSSymlink(l, name, link, 0, nil)
	require.NoError(t, err)
	_, err = FSSymlink(l, "test_file", rel, 0, nil) // relative to the link's directory
	require.NoError(t, err)
	var cbErr error
	_, err = FSSymlink(l, name, asyncLink, 0, func(err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	for _, p := range []string{link, rel, asyncLink} {
		fd := fsOpen(t, l, p, os.O_RDONLY, 0)
		buf := make([]byte, 32)
		n, _, err := FSRead(l, fd, buf, -1, nil)
		assert.NoError(t, err)
		assert.Equal(t, testBuf, buf[:n])
		fsCloseSync(t, l, fd)
		st, _, err := FSLstat(l, p, nil)
		require.NoError(t, err)
		assert.Equal(t, os.ModeSymlink, st.Mode.Type())
	}
	target, _, err := FSReadlink(l, rel, nil)
	require.NoError(t, err)
	assert.Equal(t, "test_file", target)
	// An existing link name, and an unknown flag.
	_, err = FSSymlink(l, name, link, 0, nil)
	assertFSError(t, err, "uv_fs_symlink", name, EEXIST)
	_, err = FSSymlink(l, name, link+"4", 8, nil)
	assertFSError(t, err, "uv_fs_symlink", name, EINVAL)
}

// TestFSSymlinkDir links to a directory with UV_FS_SYMLINK_DIR, which
// Linux ignores, and lists the directory through the link.
func TestFSSymlinkDir(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	target, link := filepath.Join(dir, "test_dir"), filepath.Join(dir, "test_dir_symlink")
	require.NoError(t, os.Mkdir(target, 0o755))
	for _, f := range []string{"file1", "file2"} {
		require.NoError(t, os.WriteFile(filepath.Join(target, f), nil, 0o600))
	}
	_, err := FSSymlink(l, target, link, FSSymlinkDir, nil)
	require.NoError(t, err)
	st, _, err := FSStat(l, link, nil)
	require.NoError(t, err)
	assert.True(t, st.IsDir())
	lst, _, err := FSLstat(l, link, nil)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, lst.Mode.Type())
	got, _, err := FSReadlink(l, link, nil)
	require.NoError(t, err)
	assert.Equal(t, target, got)
	real, _, err := FSRealpath(l, link, nil)
	require.NoError(t, err)
	want, _ := filepath.EvalSymlinks(target)
	assert.Equal(t, want, real)
	var ents []DirEnt
	var cbErr error
	_, _, err = FSScandir(l, link, func(e []DirEnt, err error) { ents, cbErr = e, err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	assert.Equal(t, []DirEnt{{"file1", DirentFile}, {"file2", DirentFile}}, ents)
	_, err = FSUnlink(l, link, nil)
	assert.NoError(t, err)
	assert.DirExists(t, target)
}

// TestFSOpenFlags: libuv's test-fs-open-flags.c runs on Windows only (it
// checks that UV_FS_O_* map to the Windows flags). On Linux the flags are
// the kernel's own; this checks the ones whose effect is visible, and that
// a negative flag set is refused before the kernel sees it.
func TestFSOpenFlags(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "test_file")
	require.NoError(t, os.WriteFile(name, testBuf, 0o600))
	_, _, err := FSOpen(l, name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, nil)
	assertFSError(t, err, "uv_fs_open", name, EEXIST)
	// O_RDONLY does not write; O_WRONLY does not read.
	fd := fsOpen(t, l, name, os.O_RDONLY, 0)
	_, _, err = FSWrite(l, fd, testBuf, -1, nil)
	assertFSError(t, err, "uv_fs_write", "", EBADF)
	fsCloseSync(t, l, fd)
	fd = fsOpen(t, l, name, os.O_WRONLY, 0)
	_, _, err = FSRead(l, fd, make([]byte, 4), -1, nil)
	assertFSError(t, err, "uv_fs_read", "", EBADF)
	fsCloseSync(t, l, fd)
	// O_TRUNC empties the file.
	fd = fsOpen(t, l, name, os.O_RDWR|os.O_TRUNC, 0)
	st, _, err := FSFstat(l, fd, nil)
	require.NoError(t, err)
	assert.Zero(t, st.Size)
	fsCloseSync(t, l, fd)
	// O_DIRECTORY on a file.
	_, _, err = FSOpen(l, name, os.O_RDONLY|syscall.O_DIRECTORY, 0, nil)
	assertFSError(t, err, "uv_fs_open", name, ENOTDIR)
	// O_CREATE makes the file with mode (the umask permitting).
	created := filepath.Join(dir, "created")
	fd = fsOpen(t, l, created, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	st, _, err = FSFstat(l, fd, nil)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode)
	fsCloseSync(t, l, fd)
	_, _, err = FSOpen(l, name, -1, 0, nil)
	assertFSError(t, err, "uv_fs_open", name, EINVAL)
	_, _, err = FSOpen(l, name, -1, 0, func(int, error) {})
	assertFSError(t, err, "uv_fs_open", name, EINVAL)
}

// checkTimes stats path (lstat when link) and checks its times against
// atime and mtime, to the microsecond that libuv's float64 seconds keep.
func checkTimes(t *testing.T, l *Loop, path string, link bool, atime, mtime time.Time) {
	t.Helper()
	stat := FSStat
	if link {
		stat = FSLstat
	}
	st, _, err := stat(l, path, nil)
	require.NoError(t, err)
	assert.WithinDuration(t, atime, st.Atime, time.Microsecond)
	assert.WithinDuration(t, mtime, st.Mtime, time.Microsecond)
}

func TestFSUtime(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	require.NoError(t, os.WriteFile(name, nil, 0o600))
	atime := time.Unix(400497753, 250000000) // 1982-09-10 11:22:33.25, libuv's choice
	mtime := atime
	_, err := FSUtime(l, name, atime, mtime, nil)
	require.NoError(t, err)
	checkTimes(t, l, name, false, atime, mtime)
	atime2, mtime2 := time.Unix(1234567890, 123456000), time.Unix(1234567000, 0)
	var cbErr error
	var calls counter
	_, err = FSUtime(l, name, atime2, mtime2, func(err error) { calls.inc(); cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, 1, calls.n)
	require.NoError(t, cbErr)
	checkTimes(t, l, name, false, atime2, mtime2)
	missing := name + ".missing"
	_, err = FSUtime(l, missing, atime, mtime, nil)
	assertFSError(t, err, "uv_fs_utime", missing, ENOENT)
}

func TestFSFutime(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	atime, mtime := time.Unix(400497753, 250000000), time.Unix(400497000, 0)
	_, err := FSFutime(l, fd, atime, mtime, nil)
	require.NoError(t, err)
	checkTimes(t, l, name, false, atime, mtime)
	atime2 := time.Unix(1700000000, 500000000)
	var cbErr error
	_, err = FSFutime(l, fd, atime2, atime2, func(err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	checkTimes(t, l, name, false, atime2, atime2)
	fsCloseSync(t, l, fd)
	_, err = FSFutime(l, fd, atime, mtime, nil)
	assertFSError(t, err, "uv_fs_futime", "", EBADF)
}

// TestFSLutime sets a symbolic link's own times: the target's stay.
func TestFSLutime(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name, link := filepath.Join(dir, "test_file"), filepath.Join(dir, "test_file_link")
	require.NoError(t, os.WriteFile(name, nil, 0o600))
	old := time.Unix(1000000000, 0)
	_, err := FSUtime(l, name, old, old, nil)
	require.NoError(t, err)
	require.NoError(t, os.Symlink(name, link))
	atime, mtime := time.Unix(400497753, 250000000), time.Unix(400497000, 0)
	var cbErr error
	_, err = FSLutime(l, link, atime, mtime, func(err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	checkTimes(t, l, link, true, atime, mtime)
	checkTimes(t, l, name, false, old, old)
	_, err = FSLutime(l, link, old, old, nil)
	require.NoError(t, err)
	checkTimes(t, l, link, true, old, old)
}

func TestFSFileOpenAppend(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	for range 2 {
		fd := fsOpen(t, l, name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		n, _, err := FSWrite(l, fd, testBuf, -1, nil)
		require.NoError(t, err)
		assert.Equal(t, len(testBuf), n)
		fsCloseSync(t, l, fd)
	}
	fd := fsOpen(t, l, name, os.O_RDONLY, 0)
	buf := make([]byte, 64)
	n, _, err := FSRead(l, fd, buf, -1, nil)
	require.NoError(t, err)
	assert.Equal(t, string(testBuf)+string(testBuf), string(buf[:n]))
	fsCloseSync(t, l, fd)
}

func TestFSStatfs(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	var sys syscall.Statfs_t
	require.NoError(t, syscall.Statfs(dir, &sys))
	check := func(st StatFS) {
		t.Helper()
		assert.Equal(t, uint64(sys.Type), st.Type)
		assert.Equal(t, uint64(sys.Bsize), st.BSize)
		assert.Equal(t, sys.Blocks, st.Blocks)
		assert.NotZero(t, st.BSize)
	}
	st, r, err := FSStatfs(l, dir, nil)
	require.NoError(t, err)
	assert.Nil(t, r)
	check(st)
	var ast StatFS
	var cbErr error
	_, r, err = FSStatfs(l, dir, func(s StatFS, err error) { ast, cbErr = s, err })
	require.NoError(t, err)
	require.NotNil(t, r)
	runFS(t, l)
	require.NoError(t, cbErr)
	check(ast)
	missing := filepath.Join(dir, "missing")
	_, _, err = FSStatfs(l, missing, nil)
	assertFSError(t, err, "uv_fs_statfs", missing, ENOENT)
}

// TestFSStatMissingPath: libuv stats "" and gets ENOENT; the binding says
// so before the kernel is asked, in the same terms.
func TestFSStatMissingPath(t *testing.T) {
	l := newLoop(t)
	_, _, err := FSStat(l, "", nil)
	assertFSError(t, err, "uv_fs_stat", "", ENOENT)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, _, err = FSStat(l, "", func(Stat, error) {})
	assertFSError(t, err, "uv_fs_stat", "", ENOENT)
}

// TestFSReadBufs reads a file into several buffers at once: no buffers is
// EINVAL; the buffers fill in order; a read at an offset fills only what
// is left of the file.
func TestFSReadBufs(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	content := make([]byte, 446)
	for i := range content {
		content[i] = byte('a' + i%26)
	}
	require.NoError(t, os.WriteFile(name, content, 0o600))
	fd := fsOpen(t, l, name, os.O_RDONLY, 0)
	_, _, err := FSReadV(l, fd, nil, 0, nil)
	assertFSError(t, err, "uv_fs_read", "", EINVAL)
	_, _, err = FSReadV(l, fd, [][]byte{}, 0, nil)
	assertFSError(t, err, "uv_fs_read", "", EINVAL)
	_, _, err = FSRead(l, fd, nil, 0, nil)
	assertFSError(t, err, "uv_fs_read", "", EINVAL)

	bufs := [][]byte{make([]byte, 128), make([]byte, 128), make([]byte, 128), make([]byte, 128)}
	n, _, err := FSReadV(l, fd, bufs, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, 446, n)
	assert.Equal(t, content[:128], bufs[0])
	assert.Equal(t, content[128:256], bufs[1])
	assert.Equal(t, content[256:384], bufs[2])
	assert.Equal(t, content[384:446], bufs[3][:62])

	bufs2 := [][]byte{make([]byte, 128), make([]byte, 128)}
	var cbErr error
	_, _, err = FSReadV(l, fd, bufs2, 256, func(m int, err error) { n, cbErr = m, err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	assert.Equal(t, 190, n) // 446 - 256
	assert.Equal(t, bufs[2], bufs2[0])
	assert.Equal(t, bufs[3][:62], bufs2[1][:62])
	fsCloseSync(t, l, fd)
}

func TestFSReadFileEOF(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_WRONLY|os.O_CREATE, 0o600)
	_, _, err := FSWrite(l, fd, testBuf, -1, nil)
	require.NoError(t, err)
	fsCloseSync(t, l, fd)
	fd = fsOpen(t, l, name, os.O_RDONLY, 0)
	buf := make([]byte, 32)
	n, _, err := FSRead(l, fd, buf, -1, nil)
	require.NoError(t, err)
	assert.Equal(t, testBuf, buf[:n])
	// At the end of the file: 0 and no error, as libuv says.
	m, _, err := FSRead(l, fd, buf, int64(n), nil)
	assert.NoError(t, err)
	assert.Zero(t, m)
	calls := 0
	_, _, err = FSRead(l, fd, buf, int64(n), func(m int, err error) {
		calls++
		assert.NoError(t, err)
		assert.Zero(t, m)
	})
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, 1, calls)
	fsCloseSync(t, l, fd)
}

func TestFSScandirEmptyDir(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	ents, r, err := FSScandir(l, dir, nil)
	require.NoError(t, err)
	assert.Nil(t, r)
	assert.Empty(t, ents)
	var calls counter
	var cbErr error
	ents = nil
	_, _, err = FSScandir(l, dir, func(e []DirEnt, err error) { calls.inc(); ents, cbErr = e, err })
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, 1, calls.n)
	assert.NoError(t, cbErr)
	assert.Empty(t, ents)
}

func TestFSScandirNonExistentDir(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(t.TempDir(), "no_such_dir")
	_, _, err := FSScandir(l, dir, nil)
	assertFSError(t, err, "uv_fs_scandir", dir, ENOENT)
	var cbErr error
	_, _, err = FSScandir(l, dir, func(_ []DirEnt, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_scandir", dir, ENOENT)
}

func TestFSScandirFile(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	require.NoError(t, os.WriteFile(name, nil, 0o600))
	_, _, err := FSScandir(l, name, nil)
	assertFSError(t, err, "uv_fs_scandir", name, ENOTDIR)
	var cbErr error
	_, _, err = FSScandir(l, name, func(_ []DirEnt, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_scandir", name, ENOTDIR)
}

// TestFSOpenDir opens a directory read-only, synchronously and not.
func TestFSOpenDir(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	fd := fsOpen(t, l, dir, os.O_RDONLY, 0)
	fsCloseSync(t, l, fd)
	var cbFd int
	var cbErr error
	_, _, err := FSOpen(l, dir, os.O_RDONLY, 0, func(fd int, err error) { cbFd, cbErr = fd, err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	assert.GreaterOrEqual(t, cbFd, 0)
	fsCloseSync(t, l, cbFd)
}

func TestFSReaddirEmptyDir(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	d, r, err := FSOpendir(l, dir, nil)
	require.NoError(t, err)
	assert.Nil(t, r)
	ents, _, err := FSReaddir(l, d, 1, nil)
	assert.NoError(t, err)
	assert.Empty(t, ents)
	_, err = FSClosedir(l, d, nil)
	require.NoError(t, err)
	// The same, asynchronously.
	var steps []string
	var errs []error
	_, _, err = FSOpendir(l, dir, func(d *Dir, err error) {
		steps = append(steps, "opendir")
		if err != nil {
			errs = append(errs, err)
			return
		}
		FSReaddir(l, d, 1, func(ents []DirEnt, err error) {
			steps = append(steps, "readdir "+itoa(len(ents)))
			if err != nil {
				errs = append(errs, err)
			}
			FSClosedir(l, d, func(err error) {
				steps = append(steps, "closedir")
				if err != nil {
					errs = append(errs, err)
				}
			})
		})
	})
	require.NoError(t, err)
	runFS(t, l)
	assert.Empty(t, errs)
	assert.Equal(t, []string{"opendir", "readdir 0", "closedir"}, steps)
	// A closed Dir.
	_, _, err = FSReaddir(l, d, 1, nil)
	assertFSError(t, err, "uv_fs_readdir", "", EBADF)
	_, err = FSClosedir(l, d, nil)
	assertFSError(t, err, "uv_fs_closedir", "", EBADF)
}

func TestFSReaddirFile(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	require.NoError(t, os.WriteFile(name, nil, 0o600))
	d, _, err := FSOpendir(l, name, nil)
	assert.Nil(t, d)
	assertFSError(t, err, "uv_fs_opendir", name, ENOTDIR)
	var cbErr error
	_, _, err = FSOpendir(l, name, func(d *Dir, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_opendir", name, ENOTDIR)
}

func TestFSReaddirNonExistingDir(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(t.TempDir(), "no_such_dir")
	_, _, err := FSOpendir(l, dir, nil)
	assertFSError(t, err, "uv_fs_opendir", dir, ENOENT)
	var cbErr error
	_, _, err = FSOpendir(l, dir, func(d *Dir, err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_opendir", dir, ENOENT)
}

// TestFSReaddirNonEmptyDir reads a directory of two files and a
// subdirectory one entry at a time, synchronously then asynchronously,
// until a read gives none.
func TestFSReaddirNonEmptyDir(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file1"), nil, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file2"), nil, 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "test_subdir"), 0o755))
	want := map[string]DirEntType{"file1": DirentFile, "file2": DirentFile, "test_subdir": DirentDir}

	d, _, err := FSOpendir(l, dir, nil)
	require.NoError(t, err)
	got := map[string]DirEntType{}
	for {
		ents, _, err := FSReaddir(l, d, 1, nil)
		require.NoError(t, err)
		if len(ents) == 0 {
			break
		}
		require.Len(t, ents, 1)
		got[ents[0].Name] = ents[0].Type
	}
	assert.Equal(t, want, got)
	_, err = FSClosedir(l, d, nil)
	require.NoError(t, err)

	got = map[string]DirEntType{}
	var errs []error
	reads := 0
	var next func(d *Dir)
	next = func(d *Dir) {
		_, _, err := FSReaddir(l, d, 1, func(ents []DirEnt, err error) {
			reads++
			if err != nil {
				errs = append(errs, err)
			}
			for _, e := range ents {
				got[e.Name] = e.Type
			}
			if len(ents) > 0 && err == nil {
				next(d)
				return
			}
			FSClosedir(l, d, func(err error) {
				if err != nil {
					errs = append(errs, err)
				}
			})
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	_, _, err = FSOpendir(l, dir, func(d *Dir, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		next(d)
		// One request at a time per Dir.
		_, _, err = FSReaddir(l, d, 1, nil)
		if e, ok := err.(*Error); !ok || e.Code != EBUSY {
			errs = append(errs, err)
		}
	})
	require.NoError(t, err)
	runFS(t, l)
	assert.Empty(t, errs)
	assert.Equal(t, want, got)
	assert.Equal(t, 4, reads)

	// All at once.
	d, _, err = FSOpendir(l, dir, nil)
	require.NoError(t, err)
	ents, _, err := FSReaddir(l, d, 16, nil)
	require.NoError(t, err)
	assert.Len(t, ents, 3)
	_, _, err = FSReaddir(l, d, 0, nil)
	assertFSError(t, err, "uv_fs_readdir", "", EINVAL)
	_, err = FSClosedir(l, d, nil)
	require.NoError(t, err)
	_, _, err = FSReaddir(l, nil, 1, nil)
	assertFSError(t, err, "uv_fs_readdir", "", EINVAL)
}

func TestFSRenameToExistingFile(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name, name2 := filepath.Join(dir, "test_file"), filepath.Join(dir, "test_file2")
	require.NoError(t, os.WriteFile(name, testBuf, 0o600))
	require.NoError(t, os.WriteFile(name2, []byte("old"), 0o600))
	var cbErr error
	var calls counter
	_, err := FSRename(l, name, name2, func(err error) { calls.inc(); cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	assert.Equal(t, 1, calls.n)
	require.NoError(t, cbErr)
	b, err := os.ReadFile(name2)
	require.NoError(t, err)
	assert.Equal(t, testBuf, b)
	assert.NoFileExists(t, name)
	// Renaming a missing file: Path is the source, Detail the destination.
	_, err = FSRename(l, name, name2, nil)
	assertFSError(t, err, "uv_fs_rename", name, ENOENT)
	assert.Contains(t, err.(*Error).Detail, name2)
}

// TestFSWriteMultipleBufs writes two buffers at once, reads them back into
// two, then does the same at an offset and asynchronously.
func TestFSWriteMultipleBufs(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	n, _, err := FSWriteV(l, fd, [][]byte{testBuf, testBuf}, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, 2*len(testBuf), n)
	b1, b2 := make([]byte, len(testBuf)), make([]byte, len(testBuf))
	n, _, err = FSReadV(l, fd, [][]byte{b1, b2}, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, 2*len(testBuf), n)
	assert.Equal(t, testBuf, b1)
	assert.Equal(t, testBuf, b2)
	// At an offset inside the file, asynchronously.
	var wn, rn int
	var errs []error
	_, _, err = FSWriteV(l, fd, [][]byte{[]byte("ab"), []byte("cd")}, 4, func(n int, err error) {
		wn = n
		if err != nil {
			errs = append(errs, err)
		}
		clear(b1)
		clear(b2)
		FSReadV(l, fd, [][]byte{b1[:4], b2[:6]}, 2, func(n int, err error) {
			rn = n
			if err != nil {
				errs = append(errs, err)
			}
		})
	})
	require.NoError(t, err)
	runFS(t, l)
	assert.Empty(t, errs)
	assert.Equal(t, 4, wn)
	assert.Equal(t, 10, rn)
	assert.Equal(t, "stab", string(b1[:4]))
	assert.Equal(t, "cdfer\n", string(b2[:6]))
	fsCloseSync(t, l, fd)
}

// testWriteAlotofBufs writes 54321 buffers in one request (libuv splits
// them in IOV_MAX batches) at offset, after filler, and reads them back:
// a read takes at most IOV_MAX buffers.
func testWriteAlotofBufs(t *testing.T, withOffset bool) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	off := int64(0)
	if withOffset {
		n, _, err := FSWrite(l, fd, []byte("0123456789"), -1, nil)
		require.NoError(t, err)
		off = int64(n)
	}
	const count = 54321
	bufs := make([][]byte, count)
	for i := range bufs {
		bufs[i] = testBuf
	}
	n, _, err := FSWriteV(l, fd, bufs, off, nil)
	require.NoError(t, err)
	require.Equal(t, count*len(testBuf), n)
	back := make([]byte, count*len(testBuf))
	for i := range bufs {
		bufs[i] = back[i*len(testBuf) : (i+1)*len(testBuf)]
	}
	n, _, err = FSReadV(l, fd, bufs, off, nil)
	require.NoError(t, err)
	iovMax := 1024
	require.Equal(t, iovMax*len(testBuf), n)
	assert.True(t, bytes.Equal(bytes.Repeat(testBuf, iovMax), back[:n]))
	st, _, err := FSFstat(l, fd, nil)
	require.NoError(t, err)
	assert.Equal(t, off+int64(count*len(testBuf)), st.Size)
	n, _, err = FSRead(l, fd, make([]byte, 16), st.Size, nil)
	assert.NoError(t, err)
	assert.Zero(t, n)
	fsCloseSync(t, l, fd)
}

func TestFSWriteAlotofBufs(t *testing.T)           { testWriteAlotofBufs(t, false) }
func TestFSWriteAlotofBufsWithOffset(t *testing.T) { testWriteAlotofBufs(t, true) }

// testFSPartial reads (doread) or writes 54321 buffers on a pipe whose
// other end a goroutine drains or fills 1000 bytes at a time: reads come
// back partial and are resumed where they stopped; one write request
// writes everything, looping over short writes. libuv's test also sends
// SIGUSR1 to interrupt the calls with EINTR; Go's runtime restarts
// interrupted calls on its own threads and libuv retries EINTR, so that
// part is left out.
func testFSPartial(t *testing.T, doread bool) {
	l := newLoop(t)
	const count = 54321
	size := count * len(testBuf)
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	buffer := make([]byte, size)
	if !doread { // we write buffer, the peer reads into data
		buffer, data = data, buffer
	}
	var p [2]int
	require.NoError(t, syscall.Pipe2(p[:], syscall.O_CLOEXEC))
	peerErr := make(chan error, 1)
	go func() {
		var err error
		for off := 0; off < size && err == nil; {
			n := min(1000, size-off)
			if doread { // the peer writes what we read
				n, err = syscall.Write(p[1], data[off:off+n])
			} else {
				n, err = syscall.Read(p[0], data[off:off+n])
			}
			off += n
		}
		peerErr <- err
	}()
	if doread {
		bufs := make([][]byte, count)
		for i := range bufs {
			bufs[i] = buffer[i*len(testBuf) : (i+1)*len(testBuf)]
		}
		for nread := 0; nread < size; {
			n, _, err := FSReadV(l, p[0], bufs, -1, nil)
			require.NoError(t, err)
			require.Positive(t, n)
			nread += n
			for n > 0 && n >= len(bufs[0]) {
				n -= len(bufs[0])
				bufs = bufs[1:]
			}
			if n > 0 {
				bufs[0] = bufs[0][n:]
			}
		}
	} else {
		bufs := make([][]byte, count)
		for i := range bufs {
			bufs[i] = buffer[i*len(testBuf) : (i+1)*len(testBuf)]
		}
		n, _, err := FSWriteV(l, p[1], bufs, -1, nil)
		require.NoError(t, err)
		require.Equal(t, size, n)
	}
	require.NoError(t, <-peerErr)
	assert.True(t, bytes.Equal(buffer, data))
	fsCloseSync(t, l, p[1])
	n, _, err := FSRead(l, p[0], make([]byte, 16), -1, nil) // all was read
	assert.NoError(t, err)
	assert.Zero(t, n)
	fsCloseSync(t, l, p[0])
}

func TestFSPartialRead(t *testing.T)  { testFSPartial(t, true) }
func TestFSPartialWrite(t *testing.T) { testFSPartial(t, false) }

// filePos returns fd's position.
func filePos(t *testing.T, fd int) int64 {
	t.Helper()
	pos, err := syscall.Seek(fd, 0, 1)
	require.NoError(t, err)
	return pos
}

// TestFSFilePosAfterOpWithOffset: reads and writes at an offset leave the
// file's position alone.
func TestFSFilePosAfterOpWithOffset(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_RDWR|os.O_CREATE, 0o600)
	n, _, err := FSWrite(l, fd, testBuf, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, len(testBuf), n)
	assert.Zero(t, filePos(t, fd))
	buf := make([]byte, 32)
	n, _, err = FSRead(l, fd, buf, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, testBuf, buf[:n])
	assert.Zero(t, filePos(t, fd))
	fsCloseSync(t, l, fd)
}

// filePosCommon is libuv's fs_file_pos_common: writes at the position move
// it, reads at an offset do not.
func filePosCommon(t *testing.T, l *Loop, fd int) {
	t.Helper()
	n, _, err := FSWrite(l, fd, []byte("abc"), -1, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	buf := make([]byte, 16)
	n, _, err = FSRead(l, fd, buf[:1], 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, byte('b'), buf[0])
	n, _, err = FSRead(l, fd, buf, -1, nil)
	require.NoError(t, err)
	assert.Zero(t, n) // still at the end
	n, _, err = FSWrite(l, fd, []byte("d"), -1, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, _, err = FSRead(l, fd, buf, -1, nil)
	require.NoError(t, err)
	assert.Zero(t, n)
}

// filePosCloseCheck closes fd and checks the file holds want.
func filePosCloseCheck(t *testing.T, l *Loop, fd int, name, want string) {
	t.Helper()
	fsCloseSync(t, l, fd)
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, want, string(b))
}

// TestFSFilePosWrite: libuv runs it on Windows only (where it tests its own
// emulation of positions); Linux's pwrite and write behave the same way,
// so it runs here too. A write at an offset does not move the position.
func TestFSFilePosWrite(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_TRUNC|os.O_CREATE|os.O_RDWR, 0o600)
	filePosCommon(t, l, fd)
	n, _, err := FSWrite(l, fd, []byte("e"), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	n, _, err = FSRead(l, fd, make([]byte, 16), -1, nil)
	require.NoError(t, err)
	assert.Zero(t, n)
	filePosCloseCheck(t, l, fd, name, "aecd")
}

// TestFSFilePosAppend: with O_APPEND a write at an offset appends (Linux's
// pwrite ignores the offset then) and leaves the position where it was.
func TestFSFilePosAppend(t *testing.T) {
	l := newLoop(t)
	name := filepath.Join(t.TempDir(), "test_file")
	fd := fsOpen(t, l, name, os.O_APPEND|os.O_CREATE|os.O_RDWR, 0o600)
	filePosCommon(t, l, fd)
	n, _, err := FSWrite(l, fd, []byte("e"), 1, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	buf := make([]byte, 16)
	n, _, err = FSRead(l, fd, buf, -1, nil)
	require.NoError(t, err)
	assert.Equal(t, "e", string(buf[:n]))
	filePosCloseCheck(t, l, fd, name, "abcde")
}

func TestFSReadDir(t *testing.T) {
	l := newLoop(t)
	dir := filepath.Join(t.TempDir(), "test_dir")
	var cbErr error
	_, err := FSMkdir(l, dir, 0o755, func(err error) { cbErr = err })
	require.NoError(t, err)
	runFS(t, l)
	require.NoError(t, cbErr)
	fd := fsOpen(t, l, dir, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	_, _, err = FSRead(l, fd, make([]byte, 2), 0, nil)
	assertFSError(t, err, "uv_fs_read", "", EISDIR)
	fsCloseSync(t, l, fd)
}

// TestFSInvalidMkdirName: libuv's test is for Windows, where "invalid>"
// and "test:lol" are not names. Linux takes both; the name it cannot take
// is one with a NUL byte, which the binding refuses (C would cut it).
func TestFSInvalidMkdirName(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad\x00name")
	_, err := FSMkdir(l, bad, 0o755, nil)
	assertFSError(t, err, "uv_fs_mkdir", bad, EINVAL)
	_, err = FSMkdir(l, bad, 0o755, func(error) {})
	assertFSError(t, err, "uv_fs_mkdir", bad, EINVAL)
	assert.NoDirExists(t, filepath.Join(dir, "bad"))
	for _, name := range []string{"invalid>", "test:lol"} {
		_, err = FSMkdir(l, filepath.Join(dir, name), 0o755, nil)
		assert.NoError(t, err)
	}
}

// TestFSCopyfile follows test-fs-copyfile.c: bad flags, a missing source,
// a file copied onto itself, new, empty, overwritten, refused (EXCL),
// truncated and larger copies, asynchronously, and with the clone flags.
func TestFSCopyfile(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	src, dst, fixture := filepath.Join(dir, "test_file_src"), filepath.Join(dir, "test_file_dst"), filepath.Join(dir, "fixture")
	fixtureData := bytes.Repeat([]byte("fixture content\n"), 100)
	require.NoError(t, os.WriteFile(fixture, fixtureData, 0o640))
	touch := func(p string, size int) {
		t.Helper()
		require.NoError(t, os.WriteFile(p, bytes.Repeat([]byte{'a'}, size), 0o600))
	}
	same := func(from string) {
		t.Helper()
		a, err := os.ReadFile(from)
		require.NoError(t, err)
		b, err := os.ReadFile(dst)
		require.NoError(t, err)
		assert.Equal(t, a, b)
		sa, _, err := FSStat(l, from, nil)
		require.NoError(t, err)
		sb, _, err := FSStat(l, dst, nil)
		require.NoError(t, err)
		assert.Equal(t, sa.Mode, sb.Mode)
	}
	_, err := FSCopyfile(l, src, dst, -1, nil)
	assertFSError(t, err, "uv_fs_copyfile", src, EINVAL)
	_, err = FSCopyfile(l, src, dst, 8, nil)
	assertFSError(t, err, "uv_fs_copyfile", src, EINVAL)
	_, err = FSCopyfile(l, src, dst, 0, nil)
	assertFSError(t, err, "uv_fs_copyfile", src, ENOENT)
	assert.Contains(t, err.Error(), dst)
	assert.NoFileExists(t, dst)

	touch(src, 12)
	_, err = FSCopyfile(l, src, src, 0, nil)
	require.NoError(t, err)
	st, _, err := FSStat(l, src, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(12), st.Size, "copied onto itself, the file keeps its bytes")

	_, err = FSCopyfile(l, fixture, dst, 0, nil)
	require.NoError(t, err)
	same(fixture)
	require.NoError(t, os.Remove(dst))
	touch(src, 0)
	_, err = FSCopyfile(l, src, dst, 0, nil)
	require.NoError(t, err)
	same(src)
	_, err = FSCopyfile(l, fixture, dst, 0, nil) // overwrites
	require.NoError(t, err)
	same(fixture)
	_, err = FSCopyfile(l, fixture, dst, FSCopyfileExcl, nil)
	assertFSError(t, err, "uv_fs_copyfile", fixture, EEXIST)
	touch(src, 1)
	_, err = FSCopyfile(l, src, dst, 0, nil) // truncates the larger dst
	require.NoError(t, err)
	same(src)
	require.NoError(t, os.Remove(dst))
	touch(src, 4096*2)
	_, err = FSCopyfile(l, src, dst, 0, nil)
	require.NoError(t, err)
	same(src)

	require.NoError(t, os.Remove(dst))
	var calls counter
	var cbErr error
	r, err := FSCopyfile(l, fixture, dst, 0, func(err error) { calls.inc(); cbErr = err })
	require.NoError(t, err)
	require.NotNil(t, r)
	assert.Zero(t, calls.n)
	runFS(t, l)
	assert.Equal(t, 1, calls.n)
	require.NoError(t, cbErr)
	same(fixture)
	// Bad flags with a callback: no request, nothing keeps the loop.
	require.NoError(t, os.Remove(dst))
	r, err = FSCopyfile(l, fixture, dst, -1, func(error) { calls.inc() })
	assert.Nil(t, r)
	assertFSError(t, err, "uv_fs_copyfile", fixture, EINVAL)
	runFS(t, l)
	assert.Equal(t, 1, calls.n)

	_, err = FSCopyfile(l, fixture, dst, FSCopyfileFIClone, nil)
	require.NoError(t, err)
	same(fixture)
	require.NoError(t, os.Remove(dst))
	// FICLONE_FORCE works only where the file system makes reflinks.
	if _, err = FSCopyfile(l, fixture, dst, FSCopyfileFICloneForce, nil); err == nil {
		same(fixture)
	} else {
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Contains(t, []Errno{ENOTSUP, ENOTTY, EXDEV, EINVAL, ENOSYS, EBADF}, e.Code, "%v", err)
	}
	// libuv then checks that copying onto a read-only file is EACCES. Root
	// may write any file, and these tests run as root: only for others.
	if os.Getuid() != 0 {
		os.Remove(dst)
		touch(dst, 0)
		require.NoError(t, os.Chmod(dst, 0o444))
		_, err = FSCopyfile(l, fixture, dst, 0, nil)
		assertFSError(t, err, "uv_fs_copyfile", fixture, EACCES)
	}
}

// TestFSNullReq: libuv checks that every fs call refuses a NULL request.
// Requests are the binding's own here; the argument a Go caller can get
// wrong in their place is the loop: each call refuses a nil one, without
// a callback or with one, with EINVAL.
func TestFSNullReq(t *testing.T) {
	now := time.Now()
	cb := func(error) {}
	p := "x"
	calls := map[string]func(cb func(error)) error{
		"uv_fs_open": func(cb func(error)) error {
			_, _, err := FSOpen(nil, p, 0, 0, nilOr(cb, func(int, error) {}))
			return err
		},
		"uv_fs_close": func(cb func(error)) error { _, err := FSClose(nil, 0, cb); return err },
		"uv_fs_read": func(cb func(error)) error {
			_, _, err := FSRead(nil, 0, []byte{}, 0, nilOr(cb, func(int, error) {}))
			return err
		},
		"uv_fs_write": func(cb func(error)) error {
			_, _, err := FSWrite(nil, 0, []byte{}, 0, nilOr(cb, func(int, error) {}))
			return err
		},
		"uv_fs_unlink": func(cb func(error)) error { _, err := FSUnlink(nil, p, cb); return err },
		"uv_fs_mkdir":  func(cb func(error)) error { _, err := FSMkdir(nil, p, 0, cb); return err },
		"uv_fs_mkdtemp": func(cb func(error)) error {
			_, _, err := FSMkdtemp(nil, p, nilOr(cb, func(string, error) {}))
			return err
		},
		"uv_fs_mkstemp": func(cb func(error)) error {
			_, _, _, err := FSMkstemp(nil, p, nilOr(cb, func(int, string, error) {}))
			return err
		},
		"uv_fs_rmdir": func(cb func(error)) error { _, err := FSRmdir(nil, p, cb); return err },
		"uv_fs_opendir": func(cb func(error)) error {
			_, _, err := FSOpendir(nil, p, nilOr(cb, func(*Dir, error) {}))
			return err
		},
		"uv_fs_readdir": func(cb func(error)) error {
			_, _, err := FSReaddir(nil, &Dir{}, 1, nilOr(cb, func([]DirEnt, error) {}))
			return err
		},
		"uv_fs_closedir": func(cb func(error)) error { _, err := FSClosedir(nil, &Dir{}, cb); return err },
		"uv_fs_scandir": func(cb func(error)) error {
			_, _, err := FSScandir(nil, p, nilOr(cb, func([]DirEnt, error) {}))
			return err
		},
		"uv_fs_stat": func(cb func(error)) error {
			_, _, err := FSStat(nil, p, nilOr(cb, func(Stat, error) {}))
			return err
		},
		"uv_fs_fstat": func(cb func(error)) error {
			_, _, err := FSFstat(nil, 0, nilOr(cb, func(Stat, error) {}))
			return err
		},
		"uv_fs_lstat": func(cb func(error)) error {
			_, _, err := FSLstat(nil, p, nilOr(cb, func(Stat, error) {}))
			return err
		},
		"uv_fs_statfs": func(cb func(error)) error {
			_, _, err := FSStatfs(nil, p, nilOr(cb, func(StatFS, error) {}))
			return err
		},
		"uv_fs_rename":    func(cb func(error)) error { _, err := FSRename(nil, p, p, cb); return err },
		"uv_fs_fsync":     func(cb func(error)) error { _, err := FSFsync(nil, 0, cb); return err },
		"uv_fs_fdatasync": func(cb func(error)) error { _, err := FSFdatasync(nil, 0, cb); return err },
		"uv_fs_ftruncate": func(cb func(error)) error { _, err := FSFtruncate(nil, 0, 0, cb); return err },
		"uv_fs_copyfile":  func(cb func(error)) error { _, err := FSCopyfile(nil, p, p, 0, cb); return err },
		"uv_fs_sendfile": func(cb func(error)) error {
			_, _, err := FSSendfile(nil, 0, 0, 0, 0, nilOr(cb, func(int, error) {}))
			return err
		},
		"uv_fs_access": func(cb func(error)) error { _, err := FSAccess(nil, p, 0, cb); return err },
		"uv_fs_chmod":  func(cb func(error)) error { _, err := FSChmod(nil, p, 0, cb); return err },
		"uv_fs_fchmod": func(cb func(error)) error { _, err := FSFchmod(nil, 0, 0, cb); return err },
		"uv_fs_utime":  func(cb func(error)) error { _, err := FSUtime(nil, p, now, now, cb); return err },
		"uv_fs_futime": func(cb func(error)) error { _, err := FSFutime(nil, 0, now, now, cb); return err },
		"uv_fs_lutime": func(cb func(error)) error { _, err := FSLutime(nil, p, now, now, cb); return err },
		"uv_fs_link":   func(cb func(error)) error { _, err := FSLink(nil, p, p, cb); return err },
		"uv_fs_symlink": func(cb func(error)) error {
			_, err := FSSymlink(nil, p, p, 0, cb)
			return err
		},
		"uv_fs_readlink": func(cb func(error)) error {
			_, _, err := FSReadlink(nil, p, nilOr(cb, func(string, error) {}))
			return err
		},
		"uv_fs_realpath": func(cb func(error)) error {
			_, _, err := FSRealpath(nil, p, nilOr(cb, func(string, error) {}))
			return err
		},
		"uv_fs_chown":  func(cb func(error)) error { _, err := FSChown(nil, p, 0, 0, cb); return err },
		"uv_fs_fchown": func(cb func(error)) error { _, err := FSFchown(nil, 0, 0, 0, cb); return err },
		"uv_fs_lchown": func(cb func(error)) error { _, err := FSLchown(nil, p, 0, 0, cb); return err },
	}
	assert.Len(t, calls, 36)
	for op, call := range calls {
		for _, c := range []func(error){nil, cb} {
			err := call(c)
			var e *Error
			if assert.ErrorAs(t, err, &e, op) {
				assert.Equal(t, op, e.Op)
				assert.Equal(t, EINVAL, e.Code, op)
				assert.Equal(t, "nil loop", e.Detail, op)
			}
		}
	}
	// A closed loop.
	l, err := NewLoop()
	require.NoError(t, err)
	require.NoError(t, l.Close())
	_, _, err = FSStat(l, ".", nil)
	assert.ErrorIs(t, err, ErrLoopClosed)
	_, _, err = FSStat(l, ".", func(Stat, error) {})
	assert.ErrorIs(t, err, ErrLoopClosed)
}

// nilOr returns nil when cb is nil, f otherwise: the typed callback for a
// call that TestFSNullReq makes with and without one.
func nilOr[F any](cb func(error), f F) F {
	if cb == nil {
		var zero F
		return zero
	}
	return f
}

// TestFSBadInput: every kind of bad argument fails at once with an *Error
// that names the call, the path and the reason, in both forms, and leaves
// no request behind (newLoop's cleanup checks the tables, and the uvdebug
// counts by type).
func TestFSBadInput(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "test_file")
	require.NoError(t, os.WriteFile(name, testBuf, 0o600))
	closedFd := fsOpen(t, l, name, os.O_RDONLY, 0)
	fsCloseSync(t, l, closedFd)
	nul := name + "\x00x"
	type tc struct {
		op, path string
		code     Errno
		detail   string
		call     func(async bool) error
	}
	var cbs counter
	ecb := func(async bool) func(error) {
		if async {
			return func(error) { cbs.inc() }
		}
		return nil
	}
	ncb := func(async bool) func(int, error) {
		if async {
			return func(int, error) { cbs.inc() }
		}
		return nil
	}
	cases := []tc{
		{"uv_fs_open", "", ENOENT, "empty path", func(a bool) error { _, _, err := FSOpen(l, "", 0, 0, ncb(a)); return err }},
		{"uv_fs_open", nul, EINVAL, "path contains a NUL byte", func(a bool) error { _, _, err := FSOpen(l, nul, 0, 0, ncb(a)); return err }},
		{"uv_fs_open", name, EINVAL, "unknown flags", func(a bool) error { _, _, err := FSOpen(l, name, -2, 0, ncb(a)); return err }},
		{"uv_fs_read", "", EBADF, "bad fd -1", func(a bool) error { _, _, err := FSRead(l, -1, make([]byte, 4), 0, ncb(a)); return err }},
		{"uv_fs_read", "", EINVAL, "nil buffer", func(a bool) error { _, _, err := FSRead(l, 0, nil, 0, ncb(a)); return err }},
		{"uv_fs_write", "", EINVAL, "nil buffer", func(a bool) error { _, _, err := FSWriteV(l, 1, nil, 0, ncb(a)); return err }},
		{"uv_fs_write", "", EINVAL, "negative offset", func(a bool) error { _, _, err := FSWrite(l, 1, testBuf, -2, ncb(a)); return err }},
		{"uv_fs_close", "", EBADF, "bad fd -3", func(a bool) error { _, err := FSClose(l, -3, ecb(a)); return err }},
		{"uv_fs_fstat", "", EBADF, "bad fd -1", func(a bool) error {
			_, _, err := FSFstat(l, -1, nilOr(ecb(a), func(Stat, error) { cbs.inc() }))
			return err
		}},
		{"uv_fs_rename", name, ENOENT, `new path ""; empty path`, func(a bool) error { _, err := FSRename(l, name, "", ecb(a)); return err }},
		{"uv_fs_link", "", ENOENT, `new path "x"; empty path`, func(a bool) error { _, err := FSLink(l, "", "x", ecb(a)); return err }},
		{"uv_fs_copyfile", name, EINVAL, "unknown flags 0x10", func(a bool) error { _, err := FSCopyfile(l, name, name+"2", 16, ecb(a)); return err }},
		{"uv_fs_symlink", name, EINVAL, "unknown flags 0x4", func(a bool) error { _, err := FSSymlink(l, name, name+"2", 4, ecb(a)); return err }},
		{"uv_fs_access", name, EINVAL, "unknown flags 0x10", func(a bool) error { _, err := FSAccess(l, name, 16, ecb(a)); return err }},
		{"uv_fs_chown", name, EINVAL, "bad uid -7", func(a bool) error { _, err := FSChown(l, name, -7, 0, ecb(a)); return err }},
		{"uv_fs_lchown", name, EINVAL, "bad gid 4294967295", func(a bool) error { _, err := FSLchown(l, name, 0, 1<<32-1, ecb(a)); return err }},
		{"uv_fs_sendfile", "", EINVAL, "negative offset or length", func(a bool) error { _, _, err := FSSendfile(l, 1, 0, -1, 1, ncb(a)); return err }},
		{"uv_fs_readdir", "", EINVAL, "nil Dir", func(a bool) error {
			_, _, err := FSReaddir(l, nil, 1, nilOr(ecb(a), func([]DirEnt, error) { cbs.inc() }))
			return err
		}},
		{"uv_fs_mkdtemp", "", ENOENT, "empty path", func(a bool) error {
			_, _, err := FSMkdtemp(l, "", nilOr(ecb(a), func(string, error) { cbs.inc() }))
			return err
		}},
	}
	for _, c := range cases {
		for _, async := range []bool{false, true} {
			err := c.call(async)
			var e *Error
			if assert.ErrorAs(t, err, &e, "%s async=%v", c.op, async) {
				assert.Equal(t, c.op, e.Op)
				assert.Equal(t, c.path, e.Path, c.op)
				assert.Equal(t, c.code, e.Code, "%s: %v", c.op, err)
				assert.Contains(t, e.Detail, c.detail, c.op)
				assert.Contains(t, err.Error(), c.op)
			}
		}
	}
	assert.Zero(t, l.Stats().Requests)
	// A closed fd is the kernel's EBADF, in the callback for the async form.
	_, _, err := FSRead(l, closedFd, make([]byte, 4), 0, nil)
	assertFSError(t, err, "uv_fs_read", "", EBADF)
	var cbErr error
	_, _, err = FSRead(l, closedFd, make([]byte, 4), 0, func(_ int, err error) { cbErr = err })
	require.NoError(t, err)
	_, err = FSClose(l, closedFd, nil)
	assertFSError(t, err, "uv_fs_close", "", EBADF)
	runFS(t, l)
	assertFSError(t, cbErr, "uv_fs_read", "", EBADF)
	assert.Zero(t, cbs.n, "a callback ran for a call that failed to start")
}

// TestFSErrorIs checks how fs errors match the standard library's.
func TestFSErrorIs(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	_, _, err := FSStat(l, filepath.Join(dir, "missing"), nil)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.ErrorIs(t, err, ENOENT)
	assert.NotErrorIs(t, err, fs.ErrExist)
	_, err = FSMkdir(l, dir, 0o755, nil)
	assert.ErrorIs(t, err, fs.ErrExist)
	assert.ErrorIs(t, err, syscall.EEXIST)
	var pe *fs.PathError
	assert.False(t, errors.As(err, &pe), "an *Error is not an *fs.PathError")
}

// TestThreadpoolCancelFS (threadpool_cancel_fs): with every thread of the
// pool blocked, fs requests of every kind stay queued; a timer cancels
// each (Cancel succeeds), then unblocks the pool, and every callback runs
// once with ECANCELED. libuv saturates the pool with uv_queue_work; here
// a test-only C helper (testhooks_fs.go) queues work items that wait on a
// semaphore. The requests name files in a temporary directory, so that
// one that ran by mistake would do no harm.
func TestThreadpoolCancelFS(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "test_file")
	require.NoError(t, os.WriteFile(name, testBuf, 0o600))
	fd := fsOpen(t, l, name, os.O_RDWR, 0)
	defer fsCloseSync(t, l, fd)
	ok, release := blockThreadPool(l)
	defer release()
	require.True(t, ok, "could not block the thread pool")

	var errs []error
	ecb := func(err error) { errs = append(errs, err) }
	var reqs []*Req
	add := func(r *Req, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NotNil(t, r)
		reqs = append(reqs, r)
	}
	add2 := func(_ any, r *Req, err error) { t.Helper(); add(r, err) }
	other := filepath.Join(dir, "other")
	now := time.Now()
	add(FSChmod(l, name, 0, ecb))
	add(FSChown(l, name, 0, 0, ecb))
	add(FSClose(l, fd, ecb))
	add(FSFchmod(l, fd, 0, ecb))
	add(FSFchown(l, fd, 0, 0, ecb))
	add(FSFdatasync(l, fd, ecb))
	add2(FSFstat(l, fd, func(_ Stat, err error) { ecb(err) }))
	add(FSFsync(l, fd, ecb))
	add(FSFtruncate(l, fd, 0, ecb))
	add(FSFutime(l, fd, now, now, ecb))
	add(FSLink(l, name, other, ecb))
	add2(FSLstat(l, name, func(_ Stat, err error) { ecb(err) }))
	add(FSMkdir(l, other, 0, ecb))
	add2(FSOpen(l, name, os.O_TRUNC|os.O_RDWR, 0, func(fd int, err error) { ecb(err) }))
	add2(FSRead(l, fd, make([]byte, 4), 0, func(_ int, err error) { ecb(err) }))
	add2(FSScandir(l, dir, func(_ []DirEnt, err error) { ecb(err) }))
	add2(FSReadlink(l, name, func(_ string, err error) { ecb(err) }))
	add2(FSRealpath(l, name, func(_ string, err error) { ecb(err) }))
	add(FSRename(l, name, other, ecb))
	add(FSRmdir(l, dir, ecb))
	add2(FSSendfile(l, fd, fd, 0, 0, func(_ int, err error) { ecb(err) }))
	add2(FSStat(l, name, func(_ Stat, err error) { ecb(err) }))
	add(FSSymlink(l, name, other, 0, ecb))
	add(FSUnlink(l, name, ecb))
	add(FSUtime(l, name, now, now, ecb))
	add2(FSWrite(l, fd, testBuf, 0, func(_ int, err error) { ecb(err) }))
	add2(FSStatfs(l, dir, func(_ StatFS, err error) { ecb(err) }))
	add(FSCopyfile(l, name, other, 0, ecb))
	add(FSAccess(l, name, 0, ecb))
	add2(FSMkdtemp(l, filepath.Join(dir, "XXXXXX"), func(_ string, err error) { ecb(err) }))
	add2(FSOpendir(l, dir, func(_ *Dir, err error) { ecb(err) }))

	// Dirs whose readdir or closedir is cancelled stay open and usable.
	d, _, err := FSOpendir(l, dir, nil)
	require.NoError(t, err)
	d2, _, err := FSOpendir(l, dir, nil)
	require.NoError(t, err)
	add2(FSReaddir(l, d, 4, func(_ []DirEnt, err error) { ecb(err) }))
	add(FSClosedir(l, d2, ecb))

	var cancelErrs []error
	timer, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, timer.Start(10*time.Millisecond, 0, func(tm *Timer) {
		for _, r := range reqs {
			cancelErrs = append(cancelErrs, r.Cancel())
		}
		release()
		tm.Close(nil)
	}))
	runFS(t, l)
	assert.Equal(t, make([]error, len(reqs)), cancelErrs)
	require.Len(t, errs, len(reqs))
	for _, d := range []*Dir{d, d2} {
		ents, _, err := FSReaddir(l, d, 8, nil)
		assert.NoError(t, err)
		assert.NotEmpty(t, ents)
		_, err = FSClosedir(l, d, nil)
		assert.NoError(t, err)
	}
	for _, err := range errs {
		assert.ErrorIs(t, err, ECANCELED)
		var e *Error
		assert.ErrorAs(t, err, &e)
	}
	// Finished requests cannot be cancelled.
	err = reqs[0].Cancel()
	assertFSError(t, err, "uv_cancel", "", EBUSY)
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, testBuf, b, "a cancelled request ran")
}

// TestFSReadsPinnedUnderGC keeps 1,000 reads in flight, each into its own
// Go buffer that only the request refers to, while another goroutine runs
// the garbage collector again and again. The buffers are pinned for the
// requests' lives: every byte arrives, and cgocheck2 (GOEXPERIMENT=
// cgocheck2) sees no unpinned Go pointer in C memory.
func TestFSReadsPinnedUnderGC(t *testing.T) {
	l := newLoop(t)
	const reads, size = 1000, 512
	name := filepath.Join(t.TempDir(), "test_file")
	content := make([]byte, reads*size)
	for i := range content {
		content[i] = byte(i*31 + i/size)
	}
	require.NoError(t, os.WriteFile(name, content, 0o600))
	fd := fsOpen(t, l, name, os.O_RDONLY, 0)
	defer fsCloseSync(t, l, fd)

	// The reads wait behind a blocked pool while the collector runs, then
	// complete while it keeps running.
	ok, release := blockThreadPool(l)
	defer release()
	require.True(t, ok, "could not block the thread pool")
	good, bad, done := 0, 0, 0
	for i := range reads {
		buf := make([]byte, size)
		_, _, err := FSRead(l, fd, buf, int64(i*size), func(n int, err error) {
			done++
			if err == nil && n == size && bytes.Equal(buf, content[i*size:(i+1)*size]) {
				good++
			} else {
				bad++
			}
		})
		require.NoError(t, err)
	}
	stop := make(chan struct{})
	gcs := make(chan int, 1)
	var collected atomic.Int32
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				gcs <- n
				return
			default:
				_ = make([]byte, 64<<10) // garbage to collect
				runtime.GC()
				n++
				collected.Add(1)
			}
		}
	}()
	deadline := time.Now().Add(watchdogTimeout)
	for collected.Load() < 20 && time.Now().Before(deadline) { // a bounded wait
		runtime.Gosched()
	}
	release()
	assert.Equal(t, reads, l.Stats().Requests)
	runFS(t, l)
	close(stop)
	n := <-gcs
	assert.Equal(t, reads, done)
	assert.Equal(t, reads, good)
	assert.Zero(t, bad)
	t.Logf("%d collections while the reads were in flight", n)
}

// TestFSSyncFromOtherGoroutine: the synchronous form touches no loop
// state, so another goroutine may call it while the loop runs (uvdebug
// builds check the thread rule for the asynchronous form only).
func TestFSSyncFromOtherGoroutine(t *testing.T) {
	l := newLoop(t)
	dir := t.TempDir()
	errc := make(chan error, 1)
	var st Stat
	a, err := NewAsync(l, func(a *Async) { a.Close(nil) })
	require.NoError(t, err)
	go func() {
		var err error
		st, _, err = FSStat(l, dir, nil)
		errc <- err
		a.Send()
	}()
	runFS(t, l)
	assert.NoError(t, <-errc)
	assert.True(t, st.IsDir())
}

// TestFSCallbackPanic: a panic in an fs callback reaches Run's caller as a
// *CallbackPanic, and the request is gone from the tables all the same.
func TestFSCallbackPanic(t *testing.T) {
	l := newLoop(t)
	_, _, err := FSStat(l, t.TempDir(), func(Stat, error) { panic("boom") })
	require.NoError(t, err)
	p := runPanic(t, l, RunDefault)
	assert.Equal(t, "boom", p.Value)
	assert.Zero(t, l.Stats().Requests)
}
