package uv

// Row 70 of LIBUV_TESTS.md: the spawn odds of test-spawn.c. Process is
// built on the Go runtime's fork and exec (DESIGN.md section 9); these pin
// that it behaves as uv_spawn where libuv's tests look: no child left
// behind by a failed spawn, no fd leaked into the child, PATH read as
// execvp reads it, uid and gid set, the environment passed as given.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	childHelpers["spawn_helper8"] = spawnHelper8
	childHelpers["spawn_helper_setuid_setgid"] = spawnHelperSetuidSetgid
	childHelpers["environ_raw"] = func([]string) int {
		b, err := os.ReadFile("/proc/self/environ")
		if err != nil {
			return 2
		}
		os.Stdout.Write(b)
		return 1
	}
}

// childPids returns the pids of this process's children, zombies
// included, from /proc (a child of any thread has our pid as its parent).
func childPids(t *testing.T) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	require.NoError(t, err)
	me := strconv.Itoa(os.Getpid())
	var kids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// "pid (comm) state ppid ...": comm may hold spaces and parens.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		if f := strings.Fields(rest); len(f) > 1 && f[1] == me {
			kids = append(kids, pid)
		}
	}
	return kids
}

// TestSpawnFailsCheckForWaitpidCleanup: a spawn that fails leaves no child
// behind, zombie or not, and nothing on the loop, whether it fails before
// forking (no such program in PATH) or in the child (exec of a missing
// path, or of a file that is not executable).
func TestSpawnFailsCheckForWaitpidCleanup(t *testing.T) {
	l := newLoop(t)
	notExec := filepath.Join(t.TempDir(), "not-executable")
	require.NoError(t, os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644))
	before := childPids(t)
	for _, file := range []string{
		"program-that-had-better-not-exist",
		"/nonexistent-dir/program-that-had-better-not-exist",
		notExec,
	} {
		var rec exitRec
		p, err := Spawn(l, &ProcessOptions{File: file, OnExit: rec.cb})
		assert.Nil(t, p, file)
		requireSpawnErr(t, err, ENOENT, EACCES)
		assert.Zero(t, l.Stats().Handles, "%s: a handle is left", file)
		assert.False(t, runLoop(t, l, RunDefault))
		assert.Zero(t, rec.n)
		for _, pid := range childPids(t) {
			assert.Contains(t, before, pid, "%s: a new child after the failed spawn", file)
		}
	}
}

// spawnHelper8 is libuv's spawn_helper8: it reads two fd numbers from
// stdin, the parent's fd opened by FSOpen (close-on-exec, so closed here)
// and a dup of it (inherited, so open here). It exits 1 when both hold.
func spawnHelper8([]string) int {
	var fds [2]int32
	if err := binary.Read(os.Stdin, binary.LittleEndian, &fds); err != nil {
		fmt.Fprintln(os.Stderr, "spawn_helper8: reading the fds:", err)
		return 2
	}
	closedFd, openFd := int(fds[0]), int(fds[1])
	if closedFd <= 2 || openFd <= 2 {
		fmt.Fprintln(os.Stderr, "spawn_helper8: fds", closedFd, openFd)
		return 3
	}
	if _, err := syscall.Write(closedFd, []byte("x")); err != syscall.EBADF {
		fmt.Fprintln(os.Stderr, "spawn_helper8: write to the close-on-exec fd:", err)
		return 4
	}
	if _, err := syscall.Write(openFd, []byte("x")); err != nil {
		fmt.Fprintln(os.Stderr, "spawn_helper8: write to the inherited fd:", err)
		return 5
	}
	return 1
}

// TestSpawnFSOpen: an fd that FSOpen opened while the parent spawns is not
// inherited (libuv opens with O_CLOEXEC; so does the Go runtime's fork
// for its own), while a plain dup of it is, as with uv_spawn.
func TestSpawnFSOpen(t *testing.T) {
	l := newLoop(t)
	fd, _, err := FSOpen(l, "/dev/null", os.O_RDWR, 0, nil)
	require.NoError(t, err)
	defer fsCloseSync(t, l, fd)
	dupFd, err := syscall.Dup(fd) // no close-on-exec
	require.NoError(t, err)
	defer syscall.Close(dupFd)

	var closes counter
	rec := exitRec{closes: &closes}
	in := newTestPipe(t, l)
	opts := childOptions(t, "spawn_helper8", rec.cb)
	opts.Stdio = []StdioContainer{CreatePipe(in, StdioReadablePipe), InheritFd(1), InheritFd(2)}
	_, err = Spawn(l, opts)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, binary.Write(&buf, binary.LittleEndian, [2]int32{int32(fd), int32(dupFd)}))
	require.NoError(t, in.Write(buf.Bytes()[:4], nil))
	werr := writeAndClose(t, in, buf.Bytes()[4:], &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, *werr)
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status, "the child's exit status (1: both fds as expected)")
	assert.Equal(t, 2, closes.n)
}

// TestSpawnQuotedPath: libuv's test (Windows only) gives a PATH with
// quotes and semicolons and checks that the search does not crash. On
// Linux such a PATH is a list of odd relative directories: the search
// fails cleanly.
func TestSpawnQuotedPath(t *testing.T) {
	l := newLoop(t)
	var rec exitRec
	p, err := Spawn(l, &ProcessOptions{
		File:   "not_existing",
		Env:    []string{`PATH="xyz:\test;";xyz:\other`},
		OnExit: rec.cb,
	})
	assert.Nil(t, p)
	requireSpawnErr(t, err, ENOENT)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, rec.n)
}

// accessibleTestExe copies the test binary where any user may run it (the
// go tool builds it in a directory only its owner may enter).
func accessibleTestExe(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gouv-setuid-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	src, err := os.Open(testExe(t))
	require.NoError(t, err)
	defer src.Close()
	exe := filepath.Join(dir, "uv.test")
	dst, err := os.OpenFile(exe, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
	return exe
}

// spawnHelperSetuidSetgid is libuv's spawn_helper_setuid_setgid: it checks
// that it runs with the uid and gid of its arguments and, as uv_spawn
// drops them, with no supplementary groups. It exits 1 when all hold.
func spawnHelperSetuidSetgid(args []string) int {
	if len(args) != 2 {
		return 2
	}
	groups, err := os.Getgroups()
	switch {
	case strconv.Itoa(os.Getuid()) != args[0] || strconv.Itoa(os.Geteuid()) != args[0]:
		fmt.Fprintln(os.Stderr, "uid", os.Getuid(), "euid", os.Geteuid(), "want", args[0])
		return 3
	case strconv.Itoa(os.Getgid()) != args[1] || strconv.Itoa(os.Getegid()) != args[1]:
		fmt.Fprintln(os.Stderr, "gid", os.Getgid(), "egid", os.Getegid(), "want", args[1])
		return 4
	case err != nil || len(groups) != 0:
		fmt.Fprintln(os.Stderr, "supplementary groups", groups, err)
		return 5
	}
	return 1
}

// TestSpawnSetuidSetgid: run as root, a child spawned with ProcessSetUID
// and ProcessSetGID runs as the user nobody. (libuv skips when not root,
// and so does this test.)
func TestSpawnSetuidSetgid(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("spawn_setuid_setgid must run as root")
	}
	nobody, err := user.Lookup("nobody")
	require.NoError(t, err)
	uid, err := strconv.ParseUint(nobody.Uid, 10, 32)
	require.NoError(t, err)
	gid, err := strconv.ParseUint(nobody.Gid, 10, 32)
	require.NoError(t, err)
	exe := accessibleTestExe(t)

	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	_, err = Spawn(l, &ProcessOptions{
		File:   exe,
		Args:   []string{exe, childArg, "spawn_helper_setuid_setgid", nobody.Uid, nobody.Gid},
		Flags:  ProcessSetUID | ProcessSetGID,
		UID:    uint32(uid),
		GID:    uint32(gid),
		Stdio:  []StdioContainer{{}, InheritFd(1), InheritFd(2)},
		OnExit: rec.cb,
	})
	if errors.Is(err, syscall.EACCES) {
		t.Skip("user nobody cannot run the test binary here (noexec temporary directory?)")
	}
	require.NoError(t, err)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status, "the child's exit status (1: ids as asked)")
	assert.Zero(t, rec.signal)
	assert.Equal(t, 1, closes.n)
}

// TestSpawnWithAnOddPath: a PATH with empty and "." entries (libuv's
// ";.;" on Windows, Linux's ":.:" here, and the Windows spelling too, which
// Linux reads as a directory name) does not trip the search: a missing
// program is ENOENT. An empty entry means the current directory, as in
// execvp: a program there is found and run.
func TestSpawnWithAnOddPath(t *testing.T) {
	l := newLoop(t)
	path := os.Getenv("PATH")
	for _, odd := range []string{";.;" + path, ":.:" + path, "::" + path + ":"} {
		t.Setenv("PATH", odd)
		var rec exitRec
		p, err := Spawn(l, &ProcessOptions{File: "program-that-had-better-not-exist", OnExit: rec.cb})
		assert.Nil(t, p, odd)
		requireSpawnErr(t, err, ENOENT, EACCES)
		assert.False(t, runLoop(t, l, RunDefault))
		assert.Zero(t, rec.n)
	}

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prog"), []byte("#!/bin/sh\nexit 7\n"), 0o755))
	var closes counter
	rec := exitRec{closes: &closes}
	_, err := Spawn(l, &ProcessOptions{
		File:   "prog",
		Env:    []string{"PATH=/nonexistent::/also-nonexistent"},
		Cwd:    dir,
		OnExit: rec.cb,
	})
	require.NoError(t, err)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, int64(7), rec.status, "prog found through PATH's empty entry")
	assert.Equal(t, 1, closes.n)
}

// TestEnvironmentCreation: libuv's test checks how Windows builds a
// child's environment block (sorted, with required variables added). On
// Unix the environment goes to the child as given: the child's
// /proc/self/environ holds exactly the strings of ProcessOptions.Env, in
// order, duplicates, entries without '=' and non-ASCII names included.
func TestEnvironmentCreation(t *testing.T) {
	env := []string{
		"FOO=BAR",
		"SYSTEM=ROOT",
		"SYSTEMROOTED=OMG",
		`TEMP=C:\Temp`,
		"INVALID",
		"BAZ=QUX",
		"B_Z=QUX",
		"B\u20acZ=QUX",
		"B\U00010002Z=QUX",
		"B\uff61Z=QUX",
		"B\U00023456Z=QUX",
		"BAZ",
	}
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	out := newTestPipe(t, l)
	opts := childOptions(t, "environ_raw", rec.cb)
	opts.Env = slices.Clone(env)
	opts.Stdio = []StdioContainer{{}, CreatePipe(out, StdioWritablePipe), InheritFd(2)}
	_, err := Spawn(l, opts)
	require.NoError(t, err)
	var r reader
	r.start(t, out, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, int64(1), rec.status)
	assert.Equal(t, 2, closes.n)
	got := strings.Split(strings.TrimSuffix(string(r.out), "\x00"), "\x00")
	assert.Equal(t, env, got)
}
