package uv

import (
	"sync"
	"sync/atomic"
)

// The registry of live loops. C passes a loop's ID (loop->data) to every
// callback; the Go side finds the Loop here with two atomic loads, without a
// lock. Slots are reused; the ID's high half is a global sequence number, so
// a stale ID never finds a later loop.
const (
	loopChunkBits = 8
	loopChunkSize = 1 << loopChunkBits
	maxLoops      = loopChunkSize * loopChunkSize
)

type loopChunk [loopChunkSize]atomic.Pointer[Loop]

var loopReg struct {
	chunks [loopChunkSize]atomic.Pointer[loopChunk]
	mu     sync.Mutex // guards the fields below and all Stores
	free   []uint32
	next   uint32
	seq    uint32
}

// registerLoop assigns l an ID and publishes it. It returns 0 when maxLoops
// loops are open.
func registerLoop(l *Loop) uint64 {
	r := &loopReg
	r.mu.Lock()
	defer r.mu.Unlock()
	var idx uint32
	if n := len(r.free); n > 0 {
		idx, r.free = r.free[n-1], r.free[:n-1]
	} else if r.next < maxLoops {
		idx = r.next
		r.next++
	} else {
		return 0
	}
	c := r.chunks[idx>>loopChunkBits].Load()
	if c == nil {
		c = new(loopChunk)
		r.chunks[idx>>loopChunkBits].Store(c)
	}
	r.seq++
	l.id = uint64(r.seq)<<32 | uint64(idx+1)
	c[idx&(loopChunkSize-1)].Store(l)
	return l.id
}

func unregisterLoop(id uint64) {
	r := &loopReg
	idx := uint32(id) - 1
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chunks[idx>>loopChunkBits].Load()[idx&(loopChunkSize-1)].Store(nil)
	r.free = append(r.free, idx)
}

// loopByID returns the live loop with the given ID, or nil.
func loopByID(id uint64) *Loop {
	idx := uint32(id) - 1
	if idx >= maxLoops {
		return nil
	}
	c := loopReg.chunks[idx>>loopChunkBits].Load()
	if c == nil {
		return nil
	}
	l := c[idx&(loopChunkSize-1)].Load()
	if l == nil || l.id != id {
		return nil
	}
	return l
}
