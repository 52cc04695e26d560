package cbridge

import "unsafe"

// ID names an entry of a [Table]. The low 32 bits hold the slot index plus
// one and the high 32 bits the slot's generation, so the zero ID is invalid
// and an ID outlives its entry without ever naming a later one (until a
// single slot is reused 2^32 times).
type ID uint64

// slot is one entry of a Table: the value, the slot's generation, and the
// next free slot while it is free. The generation is odd while the slot is
// live (New and Delete each add one), and live IDs carry it.
type slot[T any] struct {
	val  T
	gen  uint32
	next uint32 // index+1 of the next free slot; 0 ends the list
}

func (s *slot[T]) live() bool { return s.gen&1 == 1 }

// Table maps IDs to values of type T. New, Get and Delete are O(1), take no
// lock and do not allocate once the table has grown to its working size.
//
// A Table is not safe for concurrent use: gouv keeps one per event loop and
// touches it only from the loop's goroutine.
type Table[T any] struct {
	chunks []*[chunkSize]slot[T] // slots in fixed chunks: growing copies nothing
	used   uint32                // slots ever handed out
	free   uint32                // index+1 of the first free slot; 0 when none
	n      int
}

// chunkSize is the number of slots per chunk. A million handles take a
// thousand chunks, and growing the table never copies or frees slots.
const chunkSize = 1024

// slot returns the slot with the given index+1 (i > 0, i <= used). It
// indexes the chunk with pointer arithmetic: &c[j] on a *[chunkSize]slot
// would first probe c's first byte for nil, a cache miss of its own on a
// callback's path through a large table (chunks are never nil here).
func (t *Table[T]) slot(i uint32) *slot[T] {
	c := t.chunks[(i-1)/chunkSize]
	j := uintptr((i - 1) % chunkSize)
	return (*slot[T])(unsafe.Add(unsafe.Pointer(c), j*unsafe.Sizeof(slot[T]{})))
}

// New stores v and returns its ID, never zero.
func (t *Table[T]) New(v T) ID {
	i := t.free
	if i == 0 {
		if t.used%chunkSize == 0 {
			t.chunks = append(t.chunks, new([chunkSize]slot[T]))
		}
		t.used++
		i = t.used
	} else {
		t.free = t.slot(i).next
	}
	s := t.slot(i)
	s.val, s.next = v, 0
	s.gen++
	t.n++
	return ID(uint64(s.gen)<<32 | uint64(i))
}

// lookup returns the live slot id names, or nil.
func (t *Table[T]) lookup(id ID) *slot[T] {
	i := uint32(id)
	if i == 0 || i > t.used {
		return nil
	}
	s := t.slot(i)
	if !s.live() || s.gen != uint32(id>>32) {
		return nil
	}
	return s
}

// Get returns the value stored under id and whether id names a live entry.
// A zero, stale or foreign ID returns the zero value and false.
func (t *Table[T]) Get(id ID) (T, bool) {
	if s := t.lookup(id); s != nil {
		return s.val, true
	}
	var zero T
	return zero, false
}

// Delete removes the entry id names and reports whether it was live. The
// slot's generation changes, so id and every copy of it stop matching.
func (t *Table[T]) Delete(id ID) bool {
	s := t.lookup(id)
	if s == nil {
		return false
	}
	var zero T
	s.val = zero
	s.gen++
	s.next = t.free
	t.free = uint32(id)
	t.n--
	return true
}

// Len returns the number of live entries.
func (t *Table[T]) Len() int { return t.n }

// Range calls f for each live entry in slot order until f returns false.
// f may delete entries, including the one it was called for; entries it
// adds may or may not be visited.
func (t *Table[T]) Range(f func(ID, T) bool) {
	for i := uint32(1); i <= t.used; i++ {
		s := t.slot(i)
		if !s.live() {
			continue
		}
		if !f(ID(uint64(s.gen)<<32|uint64(i)), s.val) {
			return
		}
	}
}
