//go:build uvdebug

package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/gouv/gouv/cbridge"
)

// DebugBuild reports whether the package was built with -tags uvdebug,
// which checks the thread rule and counts live handles and requests by type.
const DebugBuild = true

// loopDebug holds a uvdebug build's bookkeeping: the thread running the
// loop, live handles and requests by type, and where each handle was
// created.
type loopDebug struct {
	thread   atomic.Uint64 // pthread_t of the Run goroutine's thread, 0 when not running
	handles  map[string]int
	requests map[string]int
	sites    map[cbridge.ID]string
}

func (d *loopDebug) enterRun() { d.thread.Store(uint64(C.uvgo_thread_self())) }
func (d *loopDebug) exitRun()  { d.thread.Store(0) }

func (d *loopDebug) opened(id cbridge.ID, t HandleType) {
	if d.handles == nil {
		d.handles, d.requests = map[string]int{}, map[string]int{}
		d.sites = map[cbridge.ID]string{}
	}
	d.handles[t.String()]++
	d.sites[id] = caller()
}

func (d *loopDebug) closed(id cbridge.ID, t HandleType) {
	d.handles[t.String()]--
	delete(d.sites, id)
}

func (d *loopDebug) reqStarted(kind string) {
	if d.requests == nil {
		d.handles, d.requests = map[string]int{}, map[string]int{}
		d.sites = map[cbridge.ID]string{}
	}
	d.requests[kind]++
}

func (d *loopDebug) reqDone(kind string) { d.requests[kind]-- }

func (d *loopDebug) where(id cbridge.ID) string {
	if s, ok := d.sites[id]; ok {
		return " created at " + s
	}
	return ""
}

func (d *loopDebug) counts() (map[string]int, map[string]int) {
	h, r := map[string]int{}, map[string]int{}
	for k, v := range d.handles {
		if v != 0 {
			h[k] = v
		}
	}
	for k, v := range d.requests {
		if v != 0 {
			r[k] = v
		}
	}
	return h, r
}

// checkThread panics when the loop is running on another thread than the
// caller's: the caller is not the goroutine inside Run.
func (l *Loop) checkThread(method string) {
	t := l.dbg.thread.Load()
	if t != 0 && t != uint64(C.uvgo_thread_self()) {
		panic("uv: " + method + " called from another goroutine while the loop runs; " +
			"call it from a callback, or use Loop.Post")
	}
}

// caller names the first frame outside package uv. The package's own
// tests count as outside: their functions carry the package's name, but
// the site a test created a handle at is what a leak report needs.
func caller() string {
	pc := make([]uintptr, 16)
	n := runtime.Callers(3, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		f, more := frames.Next()
		if !isUVFrame(f) || !more {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
	}
}

func isUVFrame(f runtime.Frame) bool {
	const pkg = "github.com/gouv/gouv/uv."
	return strings.HasPrefix(f.Function, pkg) && !strings.HasSuffix(f.File, "_test.go")
}
