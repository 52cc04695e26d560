package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/gouv/gouv/cbridge"
)

// RunMode selects how Run runs the loop (uv_run_mode).
type RunMode int

// Run modes.
const (
	// RunDefault runs until no active, referenced handles or requests
	// remain, or Stop is called (UV_RUN_DEFAULT).
	RunDefault RunMode = C.UV_RUN_DEFAULT
	// RunOnce polls for I/O once, blocking if nothing is pending
	// (UV_RUN_ONCE).
	RunOnce RunMode = C.UV_RUN_ONCE
	// RunNoWait polls for I/O once without blocking (UV_RUN_NOWAIT).
	RunNoWait RunMode = C.UV_RUN_NOWAIT
)

// Loop is a libuv event loop (uv_loop_t). A Loop is not safe for concurrent
// use: call its methods, and those of its handles, on the goroutine that
// runs it (package doc, "Threads"); Post is the exception.
//
// https://docs.libuv.org/en/v1.x/loop.html
type Loop struct {
	ptr       *C.uv_loop_t
	id        uint64
	handles   cbridge.Table[*handle]
	closing   map[cbridge.ID]closingHandle
	reqs      cbridge.Table[reqEntry]
	lreqs     cbridge.Table[*Req] // requests of the loop itself (request.go)
	deferred  deferredQueue
	timers    timerQueue
	running   atomic.Bool
	inUVRun   bool
	stopping  bool
	closed    bool
	panicked  *CallbackPanic
	walker    func(walkVisit)
	ncb       uint32        // callbacks, for tick
	lastYield time.Duration // since monoEpoch, for tick
	walkErr   *CallbackPanic
	post      postQueue
	dbg       loopDebug

	// The callbacks of the foreign handles that Foreign.Close closed.
	foreignClosing map[unsafe.Pointer]func()
}

// Option configures a new Loop (uv_loop_configure).
type Option func(*Loop) error

// WithBlockSignal blocks sig while the loop polls, so that it does not wake
// the loop (uv_loop_configure with UV_LOOP_BLOCK_SIGNAL). libuv accepts only
// SIGPROF, which Go's CPU profiler sends; any other signal gives EINVAL.
func WithBlockSignal(sig syscall.Signal) Option {
	return func(l *Loop) error {
		return check("uv_loop_configure", int(C.uvgo_loop_block_signal(l.ptr, C.int(sig))))
	}
}

// WithIdleTimeMetrics makes the loop account the time it spends idle in
// the kernel, read with IdleTime (uv_loop_configure with
// UV_METRICS_IDLE_TIME).
func WithIdleTimeMetrics() Option {
	return func(l *Loop) error {
		return check("uv_loop_configure", int(C.uvgo_loop_idle_time_metrics(l.ptr)))
	}
}

// NewLoop creates and initialises a loop (uv_loop_init), then applies opts.
// The loop must be closed with Close.
func NewLoop(opts ...Option) (*Loop, error) {
	l := &Loop{}
	if registerLoop(l) == 0 {
		return nil, &Error{Op: "uv_loop_init", Code: EMFILE, Detail: "too many open loops"}
	}
	r := C.uvgo_loop_new(C.uintptr_t(l.id))
	if r.err != 0 {
		unregisterLoop(l.id)
		return nil, check("uv_loop_init", int(r.err))
	}
	l.ptr = (*C.uv_loop_t)(r.ptr)
	l.post.raw = l.ptr
	for _, o := range opts {
		if err := o(l); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// Run runs the loop (uv_run) on the calling goroutine, locked to its OS
// thread until Run returns. In RunDefault mode it returns when nothing keeps
// the loop alive or Stop was called. alive reports whether active handles,
// requests or posted functions remain.
//
// Run returns ErrRunning when the loop is already running (from one of its
// callbacks or another goroutine) and ErrLoopClosed after Close. When a
// callback panics, Run panics with a *CallbackPanic once libuv has left
// uv_run.
func (l *Loop) Run(mode RunMode) (alive bool, err error) {
	if err := l.usable(); err != nil {
		return false, err
	}
	if !l.running.CompareAndSwap(false, true) {
		return true, ErrRunning
	}
	runtime.LockOSThread()
	l.dbg.enterRun()
	defer l.exitRun()
	for {
		l.inUVRun = true
		alive = C.uvgo_run(l.ptr, C.uv_run_mode(mode)) != 0
		l.inUVRun = false
		l.reraise()
		if mode == RunDefault && l.yielded() && !l.stopping && alive {
			// uvgo_yield_cb stopped uv_run: let the scheduler see this
			// goroutine (yield.go says why), then go on.
			l.reschedule()
			continue
		}
		if l.stopping {
			l.stopping = false
			return alive || l.post.pending(), nil
		}
		if !l.post.pending() {
			return alive, nil
		}
		l.runPostsTrapped()
		l.reraise()
		if mode != RunDefault {
			return l.Alive(), nil
		}
	}
}

// yielded reports whether uv_run returned because the loop's yield handle
// stopped it rather than the program. It reads the C field directly.
func (l *Loop) yielded() bool {
	return (*C.uvgo_loop_t)(unsafe.Pointer(l.ptr)).yielded != 0
}

func (l *Loop) exitRun() {
	l.inUVRun = false
	l.dbg.exitRun()
	l.running.Store(false)
	runtime.UnlockOSThread()
}

// Stop makes Run return after the current loop iteration (uv_stop). Called
// before Run, it makes the next Run return at once.
func (l *Loop) Stop() {
	l.mustOpen("Loop.Stop")
	l.stopping = true
	C.uv_stop(l.ptr)
}

// Alive reports whether the loop has active, referenced handles or requests,
// or posted functions waiting (uv_loop_alive).
func (l *Loop) Alive() bool {
	l.mustOpen("Loop.Alive")
	return C.uv_loop_alive(l.ptr) != 0 || l.post.pending() || l.timers.refd > 0
}

// Now returns the loop's idea of the current time, cached at the start of
// each iteration, in milliseconds from an arbitrary point (uv_now).
func (l *Loop) Now() time.Duration {
	l.mustOpen("Loop.Now")
	return time.Duration(C.uv_now(l.ptr)) * time.Millisecond
}

// UpdateTime refreshes the loop's cached time (uv_update_time).
func (l *Loop) UpdateTime() {
	l.mustOpen("Loop.UpdateTime")
	C.uv_update_time(l.ptr)
}

// BackendFd returns the loop's epoll file descriptor (uv_backend_fd).
func (l *Loop) BackendFd() int {
	l.mustOpen("Loop.BackendFd")
	return int(C.uv_backend_fd(l.ptr))
}

// BackendTimeout returns how long the loop would block in its next poll
// (uv_backend_timeout); a negative value means no timeout. It is 0 while
// fds wait to join the loop's epoll set, as before its first run: a
// program that embeds the loop runs it once (RunNoWait) before waiting.
func (l *Loop) BackendTimeout() time.Duration {
	l.mustOpen("Loop.BackendTimeout")
	ms := int(C.uv_backend_timeout(l.ptr))
	if ms < 0 {
		return -1
	}
	return time.Duration(ms) * time.Millisecond
}

// IdleTime returns the time the loop has spent idle in the kernel's event
// provider (uv_metrics_idle_time). It is 0 unless the loop was created
// WithIdleTimeMetrics.
func (l *Loop) IdleTime() time.Duration {
	l.mustOpen("Loop.IdleTime")
	return time.Duration(C.uv_metrics_idle_time(l.ptr))
}

// Raw returns the uv_loop_t* for C libraries that run on libuv, such as
// h2o's h2o_context_init or libwebsockets' foreign_loops (as luv's
// luv_set_loop and uvloop's libuv_get_loop_t_ptr allow); it wraps no
// libuv call. The README's "Hosting C libraries on a gouv loop" has the
// rules, in short:
//   - only the goroutine running the loop may use it, as for gouv's
//     handles;
//   - its data field belongs to gouv; the library's handles keep their own
//     data, and are foreign to gouv (WalkForeign, not Walk, gives them);
//   - the library's active, referenced handles and requests keep Run
//     running;
//   - shutdown: close gouv's handles, dispose of the library's context,
//     close the foreign handles left (Foreign.Close), run the loop, Close;
//   - the library must bind to the libuv gouv uses: the static build
//     exports its libuv functions for that, and the uvshared build tag
//     links libuv.so.1 instead.
//
// The pointer is valid until Close.
func (l *Loop) Raw() unsafe.Pointer {
	l.mustOpen("Loop.Raw")
	return unsafe.Pointer(l.ptr)
}

// Walk calls f for every handle of the loop that gouv created, closing
// ones included, in libuv's order (uv_walk). Handles that C code made on
// the loop (see Raw) are not given: WalkForeign gives them. f may close
// handles. A panic in f is re-raised by Walk once libuv's walk has
// finished.
func (l *Loop) Walk(f func(Handle)) {
	l.mustOpen("Loop.Walk")
	l.checkThread("Loop.Walk")
	l.walk(func(v walkVisit) {
		if v.own != nil {
			f(v.own.outer())
		}
	})
}

// Close releases the loop (uv_loop_close). It first checks, with libuv's
// own walk of the loop's handles and its count of active requests, that
// nothing but gouv's internal handles is open; otherwise it fails with
// EBUSY naming what is (gouv's handles by type, foreign ones as "2 foreign
// tcp (active)"), and touches nothing: the loop stays fully usable. It
// also fails while callbacks or posted functions wait to run. After Close
// every method returns ErrLoopClosed or panics.
func (l *Loop) Close() error {
	if err := l.usable(); err != nil {
		return err
	}
	if l.running.Load() {
		return ErrRunning
	}
	if open := l.describeOpen(); open != "" {
		return &Error{Op: "uv_loop_close", Code: EBUSY, Detail: open}
	}
	if n := l.deferred.pending(); n > 0 {
		return &Error{Op: "uv_loop_close", Code: EBUSY, Detail: itoa(n) + " callbacks have not run: run the loop"}
	}
	// The last check: from here nothing can fail, so Post refuses work
	// only once the loop is sure to close.
	if err := l.post.close(); err != nil {
		return err
	}
	C.uvgo_internal_close(l.ptr)
	C.uv_run(l.ptr, C.UV_RUN_NOWAIT)
	if err := check("uv_loop_close", int(C.uvgo_loop_close(l.ptr))); err != nil {
		// Unreachable: libuv fails only for the open handles and active
		// requests that describeOpen has ruled out.
		panic("uv: Loop.Close: " + err.Error() + " after every check passed")
	}
	l.closed = true
	l.ptr = nil
	l.timers = timerQueue{} // dead entries of closed Timers
	unregisterLoop(l.id)
	return nil
}

// describeOpen lists what keeps uv_loop_close from succeeding: the loop's
// open handles and requests, then foreign ones; "" when nothing does.
func (l *Loop) describeOpen() string {
	var parts []string
	l.handles.Range(func(id cbridge.ID, b *handle) bool {
		h := b.outer()
		s := h.Type().String()
		if h.IsClosing() {
			s += " (closing)"
		} else if h.IsActive() {
			s += " (active)"
		}
		parts = append(parts, s+l.dbg.where(id))
		return true
	})
	if n := l.reqs.Len() + l.lreqs.Len(); n > 0 {
		parts = append(parts, itoa(n)+" requests")
	}
	parts = append(parts, l.describeForeign()...)
	if len(parts) == 0 {
		return ""
	}
	return "open: " + strings.Join(parts, ", ")
}

// mustOpen panics when the loop is closed: methods without an error result
// have no other way to say so.
func (l *Loop) mustOpen(method string) {
	if l == nil || l.ptr == nil && !l.closed {
		panic("uv: " + method + " called on a " + errLoopNotCreated.Error()[len("uv: "):])
	}
	if l.closed {
		panic("uv: " + method + " called on a closed loop")
	}
}

// errLoopNotCreated is what a nil or zero-value Loop's methods return.
var errLoopNotCreated error = misuseError("uv: loop not created by NewLoop (a nil pointer or a zero value): " +
	"create loops with NewLoop")

// usable returns ErrLoopClosed after Close, errLoopNotCreated for a nil or
// zero-value Loop.
func (l *Loop) usable() error {
	switch {
	case l == nil || l.ptr == nil && !l.closed:
		return errLoopNotCreated
	case l.closed:
		return ErrLoopClosed
	}
	return nil
}
