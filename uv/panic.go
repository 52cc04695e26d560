package uv

import (
	"fmt"
	"runtime/debug"
)

// CallbackPanic is what Run panics with when a callback panicked: the value
// the callback panicked with and the stack at that moment. libuv never sees
// the panic: it is recovered where C called Go, the loop is stopped with
// uv_stop, and Run re-raises it once uv_run has returned, so the loop stays
// usable (close its handles, then the loop).
type CallbackPanic struct {
	Value any
	Stack []byte
}

// Error returns the panic value and the callback's stack.
func (p *CallbackPanic) Error() string {
	return fmt.Sprintf("uv: panic in callback: %v\n\n%s", p.Value, p.Stack)
}

// Unwrap returns Value when it is an error.
func (p *CallbackPanic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// trap recovers a panic in a callback; every export defers it. The first
// panic of a Run is kept and the loop is stopped; Run re-raises it.
func (l *Loop) trap() {
	if v := recover(); v != nil {
		l.recordPanic(v)
	}
}

func (l *Loop) recordPanic(v any) {
	if l.panicked == nil {
		l.panicked = &CallbackPanic{Value: v, Stack: stack()}
	}
	if l.inUVRun {
		l.Stop()
	}
}

// reraise panics with the recorded callback panic, if any.
func (l *Loop) reraise() {
	if p := l.panicked; p != nil {
		l.panicked = nil
		l.stopping = false
		panic(p)
	}
}

// stack returns the calling goroutine's stack; called from a deferred
// recover, it still shows the frames that panicked.
func stack() []byte { return debug.Stack() }
