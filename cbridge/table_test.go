package cbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTableNewGetDelete(t *testing.T) {
	var tb Table[string]
	a := tb.New("a")
	b := tb.New("b")
	require.NotZero(t, a)
	require.NotEqual(t, a, b)
	assert.Equal(t, 2, tb.Len())

	v, ok := tb.Get(a)
	assert.True(t, ok)
	assert.Equal(t, "a", v)

	assert.True(t, tb.Delete(a))
	assert.False(t, tb.Delete(a), "second delete of the same ID")
	_, ok = tb.Get(a)
	assert.False(t, ok, "stale ID must miss")
	assert.Equal(t, 1, tb.Len())

	c := tb.New("c") // reuses a's slot with a new generation
	assert.Equal(t, uint32(a), uint32(c), "slot reused")
	assert.NotEqual(t, a, c)
	_, ok = tb.Get(a)
	assert.False(t, ok, "stale ID must not find the slot's new value")
	v, _ = tb.Get(c)
	assert.Equal(t, "c", v)

	assert.True(t, tb.Delete(b))
	assert.True(t, tb.Delete(c))
	assert.Equal(t, 0, tb.Len())
}

func TestTableZeroAndForeignIDs(t *testing.T) {
	var tb Table[int]
	_, ok := tb.Get(0)
	assert.False(t, ok)
	assert.False(t, tb.Delete(0))
	id := tb.New(7)
	_, ok = tb.Get(id + 1) // slot past the end
	assert.False(t, ok)
	_, ok = tb.Get(id + 1<<32) // right slot, wrong generation
	assert.False(t, ok)
	assert.Equal(t, 1, tb.Len())
}

func TestTableRange(t *testing.T) {
	var tb Table[int]
	ids := make([]ID, 10)
	for i := range ids {
		ids[i] = tb.New(i)
	}
	tb.Delete(ids[3])
	seen := map[int]bool{}
	tb.Range(func(id ID, v int) bool {
		seen[v] = true
		tb.Delete(id) // deleting while ranging is allowed
		return true
	})
	assert.Len(t, seen, 9)
	assert.False(t, seen[3])
	assert.Equal(t, 0, tb.Len())

	n := 0
	tb.New(1)
	tb.New(2)
	tb.Range(func(ID, int) bool { n++; return false })
	assert.Equal(t, 1, n, "Range stops when f returns false")
}

func TestTableNoAllocSteadyState(t *testing.T) {
	var tb Table[*int]
	x := new(int)
	tb.Delete(tb.New(x))
	allocs := testing.AllocsPerRun(1000, func() {
		id := tb.New(x)
		tb.Get(id)
		tb.Delete(id)
	})
	assert.Zero(t, allocs)
}
