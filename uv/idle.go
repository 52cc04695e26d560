package uv

/*
#include "uvgo.h"
*/
import "C"

// Idle is an idle handle (uv_idle_t). Despite the name, its callback runs
// once on every loop iteration, before the prepare handles; while an idle
// handle is active the loop polls for I/O without blocking.
//
// https://docs.libuv.org/en/v1.x/idle.html
type Idle struct {
	handle
	cb func(*Idle)
}

// NewIdle creates a idle handle on l (uv_idle_init).
func NewIdle(l *Loop) (*Idle, error) {
	h := &Idle{}
	if err := l.newHandle(h, TypeIdle, 0, "uv_idle_init"); err != nil {
		return nil, err
	}
	return h, nil
}

// Start starts the handle with cb (uv_idle_start). Starting an active handle
// only replaces its callback. It returns an EINVAL *Error for a nil cb or a
// closing handle.
func (h *Idle) Start(cb func(*Idle)) error {
	if err := h.startable("uv_idle_start"); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: "uv_idle_start", Code: EINVAL, Detail: "nil callback"}
	}
	h.cb = cb
	return check("uv_idle_start", int(C.uvgo_idle_start((*C.uv_idle_t)(h.ptr))))
}

// Stop stops the handle (uv_idle_stop); its callback will not run again.
func (h *Idle) Stop() error {
	if err := h.live(); err != nil {
		return err
	}
	h.loop.checkThread("Idle.Stop")
	return check("uv_idle_stop", int(C.uv_idle_stop((*C.uv_idle_t)(h.ptr))))
}
