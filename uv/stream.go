package uv

/*
#cgo noescape uvgo_write
#cgo nocallback uvgo_write
#cgo noescape uvgo_writev
#cgo nocallback uvgo_writev
#cgo noescape uvgo_try_write
#cgo nocallback uvgo_try_write
#cgo nocallback uv_read_stop
#include "uvgo.h"
*/
import "C"

import (
	"math"
	"runtime"
	"unsafe"
)

// Stream is what TCP, Pipe and TTY have in common (uv_stream_t): listening,
// accepting, reading, writing and shutting down. It is sealed.
//
// https://docs.libuv.org/en/v1.x/stream.html
type Stream interface {
	Handle
	Listen(backlog int, cb func(err error)) error
	Accept(client Stream) error
	ReadStart(cb func(p []byte, err error)) error
	ReadStop() error
	Write(p []byte, cb func(err error)) error
	WriteV(bufs [][]byte, cb func(err error)) error
	TryWrite(p []byte) (int, error)
	Shutdown(cb func(err error)) error
	IsReadable() bool
	IsWritable() bool
	WriteQueueSize() int
	SetBlocking(blocking bool) error
	streamBase() *stream
}

// stream is the base TCP and Pipe embed.
type stream struct {
	handle
	onRead       func(p []byte, err error)
	onConnection func(err error)
	reqs         int // requests with a Go callback in flight
}

func (s *stream) streamBase() *stream { return s }

func (s *stream) sp() *C.uv_stream_t { return (*C.uv_stream_t)(s.ptr) }

// Listen starts listening for connections (uv_listen). cb runs on the
// loop's goroutine for each incoming connection, with a nil error; call
// Accept from it (or later) to take the connection. A second Listen on a
// listening stream only changes the callback. backlog must fit a C int
// and not be negative (EINVAL); the system caps it (somaxconn).
func (s *stream) Listen(backlog int, cb func(err error)) error {
	if err := s.startable("uv_listen"); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: "uv_listen", Code: EINVAL, Detail: "nil callback"}
	}
	if backlog < 0 || backlog > math.MaxInt32 {
		return &Error{Op: "uv_listen", Code: EINVAL, Detail: "backlog " + itoa(backlog) + " out of range"}
	}
	if err := check("uv_listen", int(C.uvgo_listen(s.sp(), C.int(backlog)))); err != nil {
		return err // the callback in place, if any, stays
	}
	s.onConnection = cb
	return nil
}

// Accept takes a pending connection of the listening stream s into client,
// a new handle of the same type and loop (uv_accept). On an IPC pipe with
// received handles waiting (Pipe.PendingCount), it takes the next of them
// instead, into a new handle of Pipe.PendingType. It returns EAGAIN when
// no connection is pending, EINVAL for a client of another type or loop.
func (s *stream) Accept(client Stream) error {
	if err := s.startable("uv_accept"); err != nil {
		return err
	}
	if client == nil {
		return &Error{Op: "uv_accept", Code: EINVAL, Detail: "nil client: create it with NewTCP or NewPipe"}
	}
	c := client.streamBase()
	if err := c.startable("uv_accept"); err != nil {
		return err
	}
	if c.loop != s.loop {
		return &Error{Op: "uv_accept", Code: EINVAL, Detail: "client belongs to another loop"}
	}
	if want := s.acceptType(); c.typ != uint8(want) {
		return &Error{Op: "uv_accept", Code: EINVAL, Detail: "client is a " + c.Type().String() + ", want a " + want.String()}
	}
	return check("uv_accept", int(C.uv_accept(s.sp(), c.sp())))
}

// acceptType is the handle type Accept takes into: the type of the next
// received handle on an IPC pipe that has one, else the server's own.
func (s *stream) acceptType() HandleType {
	if HandleType(s.typ) == TypeNamedPipe && C.uv_pipe_pending_count((*C.uv_pipe_t)(s.ptr)) > 0 {
		return HandleType(C.uv_pipe_pending_type((*C.uv_pipe_t)(s.ptr)))
	}
	return HandleType(s.typ)
}

// ReadStart starts reading (uv_read_start). cb runs on the loop's goroutine
// for every read with p holding the bytes and err nil; at the end of the
// stream with err io.EOF; on a failed read with the Errno (ECONNRESET...).
// p is a view of a buffer that the loop reuses for every read: it is valid
// only until cb returns, so copy what you keep (bytes.Clone). Passing p to
// Write or WriteV inside cb is fine: they copy what they cannot send at
// once. On a stream that is reading already it fails with EALREADY and
// keeps the callback in place: ReadStop first to change it.
func (s *stream) ReadStart(cb func(p []byte, err error)) error {
	if err := s.startable("uv_read_start"); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: "uv_read_start", Code: EINVAL, Detail: "nil callback"}
	}
	if err := check("uv_read_start", int(C.uvgo_read_start(s.sp()))); err != nil {
		return err // EALREADY when reading: the callback in place stays
	}
	s.onRead = cb
	return nil
}

// ReadStop stops reading (uv_read_stop); it may be called from the read
// callback and any number of times.
func (s *stream) ReadStop() error {
	if err := s.live(); err != nil {
		return err
	}
	s.loop.checkThread("uv_read_stop")
	return check("uv_read_stop", int(C.uv_read_stop(s.sp())))
}

// Write writes p to the stream, in order after earlier writes (uv_write).
// It first sends what the socket takes at once (uv_try_write); the rest is
// copied into C memory and queued, so p may be reused as soon as Write
// returns. When the socket fails that first try (a reset peer, a closed
// fd), Write returns the error and cb never runs, where libuv's uv_write
// would pass it to cb. cb, if not nil, runs on a later loop
// iteration (never inside
// Write) when all of p was handed to the kernel, with ECANCELED when the
// stream was closed first; callbacks keep libuv's order (writes in order,
// before a later Shutdown's and the close callback), which is why a write
// with a cb skips the first try while an earlier request of the stream
// still owes its callback. With a nil cb a write costs no callback, and
// its failure goes unreported: after a failed write libuv stops writing and
// keeps the later writes queued until Close cancels them, so a program that
// must notice (one that stopped reading, say) passes a cb, at least for
// writes that were queued (WriteQueueSize > 0 after the call). An empty p
// with a cb is a marker: cb runs once the writes before it are done.
// When queueing the rest fails (ENOMEM), Write returns the error after the
// socket may have taken a first part of p: the stream's data is then
// incomplete, so close it.
func (s *stream) Write(p []byte, cb func(err error)) error {
	if err := s.live(); err != nil {
		return err
	}
	s.loop.checkThread("uv_write")
	try := s.tryFirst(cb)
	id := s.newReq(cb, reqWrite)
	r := int(C.uvgo_write(s.sp(), (*C.char)(unsafe.Pointer(unsafe.SliceData(p))), C.size_t(len(p)), id, try))
	return s.writeDone(r, id, cb)
}

// tryFirst says whether a write may try the socket before queueing. A write
// that completes at once has its callback deferred (deferred.go); that
// keeps libuv's order only when no earlier request of the stream still
// owes a callback, so then the write is queued behind them instead.
func (s *stream) tryFirst(cb func(error)) C.int {
	if cb != nil && s.reqs > 0 {
		return 0
	}
	return 1
}

// writeDone settles a write's request: gone with the error when the call
// failed, deferred when uv_try_write sent everything, queued otherwise.
func (s *stream) writeDone(r int, id C.uintptr_t, cb func(error)) error {
	switch {
	case r < 0:
		s.loop.dropReq(id)
		return check("uv_write", r)
	case r == 0 && id != 0:
		s.loop.dropReq(id)
		s.loop.deferCall(cb, nil)
	}
	return nil
}

// WriteV writes several buffers as one write (uv_write with nbufs > 1), as
// Write does for one. At most 1024 buffers.
func (s *stream) WriteV(bufs [][]byte, cb func(err error)) error {
	if err := s.live(); err != nil {
		return err
	}
	s.loop.checkThread("uv_write")
	if len(bufs) > C.UVGO_MAX_VEC {
		return &Error{Op: "uv_write", Code: EINVAL, Detail: "more than 1024 buffers"}
	}
	vec := unsafe.Slice(C.uvgo_vec(s.loop.ptr), len(bufs))
	var pin runtime.Pinner
	defer pin.Unpin()
	for i, b := range bufs {
		base := unsafe.SliceData(b)
		if base != nil {
			pin.Pin(base)
		}
		vec[i] = C.uv_buf_t{base: (*C.char)(unsafe.Pointer(base)), len: C.size_t(len(b))}
	}
	try := s.tryFirst(cb)
	id := s.newReq(cb, reqWrite)
	r := int(C.uvgo_writev(s.sp(), unsafe.SliceData(vec), C.uint(len(bufs)), id, try))
	clear(vec) // C keeps no Go pointer
	return s.writeDone(r, id, cb)
}

// TryWrite writes what the socket takes at once, without queueing
// (uv_try_write). It returns the number of bytes written; EAGAIN when
// nothing could be, or when earlier writes are still queued.
func (s *stream) TryWrite(p []byte) (int, error) {
	if err := s.live(); err != nil {
		return 0, err
	}
	s.loop.checkThread("uv_try_write")
	n := int(C.uvgo_try_write(s.sp(), (*C.char)(unsafe.Pointer(unsafe.SliceData(p))), C.size_t(len(p))))
	switch {
	case n == int(EAGAIN):
		return 0, errTryWriteAgain
	case n < 0:
		return 0, check("uv_try_write", n)
	}
	return n, nil
}

// errTryWriteAgain is TryWrite's EAGAIN, pre-boxed: a writer that fills the
// socket meets it on its hot path.
var errTryWriteAgain error = &Error{Op: "uv_try_write", Code: EAGAIN}

// Shutdown shuts down the write side once queued writes are done
// (uv_shutdown); the peer then reads EOF. cb, if not nil, runs when it is
// done, with ECANCELED when the stream was closed first.
func (s *stream) Shutdown(cb func(err error)) error {
	if err := s.live(); err != nil {
		return err
	}
	s.loop.checkThread("uv_shutdown")
	id := s.newReq(cb, reqShutdown)
	if err := check("uv_shutdown", int(C.uvgo_shutdown(s.sp(), id))); err != nil {
		s.loop.dropReq(id)
		return err
	}
	return nil
}

// SetBlocking puts the stream's fd in blocking mode, or back in
// non-blocking mode (uv_stream_set_blocking). In blocking mode Write and
// TryWrite hand all their bytes to the kernel before they return, blocking
// the loop's goroutine as long as that takes; libuv means it for pipes and
// TTYs whose other end must see every byte before the program exits. It is
// EBADF on a stream without an fd.
func (s *stream) SetBlocking(blocking bool) error {
	if err := s.live(); err != nil {
		return err
	}
	s.loop.checkThread("uv_stream_set_blocking")
	var b C.int
	if blocking {
		b = 1
	}
	return check("uv_stream_set_blocking", int(C.uv_stream_set_blocking(s.sp(), b)))
}

// IsReadable reports whether the stream can be read (uv_is_readable).
func (s *stream) IsReadable() bool {
	return s.ptr != nil && C.uv_is_readable(s.sp()) != 0
}

// IsWritable reports whether the stream can be written (uv_is_writable).
func (s *stream) IsWritable() bool {
	return s.ptr != nil && C.uv_is_writable(s.sp()) != 0
}

// WriteQueueSize returns the number of bytes queued for writing
// (uv_stream_get_write_queue_size). It reads the field directly, without
// a call into C.
func (s *stream) WriteQueueSize() int {
	if s.ptr == nil {
		return 0
	}
	return int(s.sp().write_queue_size)
}

// readCb delivers one read to the Go callback (goUVRead).
func (s *stream) readCb(nread int, base unsafe.Pointer) {
	if nread > 0 {
		s.onRead(unsafe.Slice((*byte)(base), nread), nil)
		return
	}
	s.onRead(nil, statusErr(nread))
}
