package uv

/*
#include "uvgo.h"
*/
import "C"

// Prepare is a prepare handle (uv_prepare_t): its callback runs once on every
// loop iteration, right before the loop polls for I/O.
//
// https://docs.libuv.org/en/v1.x/prepare.html
type Prepare struct {
	handle
	cb func(*Prepare)
}

// NewPrepare creates a prepare handle on l (uv_prepare_init).
func NewPrepare(l *Loop) (*Prepare, error) {
	h := &Prepare{}
	if err := l.newHandle(h, TypePrepare, 0, "uv_prepare_init"); err != nil {
		return nil, err
	}
	return h, nil
}

// Start starts the handle with cb (uv_prepare_start). Starting an active handle
// only replaces its callback. It returns an EINVAL *Error for a nil cb or a
// closing handle.
func (h *Prepare) Start(cb func(*Prepare)) error {
	if err := h.startable("uv_prepare_start"); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: "uv_prepare_start", Code: EINVAL, Detail: "nil callback"}
	}
	h.cb = cb
	return check("uv_prepare_start", int(C.uvgo_prepare_start((*C.uv_prepare_t)(h.ptr))))
}

// Stop stops the handle (uv_prepare_stop); its callback will not run again.
func (h *Prepare) Stop() error {
	if err := h.live(); err != nil {
		return err
	}
	h.loop.checkThread("Prepare.Stop")
	return check("uv_prepare_stop", int(C.uv_prepare_stop((*C.uv_prepare_t)(h.ptr))))
}
