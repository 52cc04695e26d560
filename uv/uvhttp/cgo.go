package uvhttp

/*
#cgo CFLAGS: -O2 -Wall -Wno-unused-parameter
#cgo CFLAGS: -I/usr/share/include/llhttp
#cgo noescape uvh_rewind
#cgo nocallback uvh_rewind
#cgo nocallback uvh_read_start
#cgo nocallback uvh_conn_new
#cgo nocallback uvh_conn_free
#cgo nocallback uvh_conn_detach
#include "engine.h"
*/
import "C"

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gouv/gouv/uv"
)

// hdrRec is one header of a request, as C records it (uvh_hdr_t):
// offsets from the request's first byte.
type hdrRec struct {
	noff, nlen, voff, vlen uint32
}

// Event kinds and head flags (engine.h).
const (
	evHead  = C.UVH_HEAD
	evBody  = C.UVH_BODY
	evDone  = C.UVH_DONE
	evError = C.UVH_ERROR

	flagKeepAlive = C.UVH_KEEPALIVE
	flagChunked   = C.UVH_CHUNKED
	flagHasLen    = C.UVH_HASLEN
	flagUpgrade   = C.UVH_UPGRADE

	rbufSize = C.UVH_RBUF_SIZE
)

// The loops that serve, by the ID their C state carries: the exports find
// their loop here, without a lock (a copy of the slice is published on
// every change, which happens only as servers start and end). Slots are
// reused once a loop's server is done.
var registry struct {
	mu    sync.Mutex
	loops atomic.Pointer[[]*loopState]
}

func register(ls *loopState) uintptr {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	var old []*loopState
	if p := registry.loops.Load(); p != nil {
		old = *p
	}
	loops := append([]*loopState(nil), old...)
	id := len(loops)
	for i, v := range loops {
		if v == nil {
			id = i
			break
		}
	}
	if id == len(loops) {
		loops = append(loops, nil)
	}
	loops[id] = ls
	registry.loops.Store(&loops)
	return uintptr(id + 1)
}

func unregister(id uintptr) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	loops := append([]*loopState(nil), *registry.loops.Load()...)
	loops[id-1] = nil
	registry.loops.Store(&loops)
}

// lookup finds a loop's state.
func lookup(id C.uintptr_t) *loopState {
	return (*registry.loops.Load())[id-1]
}

// newCLoop allocates a loop's C state (uvh_loop_new).
func newCLoop(id uintptr) *C.uvh_loop_t {
	return C.uvh_loop_new(C.uintptr_t(id))
}

func freeCLoop(L *C.uvh_loop_t) { C.uvh_loop_free(L) }

// newCConn allocates a connection's C state and hangs it on the TCP's
// add-on slot (uvh_conn_new).
func newCConn(L *C.uvh_loop_t, t *uv.TCP, id uint64, maxHdr, maxBody int64) *C.uvh_conn_t {
	return C.uvh_conn_new(L, t.Raw(), C.uintptr_t(id), C.uint64_t(maxHdr), C.uint64_t(maxBody))
}

func freeCConn(c *C.uvh_conn_t) { C.uvh_conn_free(c) }

// dropCConn frees a connection's C state while its handle stays open
// (detach): the handle's slot is cleared first.
func dropCConn(c *C.uvh_conn_t) { C.uvh_conn_detach(c) }

func readStart(c *C.uvh_conn_t) int { return int(C.uvh_read_start(c)) }

func setDiscard(c *C.uvh_conn_t) { c.discard = 1 }

// inHead reports whether a head is begun and not complete.
func inHead(c *C.uvh_conn_t) bool { return c.in_head != 0 }

// rewind makes the parser start afresh (uvh_rewind) and returns where the
// head cut by the batch's end begins, or -1.
func rewind(c *C.uvh_conn_t) int {
	r := C.uvh_rewind(c)
	if r == C.size_t(^uintptr(0)) {
		return -1
	}
	return int(r)
}

// feed parses p as if it had just been read: p is copied into the loop's
// read buffer first (it must fit), so C never holds Go memory.
func feed(L *C.uvh_loop_t, c *C.uvh_conn_t, p []byte) {
	buf := unsafe.Slice((*byte)(unsafe.Pointer(C.uvh_rbuf(L))), rbufSize)
	n := copy(buf, p)
	C.uvh_execute(c, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(n))
}

// events returns the batch's events and headers as views of C memory.
func events(L *C.uvh_loop_t) ([]C.uvh_ev_t, []hdrRec) {
	ev := unsafe.Slice(L.ev, int(L.nev))
	hd := unsafe.Slice((*hdrRec)(unsafe.Pointer(L.hdr)), int(L.nhdr))
	return ev, hd
}

//export goUVHTTPBatch
func goUVHTTPBatch(lid, cid C.uintptr_t, base *C.char, n C.size_t) {
	ls := lookup(lid)
	defer ls.loop.Recover()
	if c, ok := ls.conns.Get(cbridgeID(cid)); ok {
		c.batch(unsafe.Slice((*byte)(unsafe.Pointer(base)), int(n)))
	}
}

//export goUVHTTPHeld
func goUVHTTPHeld(lid, cid C.uintptr_t, base *C.char, n C.ssize_t) {
	ls := lookup(lid)
	defer ls.loop.Recover()
	if c, ok := ls.conns.Get(cbridgeID(cid)); ok {
		if n < 0 {
			c.onWatchEnd(int(n))
			return
		}
		c.onWatch(unsafe.Slice((*byte)(unsafe.Pointer(base)), int(n)))
	}
}

// setHold makes the connection's reads go to goUVHTTPHeld, unparsed.
func setHold(c *C.uvh_conn_t, on bool) {
	if c != nil {
		c.hold = C.int(0)
		if on {
			c.hold = 1
		}
	}
}

//export goUVHTTPEnd
func goUVHTTPEnd(lid, cid C.uintptr_t, status C.int) {
	ls := lookup(lid)
	defer ls.loop.Recover()
	if c, ok := ls.conns.Get(cbridgeID(cid)); ok {
		c.end(int(status))
	}
}
