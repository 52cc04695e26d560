package uvhttp

import (
	"github.com/gouv/gouv/cbridge"
	"github.com/gouv/gouv/uv"
)

// LoopOf returns the loop of s's i-th loop, for tests whose handlers
// start timers.
func LoopOf(s *Server, i int) *uv.Loop {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loops[i].loop
}

// HalfHeads counts, on s's first loop, the connections with a head begun
// and not complete.
func HalfHeads(s *Server) int {
	ls := LoopOf(s, 0)
	ch := make(chan int, 1)
	if ls.Post(func() {
		n := 0
		s.loops[0].conns.Range(func(_ cbridge.ID, c *conn) bool {
			if c.c != nil && inHead(c.c) {
				n++
			}
			return true
		})
		ch <- n
	}) != nil {
		return -1
	}
	return <-ch
}

// Stopping reports whether s's first loop began to stop.
func Stopping(s *Server) bool {
	ch := make(chan bool, 1)
	if LoopOf(s, 0).Post(func() { ch <- s.loops[0].stopping }) != nil {
		return true
	}
	return <-ch
}
