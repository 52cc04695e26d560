// Package uv is a thin binding to libuv, the C event loop under Node.js and
// uvloop: one Go type per libuv handle, one file per libuv docs page
// (https://docs.libuv.org/en/v1.x/api.html), one method per uv_* function,
// and each doc comment names the function it wraps.
//
// # Threads
//
// A [Loop] is not thread-safe (libuv's design.rst). [Loop.Run] locks its
// goroutine to its OS thread while it runs, and every method of the loop and
// of its handles must be called on that goroutine: from inside a callback,
// or before Run starts and after it returns. The ways in from other
// goroutines are [Loop.Post] and [Async.Send]. Builds with -tags uvdebug
// check the rule and panic with a message that says so; other builds trust
// it. Run from inside a callback returns [ErrRunning]. In RunDefault mode
// Run leaves uv_run every 5 ms and reschedules its goroutine before going
// on, unseen by callbacks: Go's sysmon would otherwise take the P of a
// goroutine that has run for 10 ms without a reschedule, and then poll
// every 20 µs on the loop's CPU.
//
// # Lifetime
//
// Every handle lives in C memory from its successful New* call until its
// close callback: [Handle] Close starts the close, libuv finishes it on a
// later loop iteration, then the Go callback runs and the memory is freed.
// Methods of a closed handle return [ErrClosed]. Handles must be closed; no
// finalizer closes them, since finalizers run on another goroutine.
// [Loop.Close] returns an error naming the handles still open, and leaves
// the loop usable then. Handles that C code made on [Loop.Raw]'s loop are
// foreign: [Loop.Walk] and [Loop.Stats] leave them out, [Loop.WalkForeign]
// gives them as [Foreign] values, and Close names them too ("2 foreign tcp
// (active)"); the README's "Hosting C libraries on a gouv loop" says how
// to shut such a library down.
//
// # Errors
//
// A call that fails synchronously returns an [*Error] naming the libuv
// function and its [Errno]; callbacks get the Errno itself, or [io.EOF] at
// the end of a stream. Errno values match the [syscall.Errno] of the same
// name through errors.Is. Misuse of the binding (a closed handle, a second
// Close, a re-entrant Run) returns the sentinels [ErrClosed], [ErrRunning]
// and [ErrLoopClosed], or panics where the method has no error result.
//
// # Panics
//
// A panic inside a callback never unwinds through libuv: it is recovered
// where C calls Go, the loop stops, and Run panics on its caller with a
// [*CallbackPanic] holding the original value and the callback's stack. The
// loop is left consistent: close its handles and the loop as usual.
//
// # Buffers
//
// The slice a read callback gets is a view of a buffer the loop reuses: it
// is valid only until the callback returns. Write and WriteV first send
// what the socket takes at once (uv_try_write) and copy the rest into C
// memory, so their arguments may be reused as soon as they return.
//
// UDP receive callbacks get the same kind of view: one datagram per call,
// valid until the callback returns, with [UDPPartial] set when the
// datagram did not fit. A handle made with NewUDPEx(l,
// family|[UDPRecvMmsg]) reads up to 20 datagrams per recvmmsg system call
// and hands a whole batch to Go in one call. The callback still sees the
// datagrams one at a time, and RecvStop or Close inside it drops the rest
// of the batch. [UDP.Send] tries uv_udp_try_send first and copies the
// datagram into C memory only when it must be queued. It returns the
// errors uv_udp_send returns itself, and passes the send's own result
// (EMSGSIZE, ECONNREFUSED...) to its callback.
//
// # Handles
//
// Every libuv handle type that a Go program can use is bound, one file per
// libuv docs page: [Timer], [Idle], [Prepare], [Check], [Async], the
// streams [TCP], [Pipe] (with handle passing over IPC pipes:
// [Pipe.Write2], [Pipe.PendingCount], [Pipe.PendingType], Accept) and
// [TTY], [UDP], [Poll], [FSEvent], [FSPoll], [Signal] and [Process]. The
// loop's own [Loop.Post] is the way in from other goroutines.
//
// A [Timer] keeps libuv's semantics and order (deadline, then start order;
// the timers due in one iteration see each other's Start, Stop and Close at
// once), but the loop keeps its started timers in a heap on the Go side
// behind one libuv timer, and fires every timer due in one call from C:
// Start costs no call into C unless it moves the loop's first deadline.
//
// [Poll] is how a C library's file descriptors join the loop: the loop
// says when an fd it does not own is readable, writable, disconnected or
// has urgent data, and the library does the I/O. The fd stays the
// caller's; stop or close the handle before closing it. [FSEvent] reports
// changes to a file or directory through inotify, naming the entry that
// changed. [FSPoll] stats a path at an interval on the thread pool and
// reports each change with the previous and current [Stat]; it also works
// where inotify does not, such as network file systems.
//
// A TCP listener that runs out of file descriptors keeps running: libuv
// drops, with its reserve fd, the connections it cannot accept, and the
// loop stays idle until fds are free again (TestEmfile).
//
// # Requests on the thread pool
//
// [GetAddrInfo] and [GetNameInfo] resolve on libuv's thread pool and call
// back on the loop with Go values ([]AddrInfo holding netip.AddrPort; host
// and service strings). [GetAddrInfoSync] and [GetNameInfoSync] are
// libuv's inline forms (no callback): they return the results and block
// the calling goroutine, and so the loop. Resolver failures are EAI_*
// Errnos (errors.Is(err, uv.EAI_NONAME)). [TCP.ConnectHost] resolves a
// name and tries each address in order, as net.Dial does.
//
// [QueueWork] runs a Go function on a pool thread, a cgo callback from a
// thread Go did not create, then its after function on the loop; a panic
// in work is carried to Run. [Random] fills a buffer from the system's
// CSPRNG: inline when the callback is nil, otherwise on the pool into C
// memory, copied into the buffer on the loop, so the pool never sees Go
// memory.
//
// File system requests: every uv_fs_* call that Linux supports is a
// function named FS plus libuv's verb (uv_fs_open: [FSOpen]), taking the
// loop first and a callback last. With a callback the request runs on
// libuv's thread pool: the call returns a *Req, and the results and error
// go to the callback on the loop; call this form on the loop's goroutine.
// With a nil callback the call runs synchronously, as libuv does, and
// returns its results (results first, then a nil *Req, then the error); it
// may be called from any goroutine. Results are Go values: [Stat],
// [StatFS], []DirEnt, *Dir, strings. Errors are *Error values naming the
// call and the path, &Error{Op: "uv_fs_open", Path: name, Code: ENOENT},
// and match fs.ErrNotExist, fs.ErrExist and fs.ErrPermission through
// errors.Is. Read and write buffers are pinned (runtime.Pinner), not
// copied, from the call until the callback returns: do not touch them
// until then.
//
// Each asynchronous call returns a [*Req] whose Cancel (uv_cancel)
// succeeds while the request waits in the pool's queue: its callback then
// runs once with ECANCELED (for DNS too, where libuv says EAI_CANCELED).
// Once the request is running or finished, Cancel returns EBUSY. A pending
// request keeps the loop alive. The pool is shared by the whole process
// and has 4 threads, or UV_THREADPOOL_SIZE (1-1024) when that is set
// before the process's first pool request.
//
// # Signals
//
// uv_signal_t cannot run in a Go program: libuv installs its handlers
// without SA_ONSTACK and changes signal masks, and the Go runtime dies on
// the first signal they catch (os/signal, "Go programs that use cgo").
// [Signal] keeps its API and semantics (Start, StartOneshot, Stop, Signum,
// active while started, ref/unref, every watcher on every loop gets each
// signal, no callback after Stop or Close) on top of os/signal. For each
// watched signal, one goroutine receives it from a signal.Notify channel
// and wakes each watcher's loop through a uv_async_t of the watcher's own.
// The callback runs on the loop. When the last watcher of a signal stops,
// the channel is stopped and the signal does to the program what it did
// before. Signals os/signal cannot deliver (SIGKILL, SIGSTOP, SIGPROF,
// 32-34, out of range) are EINVAL.
//
// # Reliability checks
//
// make test also runs the suite under AddressSanitizer with
// LeakSanitizer (the binding's C; libuv itself is not instrumented), under
// GOGC=1, the FuzzAPI corpus, and a 30-second echo soak. uvdebug builds
// can make the binding's C allocations fail: every New*, queued writes and
// sends, Shutdown, Connect, requests and NewLoop then return an ENOMEM
// *Error and leave nothing behind. A zero-value or nil Loop or handle
// returns an error or panics with a message, never crashes in C.
//
// # Processes
//
// uv_spawn is not used: it reaps children from a SIGCHLD handler that
// libuv installs without SA_ONSTACK, which the Go runtime does not
// survive. [Spawn] keeps libuv's options and semantics but forks with the
// Go runtime's own syscall.StartProcess. It sees the exit through a pidfd
// (Linux 5.3+, from the fork itself) watched by a uv_poll_t on the loop,
// and reaps with wait4 on that child's pid alone. The exit callback
// therefore runs on the loop with libuv's (exit status, term signal), and
// os/exec, os/signal (SIGCHLD included) and [Process] work side by side in
// one program. Stdio is given as in uv_stdio_container_t: [CreatePipe] (a
// socketpair, the parent's end opened into a [Pipe]), [InheritFd],
// [InheritStream], or ignored (/dev/null for fds 0-2). A Process is active
// until its child exits, so it keeps the loop alive unless unreferenced.
// Close stops watching, and the child runs on unreaped, as in libuv.
//
// # Misc utilities and shared libraries
//
// libuv's misc page is bound as plain functions that any goroutine may
// call: memory and load ([FreeMemory], [TotalMemory], [ConstrainedMemory],
// [ResidentSetMemory], [Uptime], [LoadAvg], [Getrusage]), CPUs and network
// ([AvailableParallelism], [CPUs], [InterfaceAddresses] with netip
// addresses, [IfIndexToName], [IfIndexToIID]), the process and its user
// ([Getpid], [Getppid], [Getpriority], [Setpriority], [Uname],
// [GetPasswd], [Homedir], [Tmpdir], [Hostname], [Exepath], [Cwd],
// [Chdir]), the C environment ([Environ], [Getenv], [Setenv],
// [Unsetenv]), time ([Gettimeofday], [Sleep], [HRTime]) and handles
// ([GuessHandle], [Loop.PrintAllHandles], [Loop.PrintActiveHandles]).
// libuv's C arrays and strings are copied into Go values and freed before
// the functions return. Where the standard library has the same function
// (os.Getwd, os.Hostname, os.Getenv...) the doc comment says how the two
// differ; the environment is the one that does: [Setenv] changes the C
// environment, which os.Getenv does not read. libuv's dll page is [Lib]:
// [Open], [Lib.Sym] and [Lib.Close], with the loader's messages in
// [*DLError].
//
// # Not bound
//
// These libuv functions are left out on purpose; a Go program must not
// call them, or has them in Go already:
//   - uv_setup_args, uv_get_process_title, uv_set_process_title: the title
//     lives in the process's argv memory, and the Go runtime builds
//     os.Args as strings that point into that memory without copying it.
//     uv_set_process_title would overwrite it, changing Go strings that
//     must never change; given a copy of argv instead, it would change
//     only the copy and the name of whichever OS thread made the call
//     (prctl PR_SET_NAME names a thread, not the process). Without
//     uv_setup_args, uv_get_process_title only says ENOBUFS.
//   - uv_replace_allocator: it must run before any other libuv call, and
//     the binding's C and the loops already allocate with malloc.
//   - uv_library_shutdown: it frees libuv's global state (the thread pool,
//     the signal pipe) under every loop still open, and cannot be undone.
//   - uv_loop_fork: a Go program cannot fork without exec (the runtime's
//     threads do not survive it); processes start with [Spawn].
//   - uv_default_loop: loops are made with [NewLoop], one per goroutine
//     that runs it; a process-wide loop would be shared against the
//     thread rule.
//   - uv_loop_get_data/set_data, uv_handle_get_data/set_data,
//     uv_req_get_data/set_data: the data fields hold the binding's IDs; a
//     Go program keeps its data in its own values.
//   - uv_buf_init, uv_ip4_addr, uv_ip6_addr, uv_ip4_name, uv_ip6_name,
//     uv_ip_name, uv_inet_ntop, uv_inet_pton: buffers are slices, and
//     addresses are netip.Addr and netip.AddrPort, parsed and printed by
//     net/netip and converted to sockaddrs inside the binding.
//   - uv_os_free_passwd, uv_free_cpu_info, uv_free_interface_addresses,
//     uv_os_free_environ: called by the functions that need them.
//   - uv_dlerror: its text is in the *DLError that Open and Sym return.

package uv
