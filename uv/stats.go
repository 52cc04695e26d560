package uv

// Stats counts what a loop holds, for leak checks in tests and for
// monitoring.
type Stats struct {
	// Handles and Requests are the live entries of the loop's handle and
	// request tables: handles from New* to their close callback, requests
	// from their start to their callback. They count what gouv created
	// only: not its four internal handles (Post's async, the deferred
	// idle, the yield prepare, the timer queue's timer), not libuv's own
	// internal handles, and not the handles or requests of C code using
	// Raw (Loop.WalkForeign lists those handles).
	Handles, Requests int
	// HandlesByType and RequestsByType are kept only in uvdebug builds
	// (nil otherwise): non-zero live counts by handle type ("tcp") and
	// request kind ("write").
	HandlesByType, RequestsByType map[string]int
}

// Stats returns the loop's counts. It is not a libuv call.
func (l *Loop) Stats() Stats {
	if l == nil {
		return Stats{}
	}
	h, r := l.dbg.counts()
	return Stats{Handles: l.handles.Len(), Requests: l.reqs.Len() + l.lreqs.Len(), HandlesByType: h, RequestsByType: r}
}
