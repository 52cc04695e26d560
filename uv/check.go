package uv

/*
#include "uvgo.h"
*/
import "C"

// Check is a check handle (uv_check_t): its callback runs once on every loop
// iteration, right after the loop has polled for I/O.
//
// https://docs.libuv.org/en/v1.x/check.html
type Check struct {
	handle
	cb func(*Check)
}

// NewCheck creates a check handle on l (uv_check_init).
func NewCheck(l *Loop) (*Check, error) {
	h := &Check{}
	if err := l.newHandle(h, TypeCheck, 0, "uv_check_init"); err != nil {
		return nil, err
	}
	return h, nil
}

// Start starts the handle with cb (uv_check_start). Starting an active handle
// only replaces its callback. It returns an EINVAL *Error for a nil cb or a
// closing handle.
func (h *Check) Start(cb func(*Check)) error {
	if err := h.startable("uv_check_start"); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: "uv_check_start", Code: EINVAL, Detail: "nil callback"}
	}
	h.cb = cb
	return check("uv_check_start", int(C.uvgo_check_start((*C.uv_check_t)(h.ptr))))
}

// Stop stops the handle (uv_check_stop); its callback will not run again.
func (h *Check) Stop() error {
	if err := h.live(); err != nil {
		return err
	}
	h.loop.checkThread("Check.Stop")
	return check("uv_check_stop", int(C.uv_check_stop((*C.uv_check_t)(h.ptr))))
}
