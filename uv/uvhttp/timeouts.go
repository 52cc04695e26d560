package uvhttp

import (
	"time"

	"github.com/gouv/gouv/cbridge"
	"github.com/gouv/gouv/uv"
)

// What a connection's deadline bounds.
const (
	phaseIdle   = iota // waiting for a request: IdleTimeout
	phaseHead          // a head begun: ReadHeaderTimeout
	phaseBody          // a body being read: ReadTimeout
	phaseWrite         // a response pending or being written: WriteTimeout
	phaseLinger        // shut down, waiting for the peer's end: a second
)

const lingerTime = time.Second

// Timeouts are enforced by one repeating timer per loop that sweeps the
// loop's connections, rather than a timer per connection: re-arming a
// timer for every request would cost the hot path a heap operation per
// request and phase, while the sweep costs the path one store (the phase
// and its start) and the loop a pass over its connections per tick, some
// microseconds per thousand connections. The price is precision: a
// timeout fires up to a tick late, a tick being a quarter of the smallest
// timeout set (between 10 ms and 1 s).
func (ls *loopState) startSweep() error {
	t, err := uv.NewTimer(ls.loop)
	if err != nil {
		return err
	}
	ls.sweep = t
	s := ls.srv
	tick := lingerTime
	for _, d := range []time.Duration{s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout} {
		if d > 0 {
			tick = min(tick, d)
		}
	}
	ls.tick = max(tick/4, 10*time.Millisecond)
	t.Unref()
	return t.Start(ls.tick, ls.tick, ls.onSweep)
}

func (ls *loopState) onSweep(*uv.Timer) {
	now := int64(ls.loop.Now() / time.Millisecond)
	ls.conns.Range(func(_ cbridge.ID, c *conn) bool {
		if d := ls.limit(c); d > 0 && now-c.since >= int64(d/time.Millisecond) {
			c.close()
		}
		return true
	})
}

// limit returns the timeout of c's phase, 0 for none.
func (ls *loopState) limit(c *conn) time.Duration {
	s := ls.srv
	phase := c.phase
	if phase == phaseIdle && c.tcp != nil && c.tcp.WriteQueueSize() > 0 {
		phase = phaseWrite
	}
	switch phase {
	case phaseIdle:
		return firstSet(s.IdleTimeout, s.ReadTimeout)
	case phaseHead:
		return firstSet(s.ReadHeaderTimeout, s.ReadTimeout)
	case phaseBody:
		return s.ReadTimeout
	case phaseWrite:
		return s.WriteTimeout
	}
	return lingerTime
}

func firstSet(a, b time.Duration) time.Duration {
	if a > 0 {
		return a
	}
	return b
}

// setPhase starts phase p now, unless c is in it already.
func (c *conn) setPhase(p int) {
	if c.phase == p && p != phaseIdle {
		return
	}
	c.phase = p
	c.since = int64(c.ls.loop.Now() / time.Millisecond)
}

// nextPhase is the phase after a batch: what c waits for.
func (c *conn) nextPhase() int {
	switch {
	case c.shut:
		return phaseLinger
	case c.held:
		return phaseWrite
	case c.inReq:
		return phaseBody
	case c.c != nil && inHead(c.c):
		return phaseHead
	}
	return phaseIdle
}
