package uv

/*
#cgo nocallback uv_async_send
#include "uvgo.h"
*/
import "C"

import (
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

// Signal is a signal handle, with the API and semantics of uv_signal_t but
// built on os/signal: libuv's own signal handling cannot run in a Go
// program, since it installs its handlers without SA_ONSTACK and the Go
// runtime dies on the first signal they catch on a Go thread. A started
// Signal calls its callback on its loop's goroutine for every signal it
// catches; every started Signal of a signal, on every loop, gets it. It is
// active while started, so a started, referenced Signal keeps its loop
// alive. Fd returns EINVAL. Underneath, one goroutine per watched signal
// receives it from os/signal and wakes the loop of each Signal through a
// uv_async_t of the Signal's own.
//
// https://docs.libuv.org/en/v1.x/signal.html
type Signal struct {
	handle
	cb      func(*Signal, syscall.Signal)
	signum  syscall.Signal // the signal watched, 0 when stopped
	oneshot bool
	unref   bool   // Unref was called last: libuv's ref flag
	gen     uint32 // counts stops, so that a delivery notices one

	// pending counts the signals the feed passed on and the loop has not
	// delivered yet. The feed adds to it; the loop takes it.
	pending atomic.Int32
}

// NewSignal creates a signal handle on l (uv_signal_init).
func NewSignal(l *Loop) (*Signal, error) {
	s := &Signal{}
	if err := l.newHandle(s, TypeSignal, 0, "uv_signal_init"); err != nil {
		return nil, err
	}
	return s, nil
}

// Start starts watching sig (uv_signal_start): cb runs on the loop's
// goroutine for each sig the process receives, until Stop or Close, after
// which no callback runs, not even for a signal already caught. Start on
// a started Signal replaces the callback, and the signal when it differs.
//
// A signal the Go runtime does not deliver through os/signal is an EINVAL
// *Error: 0, negative, above 64, SIGKILL and SIGSTOP (as in libuv), and
// SIGPROF, 32, 33 and 34, which the Go runtime and the C library keep for
// themselves. A nil cb is EINVAL too. While one Signal of sig is started
// os/signal is notified of sig, which changes what sig does to the program
// (signal.Notify); when the last one stops it no longer is, and sig does
// what it did before.
func (s *Signal) Start(sig syscall.Signal, cb func(s *Signal, sig syscall.Signal)) error {
	return s.start("uv_signal_start", sig, cb, false)
}

// StartOneshot is Start for one signal (uv_signal_start_oneshot): the
// Signal stops when it catches sig, before cb runs, so cb may start it
// again.
func (s *Signal) StartOneshot(sig syscall.Signal, cb func(s *Signal, sig syscall.Signal)) error {
	return s.start("uv_signal_start_oneshot", sig, cb, true)
}

func (s *Signal) start(op string, sig syscall.Signal, cb func(*Signal, syscall.Signal), oneshot bool) error {
	if err := s.startable(op); err != nil {
		return err
	}
	if cb == nil {
		return &Error{Op: op, Code: EINVAL, Detail: "nil callback"}
	}
	if !deliverable(sig) {
		return &Error{Op: op, Code: EINVAL, Detail: "signal " + itoa(int(sig)) + " cannot be watched"}
	}
	s.cb, s.oneshot = cb, oneshot
	if sig == s.signum {
		return nil
	}
	s.stop()
	s.signum = sig
	feeds.subscribe(s)
	s.syncRef()
	return nil
}

// deliverable reports whether os/signal can deliver sig to a channel.
func deliverable(sig syscall.Signal) bool {
	switch {
	case sig < 1 || sig > 64:
		return false
	case sig == syscall.SIGKILL, sig == syscall.SIGSTOP:
		return false // cannot be caught
	case sig == syscall.SIGPROF:
		return false // the Go runtime's profiler takes it
	case sig >= 32 && sig <= 34:
		return false // the C library's (glibc's SIGCANCEL, SIGSETXID; musl's)
	}
	return true
}

// Stop stops watching (uv_signal_stop): no callback runs after it, even
// for a signal already caught. Stopping a stopped Signal does nothing.
func (s *Signal) Stop() error {
	if err := s.live(); err != nil {
		return err
	}
	s.loop.checkThread("uv_signal_stop")
	s.stop()
	return nil
}

// stop unsubscribes a started Signal and forgets what it caught.
func (s *Signal) stop() {
	if s.signum == 0 {
		return
	}
	feeds.unsubscribe(s)
	// The feed no longer adds to pending: zero is final.
	s.pending.Store(0)
	s.signum = 0
	s.oneshot = false
	s.gen++
	s.syncRef()
}

// Signum returns the signal being watched, 0 when stopped
// (uv_signal_t.signum).
func (s *Signal) Signum() syscall.Signal { return s.signum }

// Close stops the Signal and closes it (uv_close); see Handle.
func (s *Signal) Close(cb func()) error {
	if err := s.closable(); err != nil {
		return err
	}
	s.loop.checkThread("Close")
	s.stop()
	return s.handle.Close(cb)
}

// IsActive reports whether the Signal is started (uv_is_active).
func (s *Signal) IsActive() bool { return s.state != stateClosed && s.signum != 0 }

// Ref makes the Signal keep the loop alive while started (uv_ref). It
// panics on a closed handle.
func (s *Signal) Ref() {
	s.mustLive("Ref")
	s.unref = false
	s.syncRef()
}

// Unref makes the Signal not keep the loop alive while started (uv_unref).
// It panics on a closed handle.
func (s *Signal) Unref() {
	s.mustLive("Unref")
	s.unref = true
	s.syncRef()
}

// HasRef reports whether the Signal is referenced (uv_has_ref); false once
// closed.
func (s *Signal) HasRef() bool { return s.state != stateClosed && !s.unref }

// syncRef references the C handle, active from its init, exactly when a
// uv_signal_t would keep the loop alive: started and referenced.
func (s *Signal) syncRef() {
	if s.state != stateOpen {
		return // a closing handle keeps the loop alive until its close callback
	}
	if s.signum != 0 && !s.unref {
		C.uv_ref(s.hp())
	} else {
		C.uv_unref(s.hp())
	}
}

// deliver runs on the loop (goUVSignal) after the feed woke the handle: a
// callback for each signal caught, as long as the Signal stays started.
func (s *Signal) deliver() {
	gen := s.gen
	for n := s.pending.Swap(0); n > 0 && s.signum != 0 && s.gen == gen; n-- {
		sig := s.signum
		if s.oneshot {
			s.stop()
		}
		s.cb(s, sig)
	}
}

// feeds holds, for each signal being watched, the channel os/signal
// notifies and the started Signals it feeds, on every loop.
var feeds signalFeeds

type signalFeeds struct {
	mu  sync.Mutex
	sig map[syscall.Signal]*signalFeed
}

// signalFeed is one signal's channel and the C handles of its Signals. A
// goroutine receives from the channel and, under feeds.mu, counts the
// signal on each Signal and wakes its loop (uv_async_send). A Signal
// leaves the feed under feeds.mu before it stops or closes, so the feed
// never wakes a freed handle, and a stopped Signal sees no count added.
type signalFeed struct {
	ch       chan os.Signal
	watchers map[*Signal]*C.uv_async_t
}

// feedBuffer is the signals a feed's channel holds; os/signal drops what
// does not fit, as the kernel merges a signal raised again before it was
// handled.
const feedBuffer = 64

func (f *signalFeeds) subscribe(s *Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fd := f.sig[s.signum]
	if fd == nil {
		fd = &signalFeed{
			ch:       make(chan os.Signal, feedBuffer),
			watchers: map[*Signal]*C.uv_async_t{},
		}
		if f.sig == nil {
			f.sig = map[syscall.Signal]*signalFeed{}
		}
		f.sig[s.signum] = fd
		signal.Notify(fd.ch, s.signum)
		go fd.run()
	}
	fd.watchers[s] = (*C.uv_async_t)(s.ptr)
}

func (f *signalFeeds) unsubscribe(s *Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fd := f.sig[s.signum]
	delete(fd.watchers, s)
	if len(fd.watchers) == 0 {
		delete(f.sig, s.signum)
		// Once Stop returns no signal is sent on ch any more: closing it
		// ends run.
		signal.Stop(fd.ch)
		close(fd.ch)
	}
}

func (fd *signalFeed) run() {
	for range fd.ch {
		feeds.mu.Lock()
		for s, a := range fd.watchers {
			s.pending.Add(1)
			C.uv_async_send(a)
		}
		feeds.mu.Unlock()
	}
}
