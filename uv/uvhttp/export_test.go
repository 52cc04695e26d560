package uvhttp

import "github.com/gouv/gouv/uv"

// LoopOf returns the loop of s's i-th loop, for tests whose handlers
// start timers.
func LoopOf(s *Server, i int) *uv.Loop {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loops[i].loop
}
