package uv

/*
#include "uvgo.h"
*/
import "C"

import "sync"

// Async is an async handle (uv_async_t): Send, from any goroutine, wakes the
// loop and makes it call the callback on its own goroutine. Sends are
// coalesced: several Sends before the loop gets to the handle give one call.
// For passing functions or values, Loop.Post is usually simpler.
//
// https://docs.libuv.org/en/v1.x/async.html
type Async struct {
	handle
	cb func(*Async)

	// mu guards dead against Send on other goroutines: the close callback
	// sets dead under the write lock before C frees the handle.
	mu      sync.RWMutex
	closing bool
}

// NewAsync creates an async handle on l with callback cb (uv_async_init).
// cb may be nil: a Send then only wakes the loop. Unlike other handles, an
// Async is active from the start.
func NewAsync(l *Loop, cb func(*Async)) (*Async, error) {
	a := &Async{cb: cb}
	var flags uint
	if cb != nil {
		flags = 1
	}
	if err := l.newHandle(a, TypeAsync, flags, "uv_async_init"); err != nil {
		return nil, err
	}
	return a, nil
}

// Send wakes the loop and makes it run the callback (uv_async_send). It is
// the one handle method that is safe to call from any goroutine. It returns
// ErrClosed once Close has been called.
func (a *Async) Send() error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closing {
		return ErrClosed
	}
	if a.ptr == nil {
		return errNotCreated
	}
	return check("uv_async_send", int(C.uv_async_send((*C.uv_async_t)(a.ptr))))
}

// Close closes the handle (uv_close); see Handle. Sends from then on return
// ErrClosed.
func (a *Async) Close(cb func()) error {
	a.mu.Lock()
	closing := a.closing
	a.closing = true
	a.mu.Unlock()
	if closing {
		return ErrClosed
	}
	return a.handle.Close(cb)
}
