package uv

/*
#include "uvgo.h"

static int uvgo_fileno(const uv_handle_t* h) {
  uv_os_fd_t fd;
  int err = uv_fileno(h, &fd);
  return err != 0 ? err : fd;
}
*/
import "C"

import (
	"math"
	"strconv"
	"unsafe"

	"github.com/gouv/gouv/cbridge"
)

// HandleType is the type of a handle (uv_handle_type).
type HandleType int

// Handle types.
const (
	TypeUnknown   HandleType = C.UV_UNKNOWN_HANDLE
	TypeAsync     HandleType = C.UV_ASYNC
	TypeCheck     HandleType = C.UV_CHECK
	TypeFSEvent   HandleType = C.UV_FS_EVENT
	TypeFSPoll    HandleType = C.UV_FS_POLL
	TypeHandle    HandleType = C.UV_HANDLE
	TypeIdle      HandleType = C.UV_IDLE
	TypeNamedPipe HandleType = C.UV_NAMED_PIPE
	TypePoll      HandleType = C.UV_POLL
	TypePrepare   HandleType = C.UV_PREPARE
	TypeProcess   HandleType = C.UV_PROCESS
	TypeStream    HandleType = C.UV_STREAM
	TypeTCP       HandleType = C.UV_TCP
	TypeTimer     HandleType = C.UV_TIMER
	TypeTTY       HandleType = C.UV_TTY
	TypeUDP       HandleType = C.UV_UDP
	TypeSignal    HandleType = C.UV_SIGNAL
)

const numHandleTypes = C.UV_HANDLE_TYPE_MAX

var handleTypeNames [numHandleTypes]string

func init() {
	for t := range handleTypeNames {
		if p := C.uv_handle_type_name(C.uv_handle_type(t)); p != nil {
			handleTypeNames[t] = C.GoString(p)
		}
	}
}

// String returns libuv's name for t, "timer" (uv_handle_type_name).
func (t HandleType) String() string {
	if t >= 0 && int(t) < len(handleTypeNames) && handleTypeNames[t] != "" {
		return handleTypeNames[t]
	}
	return "HandleType(" + strconv.Itoa(int(t)) + ")"
}

// Handle is what every handle type has in common (uv_handle_t): the methods
// promoted from the handle base. It is sealed: only this package's types
// implement it. Loop.Walk passes Handles; switch on their concrete type
// (*Timer, *TCP...) to reach the rest.
//
// https://docs.libuv.org/en/v1.x/handle.html
type Handle interface {
	Close(cb func()) error
	IsActive() bool
	IsClosing() bool
	Ref()
	Unref()
	HasRef() bool
	Loop() *Loop
	Type() HandleType
	Fd() (int, error)
	base() *handle
}

type handleState uint8

const (
	stateOpen handleState = iota
	stateClosing
	stateClosed
)

// handle is the base every handle type embeds, as its first field (outer
// relies on it). ptr is C memory from a successful init until the close
// callback, which deletes the table entry and frees it. It is kept small,
// since a program may hold a million timers: the ID lives in the C
// handle's data field, the close callback in the loop while closing.
type handle struct {
	ptr   unsafe.Pointer // the uv_<type>_t
	loop  *Loop
	typ   uint8 // a HandleType
	state handleState
	aux   uint8 // bits a handle type keeps for itself (timerUnref)
}

func (h *handle) base() *handle { return h }

// id returns the handle's ID, read from the C handle's data field as a
// plain integer (no Go pointer is made of it).
func (h *handle) id() cbridge.ID {
	return cbridge.ID(*(*uint64)(unsafe.Pointer(&h.hp().data)))
}

// outer returns the handle type that embeds h.
func (h *handle) outer() Handle {
	p := unsafe.Pointer(h)
	switch HandleType(h.typ) {
	case TypeTimer:
		return (*Timer)(p)
	case TypeIdle:
		return (*Idle)(p)
	case TypePrepare:
		return (*Prepare)(p)
	case TypeCheck:
		return (*Check)(p)
	case TypeAsync:
		return (*Async)(p)
	case TypeTCP:
		return (*TCP)(p)
	case TypeNamedPipe:
		return (*Pipe)(p)
	case TypeTTY:
		return (*TTY)(p)
	case TypeSignal:
		return (*Signal)(p)
	case TypePoll:
		return (*Poll)(p)
	case TypeFSEvent:
		return (*FSEvent)(p)
	case TypeFSPoll:
		return (*FSPoll)(p)
	case TypeUDP:
		return (*UDP)(p)
	case TypeProcess:
		return (*Process)(p)
	}
	panic("uv: handle of unknown type " + HandleType(h.typ).String())
}

func (h *handle) hp() *C.uv_handle_t { return (*C.uv_handle_t)(h.ptr) }

// newHandle allocates and initialises the C side of h (uvgo_handle_new,
// which calls the type's uv_*_init with flags) and registers h in the
// loop's table. op names the init function for errors.
func (l *Loop) newHandle(h Handle, typ HandleType, flags uint, op string) error {
	if err := l.usable(); err != nil {
		return err
	}
	l.checkThread(op)
	b := h.base()
	id := l.handles.New(b)
	r := C.uvgo_handle_new(l.ptr, C.uv_handle_type(typ), C.uintptr_t(id), C.uint(flags))
	if r.err != 0 {
		l.handles.Delete(id)
		return check(op, int(r.err))
	}
	b.ptr, b.loop, b.typ = r.ptr, l, uint8(typ)
	l.dbg.opened(id, typ)
	return nil
}

// closed runs in the close callback of the handle with the given ID: the
// handle leaves the table, then the user's callback runs. C frees the
// memory when this returns.
func (h *handle) closed(id cbridge.ID) {
	l := h.loop
	h.state = stateClosed
	h.ptr = nil
	l.handles.Delete(id)
	l.dbg.closed(id, HandleType(h.typ))
	if c, ok := l.closing[id]; ok {
		delete(l.closing, id)
		l.flushDeferred(c.seq)
		if c.cb != nil {
			c.cb()
		}
	}
}

// startClose marks the handle closing and keeps cb for its close callback;
// the caller then calls uv_close or uv_tcp_close_reset.
func (h *handle) startClose(cb func()) {
	l := h.loop
	h.state = stateClosing
	// The deferred calls issued so far run before cb (deferred.go); seq 0,
	// when none wait, runs none.
	var seq uint64
	if l.deferred.pending() > 0 {
		seq = l.deferred.issued
	}
	if cb != nil || seq != 0 {
		if l.closing == nil {
			l.closing = map[cbridge.ID]closingHandle{}
		}
		l.closing[h.id()] = closingHandle{cb, seq}
	}
}

// closingHandle is what a closing handle's close callback owes: the Go
// callback, and the deferred calls up to seq.
type closingHandle struct {
	cb  func()
	seq uint64
}

// Close starts closing the handle (uv_close): it stops what it was doing
// and cb, if not nil, runs on a later loop iteration, after which the handle
// is freed. Requests still queued on it get ECANCELED first. Close on a
// closing or closed handle returns ErrClosed. Close is asynchronous, so the
// handle types are deliberately not io.Closers.
func (h *handle) Close(cb func()) error {
	if err := h.closable(); err != nil {
		return err
	}
	h.loop.checkThread("Close")
	h.startClose(cb)
	C.uvgo_close(h.hp())
	return nil
}

// IsActive reports whether the handle is active (uv_is_active): a started
// timer, a reading or connecting stream... It is false once closed.
func (h *handle) IsActive() bool {
	if h.ptr == nil {
		return false
	}
	return C.uv_is_active(h.hp()) != 0
}

// IsClosing reports whether Close was called (uv_is_closing); it stays true
// after the handle is closed.
func (h *handle) IsClosing() bool { return h.state != stateOpen }

// Ref makes an active handle keep the loop alive again (uv_ref). It panics
// on a closed handle.
func (h *handle) Ref() {
	h.mustLive("Ref")
	C.uv_ref(h.hp())
}

// Unref makes the handle stop keeping the loop alive while active
// (uv_unref). It panics on a closed handle.
func (h *handle) Unref() {
	h.mustLive("Unref")
	C.uv_unref(h.hp())
}

// HasRef reports whether the handle is referenced (uv_has_ref); false once
// closed.
func (h *handle) HasRef() bool {
	if h.ptr == nil {
		return false
	}
	return C.uv_has_ref(h.hp()) != 0
}

// Loop returns the loop the handle belongs to (uv_handle_get_loop).
func (h *handle) Loop() *Loop { return h.loop }

// Type returns the handle's type (uv_handle_get_type).
func (h *handle) Type() HandleType { return HandleType(h.typ) }

// Fd returns the handle's file descriptor (uv_fileno): EINVAL for handle
// types without one (timers, idle...), EBADF when it has none yet or is
// closing or closed. The descriptor still belongs to libuv: do not close it.
func (h *handle) Fd() (int, error) {
	if h.ptr == nil {
		if h.state == stateOpen {
			return -1, errNotCreated
		}
		return -1, &Error{Op: "uv_fileno", Code: EBADF}
	}
	r := int(C.uvgo_fileno(h.hp()))
	if r < 0 {
		return -1, check("uv_fileno", r)
	}
	return r, nil
}

// A handle's C side exists from a successful New* (ptr set) until its
// close callback (ptr nil again, state closed). A handle with a nil ptr in
// state open was never created: a zero value (var t uv.Timer).
// live, startable, closable and mustLive turn that into errNotCreated (or
// a panic saying so) before any C call, so every handle type that calls
// them first inherits the check; a nil *Timer panics with Go's nil
// pointer dereference before reaching them, never inside C.

// errNotCreated is returned by the methods of a handle that no New
// function created.
var errNotCreated error = misuseError("uv: handle not created by its New function " +
	"(a zero value): create handles with NewTimer, NewTCP... and use the pointer they return")

// live returns ErrClosed once the close callback has run, errNotCreated
// for a handle no New function made.
func (h *handle) live() error {
	if h.ptr == nil {
		if h.state == stateOpen {
			return errNotCreated
		}
		return ErrClosed
	}
	return nil
}

// closable is Close's check: ErrClosed once Close was called.
func (h *handle) closable() error {
	if h.state != stateOpen {
		return ErrClosed
	}
	if h.ptr == nil {
		return errNotCreated
	}
	return nil
}

// mustLive is live for methods without an error result.
func (h *handle) mustLive(method string) {
	if h.ptr == nil {
		if h.state == stateOpen {
			panic("uv: " + method + " called on a handle not created by its New function " +
				"(a zero value): create handles with NewTimer, NewTCP... and use the pointer they return")
		}
		panic("uv: " + h.Type().String() + " " + method + " called on a closed handle")
	}
}

// startable returns the error a Start-like call gets on a handle that is
// not open: ErrClosed when closed, EINVAL when closing (as uv_timer_start
// says; the binding says it for every handle type, since libuv would
// otherwise queue a handle that is about to be freed).
func (h *handle) startable(op string) error {
	switch {
	case h.state == stateClosed:
		return ErrClosed
	case h.state == stateClosing:
		return &Error{Op: op, Code: EINVAL, Detail: "handle is closing"}
	case h.ptr == nil:
		return errNotCreated
	}
	h.loop.checkThread(op)
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// validFd rejects an fd that is negative or does not fit the C int that
// libuv takes (it would be truncated to another fd) with EBADF.
func validFd(op string, fd int) error {
	if fd < 0 || fd > math.MaxInt32 {
		return &Error{Op: op, Code: EBADF, Detail: "bad fd " + itoa(fd)}
	}
	return nil
}
