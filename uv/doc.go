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
// [Loop.Close] returns an error naming the handles still open.
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
// # What is deliberately not bound
//
// uv_signal_t: libuv installs its handlers without SA_ONSTACK, resets them to
// SIG_DFL and changes thread signal masks, all of which the Go runtime
// forbids (os/signal, "Go programs that use cgo"). Use os/signal and post
// into the loop with [Loop.Post]. uv_spawn: its SIGCHLD handler has the same
// problems; use os/exec. uv_queue_work with Go work functions: run the work
// on a goroutine and Post its completion.
package uv
