package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"os"
	"strings"
	"syscall"
)

// Process is a child process handle (uv_process_t), made by Spawn.
//
// uv_spawn itself is not used: it reaps children from a SIGCHLD handler
// installed with a uv_signal_t, which the Go runtime does not survive (see
// the package doc). Spawn forks and executes with the Go
// runtime's own syscall.StartProcess, and the exit is seen through a pidfd
// (a file descriptor for the child, Linux 5.3+) watched by a uv_poll_t on
// the loop. That uv_poll_t is the handle's C memory: libuv sees a poll
// handle, Go a Process (Type is TypeProcess, "process"). When the pidfd
// becomes readable the child has exited: it is reaped with wait4 on its
// own pid, so other children of the program (os/exec's, say) are never
// reaped by gouv, and the exit callback runs on the loop.
//
// As in libuv, the handle is active, and keeps the loop alive unless
// unreferenced, from Spawn until the child exits; Close stops watching the
// child, which keeps running and is never reaped by gouv (libuv leaves it
// too). os/exec, os/signal (SIGCHLD included) and Process work side by
// side. A child that something else reaps first (a wait4(-1), or SIGCHLD
// set to SIG_IGN, which makes the kernel reap) still ends its handle, with
// an exit callback of (0, 0): its status went elsewhere.
//
// https://docs.libuv.org/en/v1.x/process.html
type Process struct {
	handle
	pid    int
	pidfd  int
	exited bool
	onExit func(p *Process, exitStatus int64, termSignal int)
}

// ProcessFlags are the flags of ProcessOptions (uv_process_flags).
type ProcessFlags uint

// Process flags. The Windows ones are accepted and ignored, as libuv does on
// Unix.
const (
	// ProcessSetUID runs the child as ProcessOptions.UID.
	ProcessSetUID ProcessFlags = C.UV_PROCESS_SETUID
	// ProcessSetGID runs the child with group ProcessOptions.GID.
	ProcessSetGID ProcessFlags = C.UV_PROCESS_SETGID
	// ProcessWindowsVerbatimArguments is for Windows only.
	ProcessWindowsVerbatimArguments ProcessFlags = C.UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS
	// ProcessDetached starts the child in a new session (setsid), so that
	// it can outlive the parent. It still keeps the loop alive: Unref the
	// handle for that.
	ProcessDetached ProcessFlags = C.UV_PROCESS_DETACHED
	// ProcessWindowsHide is for Windows only.
	ProcessWindowsHide ProcessFlags = C.UV_PROCESS_WINDOWS_HIDE
	// ProcessWindowsHideConsole is for Windows only.
	ProcessWindowsHideConsole ProcessFlags = C.UV_PROCESS_WINDOWS_HIDE_CONSOLE
	// ProcessWindowsHideGUI is for Windows only.
	ProcessWindowsHideGUI ProcessFlags = C.UV_PROCESS_WINDOWS_HIDE_GUI

	allProcessFlags = ProcessSetUID | ProcessSetGID | ProcessWindowsVerbatimArguments |
		ProcessDetached | ProcessWindowsHide | ProcessWindowsHideConsole | ProcessWindowsHideGUI
)

// ProcessOptions says what Spawn starts and how (uv_process_options_t).
type ProcessOptions struct {
	// File is the program to run. A name without a slash is looked up in
	// the PATH of the child's environment (Env, or the parent's when Env is
	// nil; /bin:/usr/bin without PATH), as execvp does; a relative path
	// with a slash is relative to Cwd.
	File string
	// Args are the command line arguments, Args[0] being the program's
	// name. Empty means {File}.
	Args []string
	// Env is the child's environment, "KEY=value" strings. nil gives the
	// child the parent's environment (os.Environ); an empty non-nil slice
	// gives it none.
	Env []string
	// Cwd is the child's working directory; empty means the parent's.
	Cwd string
	// Flags are ProcessSetUID, ProcessDetached...
	Flags ProcessFlags
	// Stdio are the child's file descriptors 0, 1, 2, 3... Those of 0, 1
	// and 2 that are missing or ignored are opened on /dev/null; others
	// that are ignored are closed in the child.
	Stdio []StdioContainer
	// UID and GID are the child's user and group IDs, with ProcessSetUID
	// and ProcessSetGID.
	UID uint32
	GID uint32
	// OnExit, if not nil, runs on the loop when the child has exited, with
	// its exit status and the signal that ended it (0 when it exited).
	OnExit func(p *Process, exitStatus int64, termSignal int)
}

// StdioFlags say what a StdioContainer gives the child (uv_stdio_flags).
type StdioFlags int

// Stdio flags.
const (
	// StdioIgnore gives the child /dev/null (fds 0-2) or nothing.
	StdioIgnore StdioFlags = C.UV_IGNORE
	// StdioCreatePipe connects the child to a new Pipe of the parent.
	StdioCreatePipe StdioFlags = C.UV_CREATE_PIPE
	// StdioInheritFd gives the child one of the parent's fds.
	StdioInheritFd StdioFlags = C.UV_INHERIT_FD
	// StdioInheritStream gives the child the fd of one of the parent's
	// streams.
	StdioInheritStream StdioFlags = C.UV_INHERIT_STREAM
	// StdioReadablePipe: the child reads from the pipe (StdioCreatePipe).
	StdioReadablePipe StdioFlags = C.UV_READABLE_PIPE
	// StdioWritablePipe: the child writes to the pipe (StdioCreatePipe).
	StdioWritablePipe StdioFlags = C.UV_WRITABLE_PIPE
	// StdioNonblockPipe opens the child's end of the pipe in non-blocking
	// mode (StdioCreatePipe).
	StdioNonblockPipe StdioFlags = C.UV_NONBLOCK_PIPE

	allStdioFlags = StdioCreatePipe | StdioInheritFd | StdioInheritStream |
		StdioReadablePipe | StdioWritablePipe | StdioNonblockPipe
)

// StdioContainer is one file descriptor of a child (uv_stdio_container_t).
// The zero value is StdioIgnore; CreatePipe, InheritFd and InheritStream
// make the others.
type StdioContainer struct {
	Flags StdioFlags
	// Stream is the Pipe of StdioCreatePipe or the stream of
	// StdioInheritStream.
	Stream Stream
	// Fd is the fd of StdioInheritFd.
	Fd int
}

// CreatePipe connects the child's fd to p, a new Pipe of the spawning loop
// that is not open yet (NewPipe), through a socketpair, as libuv does
// (UV_CREATE_PIPE). flags say which way data flows from the child's point
// of view: StdioReadablePipe (the child reads, as for stdin),
// StdioWritablePipe (the child writes), or both; StdioNonblockPipe may be
// added. After Spawn, p is open on the parent's end of the socketpair, so
// it is readable and writable whatever flags say; after a failed Spawn it
// is as it was.
func CreatePipe(p *Pipe, flags StdioFlags) StdioContainer {
	c := StdioContainer{Flags: StdioCreatePipe | flags}
	if p != nil {
		c.Stream = p
	}
	return c
}

// InheritFd gives the child the parent's fd (UV_INHERIT_FD). As in libuv,
// an fd given as the child's 0, 1 or 2 is put in blocking mode, which its
// file description shares with the parent's fd.
func InheritFd(fd int) StdioContainer {
	return StdioContainer{Flags: StdioInheritFd, Fd: fd}
}

// InheritStream gives the child the fd of s (UV_INHERIT_STREAM), as
// InheritFd does.
func InheritStream(s Stream) StdioContainer {
	return StdioContainer{Flags: StdioInheritStream, Stream: s}
}

// Spawn starts a child process and a Process handle on l to watch it
// (uv_spawn, built on syscall.StartProcess: see Process). It returns once
// the program is executing. A program that cannot be run fails with an
// *Error{Op: "uv_spawn", Path: opts.File} holding the child's errno: ENOENT
// for a missing program, EACCES for one that is not executable, EPERM when
// the uid or gid cannot be set, EINVAL for an invalid one (and for bad
// options: unknown flags, a CreatePipe pipe that is open already or
// belongs to another loop, a NUL byte in a string). A failed Spawn leaves
// nothing behind: no fd, no handle, no child.
func Spawn(l *Loop, opts *ProcessOptions) (*Process, error) {
	if l.closed {
		return nil, ErrLoopClosed
	}
	l.checkThread("uv_spawn")
	if opts == nil {
		return nil, &Error{Op: "uv_spawn", Code: EINVAL, Detail: "nil options"}
	}
	fail := func(code Errno, detail string) (*Process, error) {
		return nil, &Error{Op: "uv_spawn", Path: opts.File, Code: code, Detail: detail}
	}
	if opts.Flags&^allProcessFlags != 0 {
		return fail(EINVAL, "unknown process flags")
	}
	if strings.IndexByte(opts.File, 0) >= 0 || strings.IndexByte(opts.Cwd, 0) >= 0 {
		return fail(EINVAL, "NUL byte in file or cwd")
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	path, code := lookPath(opts.File, opts.Cwd, env)
	if code != 0 {
		return fail(code, "")
	}
	args := opts.Args
	if len(args) == 0 {
		args = []string{opts.File}
	}

	var st spawnStdio
	defer st.closeChildEnds()
	if err := st.setup(l, opts.Stdio); err != nil {
		st.closeParentEnds()
		err.Path = opts.File
		return nil, err
	}

	pidfd := -1
	sys := &syscall.SysProcAttr{Setsid: opts.Flags&ProcessDetached != 0, PidFD: &pidfd}
	if opts.Flags&(ProcessSetUID|ProcessSetGID) != 0 {
		cred := &syscall.Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
		if opts.Flags&ProcessSetUID != 0 {
			cred.Uid = opts.UID
		}
		if opts.Flags&ProcessSetGID != 0 {
			cred.Gid = opts.GID
		}
		// libuv drops supplementary groups with setgroups(0, NULL) and
		// ignores its failure, which it is for any but root.
		cred.NoSetGroups = os.Geteuid() != 0
		sys.Credential = cred
	}
	pid, _, err := syscall.StartProcess(path, args, &syscall.ProcAttr{
		Dir: opts.Cwd, Env: env, Files: st.files, Sys: sys,
	})
	if err != nil {
		st.closeParentEnds()
		return fail(spawnErrno(err), "")
	}
	if pidfd < 0 { // a kernel without CLONE_PIDFD
		r, _, e := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
		if e != 0 {
			reap(pid)
			st.closeParentEnds()
			return fail(Errno(-int(e)), "pidfd_open: Linux 5.3 or newer is needed")
		}
		pidfd = int(r)
	}
	p := &Process{pid: pid, pidfd: pidfd, onExit: opts.OnExit}
	if code := l.newProcess(p); code != 0 {
		// The child runs already: it is killed, as if never spawned.
		reap(pid)
		syscall.Close(pidfd)
		st.closeParentEnds()
		return fail(code, "watching the child's pidfd (uv_poll_init)")
	}
	if err := st.openPipes(); err != nil {
		// uv_pipe_open cannot fail on a new socket and a pipe checked
		// by setup; should it, the child is killed and the handle closed.
		reap(pid)
		p.exited = true
		p.Close(nil)
		return fail(err.Code, "uv_pipe_open")
	}
	return p, nil
}

// sysPidfdOpen is pidfd_open(2)'s number, the same on every architecture.
const sysPidfdOpen = 434

// newProcess registers p and creates its uv_poll_t on its pidfd, started;
// it returns uv_poll_init's or uv_poll_start's error code, or 0.
func (l *Loop) newProcess(p *Process) Errno {
	id := l.handles.New(&p.handle)
	r := C.uvgo_process_new(l.ptr, C.uintptr_t(id), C.int(p.pidfd))
	if r.err != 0 {
		l.handles.Delete(id)
		return Errno(r.err)
	}
	p.ptr, p.loop, p.typ = r.ptr, l, uint8(TypeProcess)
	l.dbg.opened(id, TypeProcess)
	return 0
}

// reap kills a child that must not live on, and waits for it.
func reap(pid int) {
	syscall.Kill(pid, syscall.SIGKILL)
	var ws syscall.WaitStatus
	for {
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
			return
		}
	}
}

// spawnErrno turns what syscall.StartProcess returns into an Errno.
func spawnErrno(err error) Errno {
	if e, ok := err.(syscall.Errno); ok {
		return Errno(-int(e))
	}
	return EINVAL
}

// lookPath finds the program execvp would run for file in the child:
// file itself when it has a slash, else the first executable file in the
// child's PATH. Relative candidates stay relative: execve resolves them
// after the child's chdir to cwd.
func lookPath(file, cwd string, env []string) (string, Errno) {
	if file == "" {
		return "", ENOENT
	}
	if strings.IndexByte(file, '/') >= 0 {
		return file, 0
	}
	pathVar, found := "", false
	for i := len(env) - 1; i >= 0; i-- { // the last one wins, as in getenv
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			pathVar, found = v, true
			break
		}
	}
	if !found {
		pathVar = "/bin:/usr/bin"
	}
	code := ENOENT
	for _, dir := range strings.Split(pathVar, ":") {
		cand := file
		if dir != "" {
			cand = dir + "/" + file
		}
		at := cand
		if cand[0] != '/' && cwd != "" {
			at = cwd + "/" + cand
		}
		var st syscall.Stat_t
		if syscall.Stat(at, &st) != nil {
			continue
		}
		if st.Mode&syscall.S_IFMT != syscall.S_IFREG || syscall.Access(at, 1) != nil {
			code = EACCES // what execve would say; the search goes on
			continue
		}
		return cand, 0
	}
	return "", code
}

// pp returns the C handle, a uv_poll_t on the pidfd.
func (p *Process) pp() *C.uv_poll_t { return (*C.uv_poll_t)(p.ptr) }

// Pid returns the child's process ID (uv_process_get_pid).
func (p *Process) Pid() int { return p.pid }

// Kill sends sig to the child (uv_process_kill). 0 checks that it is still
// alive. After the exit callback it fails with ESRCH; an invalid signal
// number is EINVAL. It may be called once the handle is closed: the child
// is not reaped then, so its pid stays its own.
func (p *Process) Kill(sig syscall.Signal) error {
	if p.pid <= 0 {
		// A zero Process: uv_kill of pid 0 would signal the whole
		// process group.
		return errNotCreated
	}
	p.loop.checkThread("uv_process_kill")
	if p.exited {
		return &Error{Op: "uv_process_kill", Code: ESRCH}
	}
	return check("uv_process_kill", int(C.uv_kill(C.int(p.pid), C.int(sig))))
}

// Close stops watching the child and closes the handle (uv_close); the
// child keeps running and its exit callback will not run.
func (p *Process) Close(cb func()) error {
	if err := p.handle.Close(cb); err != nil {
		return err
	}
	// uv_close stopped the poll and dropped the fd from epoll: it can go.
	syscall.Close(p.pidfd)
	p.pidfd = -1
	return nil
}

// Fd returns EINVAL, as uv_fileno does for a process handle.
func (p *Process) Fd() (int, error) {
	return -1, &Error{Op: "uv_fileno", Code: EINVAL}
}

// exit runs when the pidfd is readable: the child exited. It is reaped,
// the handle stops (inactive, it no longer keeps the loop alive) and the
// exit callback runs with WEXITSTATUS and WTERMSIG, as libuv's.
func (p *Process) exit() {
	if p.exited || p.state != stateOpen {
		return
	}
	var ws syscall.WaitStatus
	pid, err := syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil)
	for err == syscall.EINTR {
		pid, err = syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil)
	}
	if err == nil && pid == 0 {
		return // not yet: the poll stays on
	}
	C.uv_poll_stop(p.pp())
	p.exited = true
	var status int64
	var sig int
	// ECHILD: someone else reaped the child (a wait4(-1) elsewhere in the
	// program); its status is lost and (0, 0) is reported.
	if err == nil {
		switch {
		case ws.Exited():
			status = int64(ws.ExitStatus())
		case ws.Signaled():
			sig = int(ws.Signal())
		}
	}
	if p.onExit != nil {
		p.onExit(p, status, sig)
	}
}

// Kill sends sig to the process pid (uv_kill). An invalid signal number is
// EINVAL, a process that does not exist ESRCH.
func Kill(pid int, sig syscall.Signal) error {
	return check("uv_kill", int(C.uv_kill(C.int(pid), C.int(sig))))
}

// spawnStdio is what Spawn makes of ProcessOptions.Stdio: the child's fds,
// the fds to close in the parent once the child has them (socketpair ends,
// /dev/null), and the pipes to open on the parent's ends.
type spawnStdio struct {
	files    []uintptr
	child    []int
	pipes    []pendingPipe
	blocking []int // inherited fds the child gets as 0, 1 or 2
	opened   int   // pipes opened so far
}

type pendingPipe struct {
	p  *Pipe
	fd int
}

// setup checks the containers and makes the fds, as libuv's
// uv__process_init_stdio does: a socketpair for StdioCreatePipe, the fd
// itself for the inherited ones, /dev/null for ignored fds 0-2 (read-only
// for 0), nothing (closed in the child) for ignored ones above.
func (st *spawnStdio) setup(l *Loop, stdio []StdioContainer) *Error {
	n := max(3, len(stdio))
	st.files = make([]uintptr, n)
	bad := func(code Errno, i int, detail string) *Error {
		return &Error{Op: "uv_spawn", Code: code, Detail: "stdio " + itoa(i) + ": " + detail}
	}
	for i := range n {
		var c StdioContainer
		if i < len(stdio) {
			c = stdio[i]
		}
		if c.Flags&^allStdioFlags != 0 {
			return bad(EINVAL, i, "unknown flags")
		}
		switch c.Flags & (StdioCreatePipe | StdioInheritFd | StdioInheritStream) {
		case StdioIgnore:
			if i > 2 {
				st.files[i] = ^uintptr(0) // closed in the child
				continue
			}
			mode := syscall.O_RDWR
			if i == 0 {
				mode = syscall.O_RDONLY
			}
			fd, err := syscall.Open("/dev/null", mode|syscall.O_CLOEXEC, 0)
			if err != nil {
				return bad(spawnErrno(err), i, "open /dev/null")
			}
			st.child = append(st.child, fd)
			st.files[i] = uintptr(fd)
		case StdioCreatePipe:
			p, _ := c.Stream.(*Pipe)
			if p == nil {
				return bad(EINVAL, i, "CreatePipe needs a *Pipe")
			}
			if err := st.checkPipe(l, p); err != "" {
				return bad(EINVAL, i, err)
			}
			fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
			if err != nil {
				return bad(spawnErrno(err), i, "socketpair")
			}
			st.child = append(st.child, fds[1])
			st.pipes = append(st.pipes, pendingPipe{p, fds[0]})
			if c.Flags&StdioNonblockPipe != 0 {
				syscall.SetNonblock(fds[1], true)
			}
			st.files[i] = uintptr(fds[1])
		case StdioInheritFd:
			if c.Fd < 0 {
				return bad(EBADF, i, "negative fd")
			}
			st.inherit(i, c.Fd)
		case StdioInheritStream:
			if c.Stream == nil {
				return bad(EINVAL, i, "nil stream")
			}
			fd, err := c.Stream.Fd()
			if err != nil {
				return bad(EINVAL, i, "the stream has no fd")
			}
			st.inherit(i, fd)
		default:
			return bad(EINVAL, i, "more than one of CreatePipe, InheritFd, InheritStream")
		}
	}
	// libuv's child makes its fds 0-2 blocking (their file descriptions are
	// the parent's: the parent sees it too); done here, before the fork.
	for _, fd := range st.blocking {
		syscall.SetNonblock(fd, false)
	}
	return nil
}

func (st *spawnStdio) inherit(i, fd int) {
	st.files[i] = uintptr(fd)
	if i <= 2 {
		st.blocking = append(st.blocking, fd)
	}
}

// checkPipe says what is wrong with p as a CreatePipe pipe, or "".
func (st *spawnStdio) checkPipe(l *Loop, p *Pipe) string {
	switch {
	case p.state == stateClosed:
		return "the pipe is closed"
	case p.state == stateClosing:
		return "the pipe is closing"
	case p.loop != l:
		return "the pipe belongs to another loop"
	}
	if _, err := p.Fd(); err == nil {
		return "the pipe is open already"
	}
	for _, q := range st.pipes {
		if q.p == p {
			return "the pipe is given twice"
		}
	}
	return ""
}

// openPipes opens the parent's ends into their pipes (uv_pipe_open).
func (st *spawnStdio) openPipes() *Error {
	for ; st.opened < len(st.pipes); st.opened++ {
		q := st.pipes[st.opened]
		if r := int(C.uv_pipe_open(q.p.pp(), C.uv_file(q.fd))); r < 0 {
			st.closeParentEnds()
			return &Error{Op: "uv_pipe_open", Code: Errno(r)}
		}
	}
	return nil
}

// closeParentEnds closes the parent's ends not opened into pipes.
func (st *spawnStdio) closeParentEnds() {
	for _, q := range st.pipes[st.opened:] {
		syscall.Close(q.fd)
	}
	st.opened = len(st.pipes)
}

// closeChildEnds closes the parent's copies of what the child got.
func (st *spawnStdio) closeChildEnds() {
	for _, fd := range st.child {
		syscall.Close(fd)
	}
	st.child = nil
}
