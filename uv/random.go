package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"math"
	"unsafe"
)

// Random fills buf with cryptographically strong random bytes from the
// system's source (getrandom(2), or /dev/urandom) (uv_random).
//
// With a nil cb it runs synchronously, as libuv does, and returns (nil,
// err); l is not used then and may be nil. Otherwise the bytes are read on
// the thread pool into C memory and copied into buf on the loop, right
// before cb runs with nil; the thread pool never sees buf, but buf must
// not be used until cb has run. cb gets ECANCELED, buf untouched, when the
// request was cancelled while it waited in the pool's queue. The returned
// request can be cancelled until it starts running.
//
// buf may hold at most 2^31-1 bytes (E2BIG). Call Random on the loop's
// goroutine.
//
// https://docs.libuv.org/en/v1.x/misc.html#c.uv_random
func Random(l *Loop, buf []byte, cb func(err error)) (*Req, error) {
	const op = "uv_random"
	if len(buf) > math.MaxInt32 {
		return nil, &Error{Op: op, Code: E2BIG}
	}
	if cb == nil {
		return nil, check(op, int(C.uv_random(nil, nil, unsafe.Pointer(unsafe.SliceData(buf)), C.size_t(len(buf)), 0, nil)))
	}
	if err := l.reqUsable(op); err != nil {
		return nil, err
	}
	r := l.newLoopReq(reqRandom, func(r *Req, status int) {
		if status == 0 {
			copy(buf, unsafe.Slice((*byte)(unsafe.Pointer(C.uvgo_random_data((*C.uv_random_t)(r.ptr)))), len(buf)))
		}
		cb(statusErr(status))
	})
	if err := r.started(C.uvgo_random(l.ptr, C.uintptr_t(r.id), C.size_t(len(buf))), op, ""); err != nil {
		return nil, err
	}
	return r, nil
}
