package uv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childArg, then a helper's name, makes the test binary run as a child
// (TestMain). The name travels in argv, not in the environment, so that
// children with an empty environment work too.
const childArg = "gouv-child"

// runChild runs the helper a process test spawned and returns its exit
// code. The helpers do what libuv's test runner does under the same names.
func runChild(name string, args []string) int {
	switch name {
	case "spawn_helper1": // just exit 1
	case "spawn_helper2":
		fmt.Print("hello world\n")
	case "spawn_helper3": // echo one line of stdin
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		fmt.Print(line)
	case "spawn_helper4": // live until killed
		for {
			time.Sleep(time.Hour)
		}
	case "spawn_helper5":
		os.NewFile(3, "fd3").WriteString("fourth stdio!\n")
	case "spawn_helper6":
		fmt.Fprint(os.Stdout, "hello world\n")
		fmt.Fprint(os.Stderr, "hello errworld\n")
	case "spawn_helper7":
		fmt.Print(os.Getenv("ENV_TEST"))
	case "spawn_helper9": // copy stdin to stdout until EOF
		if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
			return 2
		}
	case "env":
		fmt.Print(strings.Join(os.Environ(), "\n"))
	case "ids":
		fmt.Print(os.Getuid(), " ", os.Getgid())
	case "spawn_tcp_server_helper": // listen on the socket given as fd 3
		return tcpServerChild()
	case "spawn_setid_fails": // spawn with uid or gid 0 and print the error
		return setidChild(args)
	default:
		if h, ok := childHelpers[name]; ok {
			return h(args)
		}
		fmt.Fprintln(os.Stderr, "unknown child helper", name)
		return 100
	}
	return 1
}

// childHelpers are the child helpers of other test files (ipc_test.go),
// registered from their init functions.
var childHelpers = map[string]func(args []string) int{}

func tcpServerChild() int {
	l, err := NewLoop()
	if err != nil {
		return 2
	}
	t, err := NewTCP(l)
	if err != nil {
		return 2
	}
	code := 1
	if t.Open(3) != nil || t.Listen(128, func(error) {}) != nil {
		code = 3
	}
	t.Close(nil)
	l.Run(RunDefault)
	l.Close()
	return code
}

func setidChild(args []string) int {
	l, err := NewLoop()
	if err != nil {
		return 2
	}
	exe, _ := os.Executable()
	opts := &ProcessOptions{File: exe, Args: []string{exe, childArg, "spawn_helper1"}}
	if args[0] == "uid" {
		opts.Flags = ProcessSetUID
	} else {
		opts.Flags = ProcessSetGID
	}
	// Ignored on Unix, as in libuv's test.
	opts.Flags |= ProcessWindowsHide | ProcessWindowsHideConsole | ProcessWindowsHideGUI | ProcessWindowsVerbatimArguments
	p, err := Spawn(l, opts)
	var e *Error
	switch {
	case p != nil:
		fmt.Print("spawned")
		p.Close(nil)
	case errors.As(err, &e):
		fmt.Print(e.Code.Name())
	default:
		fmt.Print(err)
	}
	l.Run(RunDefault)
	l.Close()
	fmt.Print(" ", os.Getuid(), " ", os.Getgid())
	return 0
}

// testExe is the test binary's path.
func testExe(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe
}

// childOptions are libuv's init_process_options: run the test binary as
// the named helper.
func childOptions(t testing.TB, helper string, onExit func(*Process, int64, int)) *ProcessOptions {
	exe := testExe(t)
	return &ProcessOptions{File: exe, Args: []string{exe, childArg, helper}, OnExit: onExit}
}

// exitRec records exit callbacks; close closes the process from the
// callback, as libuv's exit_cb does, and counts its close callback.
type exitRec struct {
	n      int
	status int64
	signal int
	closes *counter
}

func (r *exitRec) cb(p *Process, status int64, sig int) {
	r.n++
	r.status, r.signal = status, sig
	if r.closes != nil {
		p.Close(r.closes.inc)
	}
}

// reader collects what a stream reads until EOF, then closes it.
type reader struct {
	out []byte
	err error
}

func (r *reader) start(t *testing.T, s Stream, closes *counter) {
	t.Helper()
	require.NoError(t, s.ReadStart(func(p []byte, err error) {
		if err != nil {
			r.err = err
			s.Close(closes.inc)
			return
		}
		r.out = append(r.out, p...)
	}))
}

func newTestPipe(t *testing.T, l *Loop) *Pipe {
	t.Helper()
	p, err := NewPipe(l, false)
	require.NoError(t, err)
	return p
}

// writeAndClose writes msg to s and closes s once written.
func writeAndClose(t *testing.T, s Stream, msg []byte, closes *counter) *error {
	t.Helper()
	var werr error
	require.NoError(t, s.Write(msg, func(err error) {
		werr = err
		s.Close(closes.inc)
	}))
	return &werr
}

// reapPid waits for a child that gouv no longer watches (closed handle).
func reapPid(t *testing.T, pid int) syscall.WaitStatus {
	t.Helper()
	var ws syscall.WaitStatus
	_, err := syscall.Wait4(pid, &ws, 0, nil)
	for err == syscall.EINTR {
		_, err = syscall.Wait4(pid, &ws, 0, nil)
	}
	require.NoError(t, err)
	return ws
}

func requireSpawnErr(t *testing.T, err error, codes ...Errno) *Error {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "uv_spawn", e.Op)
	assert.Contains(t, codes, e.Code, "%v", err)
	return e
}

func TestSpawnFails(t *testing.T) {
	l := newLoop(t)
	for _, file := range []string{"program-that-had-better-not-exist", "./program-that-had-better-not-exist"} {
		var rec exitRec
		p, err := Spawn(l, &ProcessOptions{File: file, OnExit: rec.cb})
		assert.Nil(t, p)
		e := requireSpawnErr(t, err, ENOENT, EACCES)
		assert.Equal(t, file, e.Path)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		assert.False(t, runLoop(t, l, RunDefault))
		assert.Zero(t, rec.n)
	}
}

func TestSpawnEmptyEnv(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	out := newTestPipe(t, l)
	opts := childOptions(t, "env", rec.cb)
	opts.Env = []string{}
	opts.Stdio = []StdioContainer{{}, CreatePipe(out, StdioWritablePipe)}
	_, err := Spawn(l, opts)
	require.NoError(t, err)
	var r reader
	r.start(t, out, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)
	assert.Zero(t, rec.signal)
	assert.Equal(t, 2, closes.n)
	assert.ErrorIs(t, r.err, io.EOF)
	assert.Empty(t, string(r.out), "the child's environment")
}

func TestSpawnExitCode(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	_, err := Spawn(l, childOptions(t, "spawn_helper1", rec.cb))
	require.NoError(t, err)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)
	assert.Zero(t, rec.signal)
	assert.Equal(t, 1, closes.n)
}

func TestSpawnStdout(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	out := newTestPipe(t, l)
	opts := childOptions(t, "spawn_helper2", rec.cb)
	opts.Stdio = []StdioContainer{{Flags: StdioIgnore}, CreatePipe(out, StdioWritablePipe)}
	_, err := Spawn(l, opts)
	require.NoError(t, err)
	var r reader
	r.start(t, out, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)
	assert.Equal(t, 2, closes.n) // the process and the pipe
	assert.Equal(t, "hello world\n", string(r.out))
}

// tempFile opens a new file for a child's output; the test closes it.
func tempFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stdout_file")
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func readFileAt0(t *testing.T, f *os.File) string {
	t.Helper()
	buf := make([]byte, 1024)
	n, err := f.ReadAt(buf, 0)
	if err != io.EOF {
		require.NoError(t, err)
	}
	return string(buf[:n])
}

// spawnToFile spawns helper with stdio, runs the loop and checks the exit.
func spawnToFile(t *testing.T, helper string, stdio []StdioContainer, before, after func()) {
	t.Helper()
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	opts := childOptions(t, helper, rec.cb)
	opts.Stdio = stdio
	if before != nil {
		before()
	}
	_, err := Spawn(l, opts)
	if after != nil {
		after()
	}
	require.NoError(t, err)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)
	assert.Equal(t, 1, closes.n)
}

func TestSpawnStdoutToFile(t *testing.T) {
	f := tempFile(t)
	spawnToFile(t, "spawn_helper2", []StdioContainer{{}, InheritFd(int(f.Fd()))}, nil, nil)
	assert.Equal(t, "hello world\n", readFileAt0(t, f))
}

func TestSpawnStdoutAndStderrToFile(t *testing.T) {
	f := tempFile(t)
	fd := int(f.Fd())
	spawnToFile(t, "spawn_helper6", []StdioContainer{{}, InheritFd(fd), InheritFd(fd)}, nil, nil)
	assert.Equal(t, "hello world\nhello errworld\n", readFileAt0(t, f))
}

// moveOnto puts file's fd in place of fd (dup2) and returns the function
// that puts the original back. The swap lasts only while Spawn runs: the
// test binary's own output uses these fds.
func moveOnto(t *testing.T, f *os.File, fd int) func() {
	t.Helper()
	saved, err := syscall.Dup(fd)
	require.NoError(t, err)
	require.NoError(t, syscall.Dup3(int(f.Fd()), fd, 0))
	return func() {
		syscall.Dup3(saved, fd, 0)
		syscall.Close(saved)
	}
}

func TestSpawnStdoutAndStderrToFile2(t *testing.T) {
	// The file is the parent's fd 2 and given as the child's 1 and 2: the
	// child's fd 2 needs no dup2, only to lose close-on-exec.
	f := tempFile(t)
	var restore func()
	spawnToFile(t, "spawn_helper6", []StdioContainer{{}, InheritFd(2), InheritFd(2)},
		func() { restore = moveOnto(t, f, 2) }, func() { restore() })
	assert.Equal(t, "hello world\nhello errworld\n", readFileAt0(t, f))
}

func TestSpawnStdoutAndStderrToFileSwap(t *testing.T) {
	// The parent's fd 1 becomes the child's 2 and its fd 2 the child's 1.
	stdoutFile, stderrFile := tempFile(t), tempFile(t)
	var restore1, restore2 func()
	spawnToFile(t, "spawn_helper6", []StdioContainer{{}, InheritFd(2), InheritFd(1)},
		func() {
			restore1 = moveOnto(t, stdoutFile, 1)
			restore2 = moveOnto(t, stderrFile, 2)
		},
		func() { restore2(); restore1() })
	assert.Equal(t, "hello errworld\n", readFileAt0(t, stdoutFile))
	assert.Equal(t, "hello world\n", readFileAt0(t, stderrFile))
}

func TestSpawnStdin(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	in, out := newTestPipe(t, l), newTestPipe(t, l)
	opts := childOptions(t, "spawn_helper3", rec.cb)
	opts.Stdio = []StdioContainer{CreatePipe(in, StdioReadablePipe), CreatePipe(out, StdioWritablePipe)}
	_, err := Spawn(l, opts)
	require.NoError(t, err)
	msg := "hello-from-spawn_stdin"
	werr := writeAndClose(t, in, []byte(msg), &closes)
	var r reader
	r.start(t, out, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, *werr)
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, 3, closes.n) // the process and both pipes
	assert.Equal(t, msg, string(r.out))
}

func TestSpawnStdioGreaterThan3(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	p := newTestPipe(t, l)
	opts := childOptions(t, "spawn_helper5", rec.cb)
	opts.Stdio = []StdioContainer{{}, {}, {}, CreatePipe(p, StdioWritablePipe)}
	_, err := Spawn(l, opts)
	require.NoError(t, err)
	var r reader
	r.start(t, p, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, 2, closes.n)
	assert.Equal(t, "fourth stdio!\n", string(r.out))
}

func TestSpawnTCPServer(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	srv, err := NewTCP(l)
	require.NoError(t, err)
	require.NoError(t, srv.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	fd, err := srv.Fd()
	require.NoError(t, err)
	require.Greater(t, fd, 0)
	opts := childOptions(t, "spawn_tcp_server_helper", rec.cb)
	opts.Stdio = []StdioContainer{InheritFd(0), InheritFd(1), InheritFd(2), InheritFd(fd)}
	_, err = Spawn(l, opts)
	require.NoError(t, err)
	srv.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status, "the child could not listen on the socket")
	assert.Equal(t, 1, closes.n)
	// The child listened on the parent's socket.
	on, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN)
	require.NoError(t, err)
	assert.Equal(t, 1, on)
}

func TestSpawnIgnoredStdio(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	opts := childOptions(t, "spawn_helper6", rec.cb)
	opts.Stdio = nil // all three on /dev/null
	_, err := Spawn(l, opts)
	require.NoError(t, err)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status, "the child could not write to /dev/null")
	assert.Equal(t, 1, closes.n)
}

// killRec is libuv's kill_cb: the child died of SIGTERM, and uv_kill on its
// pid says ESRCH once it is reaped.
type killRec struct {
	exitRec
	killErr, pkillErr error
}

func (r *killRec) cb(p *Process, status int64, sig int) {
	r.exitRec.cb(p, status, sig)
	r.killErr = Kill(p.Pid(), 0)
	r.pkillErr = p.Kill(0)
}

func (r *killRec) check(t *testing.T) {
	t.Helper()
	assert.Equal(t, 1, r.n)
	assert.Zero(t, r.status)
	assert.Equal(t, int(syscall.SIGTERM), r.signal)
	assert.ErrorIs(t, r.killErr, syscall.ESRCH)
	assert.ErrorIs(t, r.pkillErr, syscall.ESRCH)
}

// killTimer kills p with SIGTERM a little after the start, as libuv's
// timer_cb does (the child lives until killed: the timer is no sleep).
func killTimer(t *testing.T, l *Loop, p **Process, closes *counter) {
	t.Helper()
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(10*time.Millisecond, 0, func(tm *Timer) {
		(*p).Kill(syscall.SIGTERM)
		tm.Close(closes.inc)
	}))
}

func TestSpawnAndKill(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := killRec{exitRec: exitRec{closes: &closes}}
	p, err := Spawn(l, childOptions(t, "spawn_helper4", rec.cb))
	require.NoError(t, err)
	killTimer(t, l, &p, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	rec.check(t)
	assert.Equal(t, 2, closes.n) // the process and the timer
}

func TestSpawnPreserveEnv(t *testing.T) {
	t.Setenv("ENV_TEST", "testval")
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	out := newTestPipe(t, l)
	opts := childOptions(t, "spawn_helper7", rec.cb)
	opts.Stdio = []StdioContainer{{}, CreatePipe(out, StdioWritablePipe)}
	opts.Env = nil // the parent's environment
	_, err := Spawn(l, opts)
	require.NoError(t, err)
	var r reader
	r.start(t, out, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, 2, closes.n)
	assert.Equal(t, "testval", string(r.out))
}

func TestSpawnDetached(t *testing.T) {
	l := newLoop(t)
	var rec exitRec
	opts := childOptions(t, "spawn_helper4", rec.cb)
	opts.Flags |= ProcessDetached
	p, err := Spawn(l, opts)
	require.NoError(t, err)
	p.Unref()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, rec.n)
	pid := p.Pid()
	assert.Positive(t, pid)
	sid, _, errno := syscall.RawSyscall(syscall.SYS_GETSID, uintptr(pid), 0, 0)
	require.Zero(t, errno)
	assert.Equal(t, pid, int(sid), "the child leads its own session")
	assert.NoError(t, Kill(pid, 0))
	assert.NoError(t, Kill(pid, syscall.SIGTERM))
	doClose(t, p)
	// Closed, the handle watches the child no more: reap it here.
	ws := reapPid(t, pid)
	assert.Equal(t, syscall.SIGTERM, ws.Signal())
}

func TestSpawnAndKillWithStd(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := killRec{exitRec: exitRec{closes: &closes}}
	in, out, errp := newTestPipe(t, l), newTestPipe(t, l), newTestPipe(t, l)
	opts := childOptions(t, "spawn_helper4", rec.cb)
	opts.Stdio = []StdioContainer{
		CreatePipe(in, StdioReadablePipe),
		CreatePipe(out, StdioWritablePipe),
		CreatePipe(errp, StdioWritablePipe),
	}
	p, err := Spawn(l, opts)
	require.NoError(t, err)
	msg := "Nancy's joining me because the message this evening is not my message but ours."
	werr := writeAndClose(t, in, []byte(msg), &closes)
	var r1, r2 reader
	r1.start(t, out, &closes)
	r2.start(t, errp, &closes)
	killTimer(t, l, &p, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, *werr)
	rec.check(t)
	assert.Equal(t, 5, closes.n) // process, timer, three pipes
	assert.Empty(t, r1.out)
	assert.Empty(t, r2.out)
}

func TestSpawnAndPing(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	in, out := newTestPipe(t, l), newTestPipe(t, l)
	opts := childOptions(t, "spawn_helper3", rec.cb)
	opts.Stdio = []StdioContainer{CreatePipe(in, StdioReadablePipe), CreatePipe(out, StdioWritablePipe)}
	p, err := Spawn(l, opts)
	require.NoError(t, err)
	assert.NoError(t, p.Kill(0), "signal 0 checks the child is alive")
	werr := writeAndClose(t, in, []byte("TEST"), &closes)
	var r reader
	r.start(t, out, &closes)
	assert.Zero(t, rec.n)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, *werr)
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, "TEST", string(r.out))
}

// runSetidFails is spawn_setuid_fails and spawn_setgid_fails: as root,
// libuv's test first becomes nobody; a Go test binary cannot drop root in
// one thread of its own, so the spawn runs in a child that runs as nobody
// (from a copy of the test binary nobody can execute).
func runSetidFails(t *testing.T, which string) {
	if os.Geteuid() != 0 {
		l := newLoop(t)
		var rec exitRec
		opts := childOptions(t, "spawn_helper1", rec.cb)
		opts.Flags = ProcessSetUID | ProcessWindowsHide | ProcessWindowsHideConsole | ProcessWindowsHideGUI | ProcessWindowsVerbatimArguments
		if which == "gid" {
			opts.Flags = ProcessSetGID
		}
		p, err := Spawn(l, opts)
		assert.Nil(t, p)
		requireSpawnErr(t, err, EPERM)
		assert.False(t, runLoop(t, l, RunDefault))
		assert.Zero(t, rec.n)
		return
	}
	uid, gid := 65534, 65534
	if u, err := user.Lookup("nobody"); err == nil {
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	}
	dir := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	require.NoError(t, os.Chmod(dir, 0o755))
	exe := filepath.Join(dir, "uv.test")
	if os.Link(testExe(t), exe) != nil { // another file system: copy
		data, err := os.ReadFile(testExe(t))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(exe, data, 0o755))
	}

	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	out := newTestPipe(t, l)
	p, err := Spawn(l, &ProcessOptions{
		File: exe, Args: []string{exe, childArg, "spawn_setid_fails", which},
		// Under -race, a child that forked would sleep a second at exit.
		Env: append(os.Environ(), "GORACE=atexit_sleep_ms=0"),
		Cwd: dir, Flags: ProcessSetUID | ProcessSetGID, UID: uint32(uid), GID: uint32(gid),
		Stdio:  []StdioContainer{{}, CreatePipe(out, StdioWritablePipe), InheritFd(2)},
		OnExit: rec.cb,
	})
	require.NoError(t, err)
	require.NotNil(t, p)
	var r reader
	r.start(t, out, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Zero(t, rec.status)
	// The child ran as nobody (spawn_setuid_setgid) and could not spawn
	// with uid or gid 0.
	assert.Equal(t, fmt.Sprintf("EPERM %d %d", uid, gid), string(r.out))
}

func TestSpawnSetuidFails(t *testing.T) { runSetidFails(t, "uid") }
func TestSpawnSetgidFails(t *testing.T) { runSetidFails(t, "gid") }

// A uid or gid the kernel rejects whoever asks: (uid_t) -1.
func TestSpawnBadUID(t *testing.T) {
	l := newLoop(t)
	for _, f := range []ProcessFlags{ProcessSetUID, ProcessSetGID} {
		opts := childOptions(t, "spawn_helper1", nil)
		opts.Flags, opts.UID, opts.GID = f, ^uint32(0), ^uint32(0)
		p, err := Spawn(l, opts)
		assert.Nil(t, p)
		requireSpawnErr(t, err, EINVAL)
	}
}

func TestSpawnAutoUnref(t *testing.T) {
	l := newLoop(t)
	p, err := Spawn(l, childOptions(t, "spawn_helper1", nil))
	require.NoError(t, err)
	assert.True(t, p.IsActive())
	assert.False(t, runLoop(t, l, RunDefault), "the exited process no longer keeps the loop alive")
	assert.False(t, p.IsActive())
	assert.False(t, p.IsClosing())
	require.NoError(t, p.Close(nil))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.True(t, p.IsClosing())
}

func TestSpawnClosedProcessIO(t *testing.T) {
	// The parent's fd 0 is closed, so the socketpair takes it. It comes
	// back after the loop closed everything (cleanups run last-in first).
	saved, err := syscall.Dup(0)
	if err == nil {
		syscall.CloseOnExec(saved)
		t.Cleanup(func() {
			syscall.Dup3(saved, 0, 0)
			syscall.Close(saved)
		})
	} else {
		require.ErrorIs(t, err, syscall.EBADF) // closed already
	}
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	in := newTestPipe(t, l)
	opts := childOptions(t, "spawn_helper3", rec.cb)
	opts.Stdio = []StdioContainer{CreatePipe(in, StdioReadablePipe)}
	if err == nil {
		require.NoError(t, syscall.Close(0))
	}
	_, err = Spawn(l, opts)
	require.NoError(t, err)
	werr := writeAndClose(t, in, []byte("hello-from-spawn_stdin\n"), &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, *werr)
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)
	assert.Equal(t, 2, closes.n) // the process and its stdin
}

func TestKill(t *testing.T) {
	// libuv's test also blocks SIGTERM and sets it to SIG_IGN around
	// uv_spawn to check that the child gets default dispositions and an
	// empty mask. The Go runtime's fork/exec resets the handlers the
	// runtime installed and the mask of the forking thread, but leaves a
	// disposition the program set to SIG_IGN (signal.Ignore) ignored in the
	// child, as os/exec does: that part does not apply.
	l := newLoop(t)
	var closes counter
	rec := killRec{exitRec: exitRec{closes: &closes}}
	p, err := Spawn(l, childOptions(t, "spawn_helper4", rec.cb))
	require.NoError(t, err)
	assert.NoError(t, Kill(p.Pid(), 0))
	assert.NoError(t, Kill(p.Pid(), syscall.SIGTERM))
	assert.False(t, runLoop(t, l, RunDefault))
	rec.check(t)
	assert.Equal(t, 1, closes.n)
}

func TestKillInvalidSignum(t *testing.T) {
	pid := os.Getpid()
	for _, sig := range []syscall.Signal{-1, 4096} {
		err := Kill(pid, sig)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "uv_kill", e.Op)
		assert.Equal(t, EINVAL, e.Code)
	}
}

func TestSpawnReadsChildPath(t *testing.T) {
	// No slash in File: it is found in the PATH of the child's environment.
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	exe := testExe(t)
	_, err := Spawn(l, &ProcessOptions{
		File:   filepath.Base(exe),
		Args:   []string{filepath.Base(exe), childArg, "spawn_helper1"},
		Env:    []string{"PATH=" + filepath.Dir(exe)},
		OnExit: rec.cb,
	})
	require.NoError(t, err)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)
	assert.Equal(t, 1, closes.n)
}

func TestSpawnInheritStreams(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	var stdinFds, stdoutFds [2]int
	require.NoError(t, syscall.Pipe2(stdinFds[:], syscall.O_CLOEXEC))
	require.NoError(t, syscall.Pipe2(stdoutFds[:], syscall.O_CLOEXEC))
	stdinChild, stdoutChild := newTestPipe(t, l), newTestPipe(t, l)
	stdinParent, stdoutParent := newTestPipe(t, l), newTestPipe(t, l)
	require.NoError(t, stdinChild.Open(stdinFds[0]))
	require.NoError(t, stdoutChild.Open(stdoutFds[1]))
	require.NoError(t, stdinParent.Open(stdinFds[1]))
	require.NoError(t, stdoutParent.Open(stdoutFds[0]))
	assert.True(t, stdinChild.IsReadable())
	assert.True(t, stdoutChild.IsWritable())
	assert.True(t, stdinParent.IsWritable())
	assert.True(t, stdoutParent.IsReadable())
	// Linux pipes are one-way.
	assert.False(t, stdinChild.IsWritable())
	assert.False(t, stdoutParent.IsWritable())

	opts := childOptions(t, "spawn_helper9", rec.cb)
	opts.Stdio = []StdioContainer{InheritStream(stdinChild), InheritStream(stdoutChild)}
	_, err := Spawn(l, opts)
	require.NoError(t, err)
	require.NoError(t, stdinChild.Close(nil))
	require.NoError(t, stdoutChild.Close(nil))

	msg := make([]byte, 1023)
	for i := range msg {
		msg[i] = byte(i)
	}
	werr := writeAndClose(t, stdinParent, msg, &closes)
	var r reader
	r.start(t, stdoutParent, &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, *werr)
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)
	assert.Equal(t, 3, closes.n)
	assert.Equal(t, msg, r.out)
}

func TestSpawnExerciseSigchldIssue(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	_, err := Spawn(l, childOptions(t, "spawn_helper1", rec.cb))
	require.NoError(t, err)
	// Failed spawns in between (each one forks: the name has a slash) must
	// not hide the real child's exit. They leave no handle to close.
	for range 100 {
		p, err := Spawn(l, &ProcessOptions{File: "./program-that-had-better-not-exist", OnExit: rec.cb})
		require.Nil(t, p)
		requireSpawnErr(t, err, ENOENT, EACCES)
	}
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, 1, closes.n)
}

func TestSpawnRelativePath(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	exe := testExe(t)
	file := "./" + filepath.Base(exe)
	_, err := Spawn(l, &ProcessOptions{
		File: file, Args: []string{file, childArg, "spawn_helper1"},
		Cwd: filepath.Dir(exe), OnExit: rec.cb,
	})
	require.NoError(t, err)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, 1, closes.n)
}

func TestProcessRef(t *testing.T) {
	l := newLoop(t)
	p, err := Spawn(l, childOptions(t, "spawn_helper4", nil))
	require.NoError(t, err)
	p.Unref()
	assert.False(t, runLoop(t, l, RunDefault), "an unreferenced process does not keep the loop alive")
	assert.True(t, p.IsActive())
	assert.NoError(t, p.Kill(syscall.SIGTERM))
	doClose(t, p)
	ws := reapPid(t, p.Pid())
	assert.Equal(t, syscall.SIGTERM, ws.Signal())
}

// The handle's identity: a process for Type, Walk and uv_fileno.
func TestProcessHandle(t *testing.T) {
	l := newLoop(t)
	var rec exitRec
	p, err := Spawn(l, childOptions(t, "spawn_helper1", rec.cb))
	require.NoError(t, err)
	assert.Equal(t, TypeProcess, p.Type())
	assert.Equal(t, "process", p.Type().String())
	assert.True(t, p.HasRef())
	_, err = p.Fd()
	assert.ErrorIs(t, err, EINVAL)
	var seen []Handle
	l.Walk(func(h Handle) { seen = append(seen, h) })
	require.Len(t, seen, 1)
	assert.Same(t, p, seen[0].(*Process))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	doClose(t, p)
	_, err = p.Fd()
	assert.ErrorIs(t, err, EINVAL)
	assert.ErrorIs(t, p.Close(nil), ErrClosed)
	assert.ErrorIs(t, p.Kill(0), syscall.ESRCH)
}

// countFds counts the test process's open fds.
func countFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(ents)
}

// Bad options fail with a clear *Error, before or after the fork, and leave
// nothing behind: no fd, and the pipes given to CreatePipe as they were.
func TestSpawnBadInput(t *testing.T) {
	l := newLoop(t)
	pipes := []*Pipe{newTestPipe(t, l), newTestPipe(t, l), newTestPipe(t, l)}
	// Counted after the loop's first stream: libuv keeps an fd in reserve
	// per loop from then on (emfile_fd).
	before := countFds(t)
	other := newLoop(t)
	// withPipes gives the child the three pipes as 0, 1 and 2, and keeps
	// what opts.Stdio has above.
	withPipes := func(opts *ProcessOptions) *ProcessOptions {
		stdio := []StdioContainer{
			CreatePipe(pipes[0], StdioReadablePipe),
			CreatePipe(pipes[1], StdioWritablePipe),
			CreatePipe(pipes[2], StdioWritablePipe),
		}
		if len(opts.Stdio) > 3 {
			stdio = append(stdio, opts.Stdio[3:]...)
		}
		opts.Stdio = stdio
		return opts
	}
	opened := newTestPipe(t, l)
	var fds [2]int
	require.NoError(t, syscall.Pipe2(fds[:], syscall.O_CLOEXEC))
	require.NoError(t, opened.Open(fds[0]))
	syscall.Close(fds[1])
	elsewhere := newTestPipe(t, other)
	unopened := newTestPipe(t, l)
	tcp, err := NewTCP(l)
	require.NoError(t, err)
	exe := testExe(t)

	for _, c := range []struct {
		name string
		opts *ProcessOptions
		code Errno
	}{
		{"nil options", nil, EINVAL},
		{"empty file", withPipes(&ProcessOptions{}), ENOENT},
		{"missing program", withPipes(&ProcessOptions{File: "/nonexistent/program"}), ENOENT},
		{"not executable", withPipes(&ProcessOptions{File: "/etc/passwd"}), EACCES},
		{"a directory", withPipes(&ProcessOptions{File: "/"}), EACCES},
		{"missing cwd", withPipes(&ProcessOptions{File: exe, Cwd: "/nonexistent"}), ENOENT},
		{"NUL in file", withPipes(&ProcessOptions{File: "a\x00b"}), EINVAL},
		{"NUL in args", withPipes(&ProcessOptions{File: exe, Args: []string{"a\x00b"}}), EINVAL},
		{"NUL in env", withPipes(&ProcessOptions{File: exe, Env: []string{"A=\x00"}}), EINVAL},
		{"bad uid", withPipes(&ProcessOptions{File: exe, Flags: ProcessSetUID, UID: ^uint32(0)}), EINVAL},
		{"unknown process flag", &ProcessOptions{File: exe, Flags: 1 << 20}, EINVAL},
		{"unknown stdio flag", &ProcessOptions{File: exe, Stdio: []StdioContainer{{Flags: 1 << 10}}}, EINVAL},
		{"two kinds", &ProcessOptions{File: exe, Stdio: []StdioContainer{{Flags: StdioInheritFd | StdioCreatePipe}}}, EINVAL},
		{"nil pipe", &ProcessOptions{File: exe, Stdio: []StdioContainer{CreatePipe(nil, StdioWritablePipe)}}, EINVAL},
		{"TCP for a pipe", &ProcessOptions{File: exe, Stdio: []StdioContainer{{Flags: StdioCreatePipe, Stream: tcp}}}, EINVAL},
		{"open pipe", &ProcessOptions{File: exe, Stdio: []StdioContainer{CreatePipe(opened, StdioWritablePipe)}}, EINVAL},
		{"pipe of another loop", &ProcessOptions{File: exe, Stdio: []StdioContainer{CreatePipe(elsewhere, StdioWritablePipe)}}, EINVAL},
		{"pipe twice", &ProcessOptions{File: exe, Stdio: []StdioContainer{{}, CreatePipe(pipes[0], StdioWritablePipe), CreatePipe(pipes[0], StdioWritablePipe)}}, EINVAL},
		{"negative fd", &ProcessOptions{File: exe, Stdio: []StdioContainer{InheritFd(-1)}}, EBADF},
		{"closed fd", withPipes(&ProcessOptions{File: exe, Stdio: []StdioContainer{{}, {}, {}, InheritFd(1000)}}), EBADF},
		{"nil stream", &ProcessOptions{File: exe, Stdio: []StdioContainer{InheritStream(nil)}}, EINVAL},
		{"stream without fd", &ProcessOptions{File: exe, Stdio: []StdioContainer{InheritStream(unopened)}}, EINVAL},
	} {
		p, err := Spawn(l, c.opts)
		assert.Nil(t, p, c.name)
		var e *Error
		if assert.ErrorAs(t, err, &e, c.name) {
			assert.Equal(t, "uv_spawn", e.Op, c.name)
			assert.Equal(t, c.code, e.Code, "%s: %v", c.name, err)
		}
	}
	assert.False(t, runLoop(t, l, RunDefault))
	for _, p := range pipes {
		_, err := p.Fd()
		assert.ErrorIs(t, err, EBADF, "the pipe was left unopened")
	}
	// The pipes still work.
	var closes counter
	rec := exitRec{closes: &closes}
	opts := withPipes(childOptions(t, "spawn_helper6", rec.cb))
	_, err = Spawn(l, opts)
	require.NoError(t, err)
	require.NoError(t, pipes[0].Close(closes.inc))
	var r1, r2 reader
	r1.start(t, pipes[1], &closes)
	r2.start(t, pipes[2], &closes)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, "hello world\n", string(r1.out))
	assert.Equal(t, "hello errworld\n", string(r2.out))
	assert.Equal(t, 4, closes.n)
	doClose(t, opened)
	doClose(t, elsewhere)
	doClose(t, unopened)
	doClose(t, tcp)
	closeLoop(t, other)
	assert.Equal(t, before, countFds(t), "fds leaked")
}

// A program may use gouv's Process, os/exec and signal.Notify(SIGCHLD)
// together: gouv reaps only its own children (wait4 on their pid, once
// their pidfd is readable), os/exec its own, and SIGCHLD still reaches
// os/signal, for gouv's children too.
func TestSpawnCoexistsWithOSExecAndSignal(t *testing.T) {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGCHLD)
	defer signal.Stop(sigs)

	exe := testExe(t)
	type result struct {
		out  string
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		out, err := exec.Command(exe, childArg, "spawn_helper2").Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			done <- result{string(out), ee.ExitCode(), nil}
			return
		}
		done <- result{string(out), 0, err}
	}()

	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	_, err := Spawn(l, childOptions(t, "spawn_helper1", rec.cb))
	require.NoError(t, err)
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)

	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, "hello world\n", r.out)
	assert.Equal(t, 1, r.code)

	select {
	case s := <-sigs:
		assert.Equal(t, syscall.SIGCHLD, s)
	case <-time.After(10 * time.Second):
		t.Fatal("no SIGCHLD reached os/signal")
	}
}

// Spawn works from a callback of the running loop, as in most programs.
func TestSpawnFromCallback(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	var spawnErr error
	tm, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tm.Start(0, 0, func(tm *Timer) {
		_, spawnErr = Spawn(l, childOptions(t, "spawn_helper1", rec.cb))
		tm.Close(closes.inc)
	}))
	assert.False(t, runLoop(t, l, RunDefault))
	assert.NoError(t, spawnErr)
	assert.Equal(t, 1, rec.n)
	assert.Equal(t, int64(1), rec.status)
	assert.Equal(t, 2, closes.n)
}

// A child reaped by someone else (a wait4 that is not gouv's) still ends
// its handle: the exit callback runs once, with (0, 0) since the status
// went to the other waiter.
func TestProcessReapedElsewhere(t *testing.T) {
	l := newLoop(t)
	var closes counter
	rec := exitRec{closes: &closes}
	p, err := Spawn(l, childOptions(t, "spawn_helper1", rec.cb))
	require.NoError(t, err)
	ws := reapPid(t, p.Pid())
	assert.Equal(t, 1, ws.ExitStatus())
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, rec.n)
	assert.Zero(t, rec.status)
	assert.Zero(t, rec.signal)
	assert.Equal(t, 1, closes.n)
}
