package uv

/*
#include <sys/un.h>
#include "uvgo.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// Pipe is a pipe handle (uv_pipe_t): on Unix, a unix domain socket or a
// pipe fd. It has every Stream method.
//
// https://docs.libuv.org/en/v1.x/pipe.html
type Pipe struct {
	stream
}

// NewPipe creates a pipe handle on l (uv_pipe_init); ipc selects a pipe
// that can pass handles between processes.
func NewPipe(l *Loop, ipc bool) (*Pipe, error) {
	p := &Pipe{}
	var flags uint
	if ipc {
		flags = 1
	}
	if err := l.newHandle(p, TypeNamedPipe, flags, "uv_pipe_init"); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Pipe) pp() *C.uv_pipe_t { return (*C.uv_pipe_t)(p.ptr) }

// Bind binds the pipe to a file system path (uv_pipe_bind). The socket file
// is created, and libuv removes it when the handle is closed. A path that
// does not fit a sockaddr_un (107 bytes) is ENAMETOOLONG, one with a NUL
// byte EINVAL: libuv 1.44 would silently use a truncated path.
func (p *Pipe) Bind(path string) error {
	if err := p.startable("uv_pipe_bind"); err != nil {
		return err
	}
	if err := checkPipePath("uv_pipe_bind", path); err != nil {
		return err
	}
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	return check("uv_pipe_bind", int(C.uv_pipe_bind(p.pp(), cs)))
}

// checkPipePath rejects what uv_pipe_bind and uv_pipe_connect of libuv
// 1.44 would truncate: a path longer than sun_path holds with its NUL
// (newer libuv says ENAMETOOLONG too), or with a NUL inside.
func checkPipePath(op, path string) error {
	var sun C.struct_sockaddr_un
	if len(path) >= len(sun.sun_path) {
		return &Error{Op: op, Code: ENAMETOOLONG, Detail: "path longer than " + itoa(len(sun.sun_path)-1) + " bytes"}
	}
	if strings.IndexByte(path, 0) >= 0 {
		return &Error{Op: op, Code: EINVAL, Detail: "path contains a NUL byte"}
	}
	return nil
}

// Connect connects to the unix socket at path (uv_pipe_connect). cb runs on
// the loop's goroutine with nil when connected, or the error (ENOENT,
// ECONNREFUSED...); with ECANCELED when the handle was closed first. A path
// Bind would reject fails at once, as there.
func (p *Pipe) Connect(path string, cb func(err error)) error {
	if err := p.startable("uv_pipe_connect"); err != nil {
		return err
	}
	if err := checkPipePath("uv_pipe_connect", path); err != nil {
		return err
	}
	cs := C.CString(path)
	defer C.free(unsafe.Pointer(cs))
	id := p.newReq(cb, reqConnect)
	if err := check("uv_pipe_connect", int(C.uvgo_pipe_connect(p.pp(), cs, id))); err != nil {
		p.loop.dropReq(id)
		return err
	}
	return nil
}

// Open adopts an existing pipe or unix socket fd (uv_pipe_open). The handle
// owns fd from then on.
func (p *Pipe) Open(fd int) error {
	if err := p.startable("uv_pipe_open"); err != nil {
		return err
	}
	if err := validFd("uv_pipe_open", fd); err != nil {
		return err
	}
	return check("uv_pipe_open", int(C.uv_pipe_open(p.pp(), C.uv_file(fd))))
}

// SetPendingInstances sets how many pipe instances a Windows named pipe
// server keeps ready for clients (uv_pipe_pending_instances). It has no
// effect on Unix, where libuv ignores it; it is here so that code written
// for both keeps its call. count must be at least 1 (EINVAL otherwise).
func (p *Pipe) SetPendingInstances(count int) error {
	if err := p.live(); err != nil {
		return err
	}
	if count < 1 || count > 1<<31-1 {
		return &Error{Op: "uv_pipe_pending_instances", Code: EINVAL, Detail: "count " + itoa(count) + " out of range 1 to 2^31-1"}
	}
	p.loop.checkThread("uv_pipe_pending_instances")
	C.uv_pipe_pending_instances(p.pp(), C.int(count))
	return nil
}

// PipeMode is who may use a bound pipe's socket file, for Chmod.
type PipeMode int

// Pipe modes; PipeReadable|PipeWritable gives both.
const (
	// PipeReadable lets every user read the socket file (UV_READABLE).
	PipeReadable PipeMode = C.UV_READABLE
	// PipeWritable lets every user write it, and so connect (UV_WRITABLE).
	PipeWritable PipeMode = C.UV_WRITABLE
)

// Chmod opens the socket file of a bound pipe to every user, for reading,
// writing or both (uv_pipe_chmod); it adds permission bits and removes
// none. A pipe with no socket (not bound, or closing) is EBADF; one bound
// to an abstract name is ENOENT, having no file; any other mode is
// EINVAL.
func (p *Pipe) Chmod(mode PipeMode) error {
	if err := p.live(); err != nil {
		return err
	}
	p.loop.checkThread("uv_pipe_chmod")
	return check("uv_pipe_chmod", int(C.uv_pipe_chmod(p.pp(), C.int(mode))))
}

// LocalAddr returns the path the pipe is bound to (uv_pipe_getsockname).
func (p *Pipe) LocalAddr() (string, error) { return p.name("uv_pipe_getsockname", 0) }

// RemoteAddr returns the path of the peer (uv_pipe_getpeername).
func (p *Pipe) RemoteAddr() (string, error) { return p.name("uv_pipe_getpeername", 1) }

func (p *Pipe) name(op string, peer C.int) (string, error) {
	if err := p.live(); err != nil {
		return "", err
	}
	var buf [256]C.char
	n := int(C.uvgo_pipe_name(p.pp(), peer, &buf[0], C.size_t(len(buf))))
	if n < 0 {
		return "", check(op, n)
	}
	return C.GoStringN(&buf[0], C.int(n)), nil
}

// Write2 writes p with the handle send over an IPC pipe (uv_write2): the
// receiving end sees it with PendingCount and PendingType and takes it
// with Accept. send is a TCP or Pipe handle of any loop with a socket (a
// listener, a connection, a bound pipe); it stays open and usable here,
// and the other end gets its own copy of the socket. p, copied into C
// memory, must not be empty: the handle travels with its bytes. cb, if not
// nil, runs on a later iteration once both were handed to the kernel, in
// order with the pipe's other writes. The pipe must have been created
// with NewPipe(l, true) (EINVAL otherwise).
func (p *Pipe) Write2(b []byte, send Stream, cb func(err error)) error {
	if err := p.live(); err != nil {
		return err
	}
	p.loop.checkThread("uv_write2")
	if send == nil {
		return &Error{Op: "uv_write2", Code: EINVAL, Detail: "nil handle to send: use Write"}
	}
	sb := send.streamBase()
	if err := sb.live(); err != nil {
		return err
	}
	if len(b) == 0 {
		return &Error{Op: "uv_write2", Code: EINVAL, Detail: "empty buffer: a handle travels with at least one byte"}
	}
	if !p.IPC() {
		return &Error{Op: "uv_write2", Code: EINVAL, Detail: "pipe was not created with ipc"}
	}
	id := p.newReq(cb, reqWrite)
	r := int(C.uvgo_write2(p.sp(), (*C.char)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b)), sb.sp(), id))
	return p.writeDone(r, id, cb)
}

// IPC reports whether the pipe passes handles (the ipc argument of
// NewPipe; uv_pipe_t's ipc field).
func (p *Pipe) IPC() bool {
	return p.ptr != nil && p.pp().ipc != 0
}

// PendingCount returns how many received handles wait to be taken with
// Accept (uv_pipe_pending_count). Call it from the read callback: a read
// of an IPC pipe may bring handles with its bytes.
func (p *Pipe) PendingCount() int {
	if p.ptr == nil {
		return 0
	}
	return int(C.uv_pipe_pending_count(p.pp()))
}

// PendingType returns the type of the next received handle, TypeTCP or
// TypeNamedPipe, or TypeUnknown when none waits (uv_pipe_pending_type).
// Create a handle of that type on the pipe's loop and pass it to Accept.
func (p *Pipe) PendingType() HandleType {
	if p.ptr == nil {
		return TypeUnknown
	}
	return HandleType(C.uv_pipe_pending_type(p.pp()))
}
