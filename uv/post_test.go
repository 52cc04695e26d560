package uv

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Eight goroutines post 100,000 functions each while the loop runs: every
// function runs exactly once, on the loop's goroutine, and each goroutine's
// functions run in the order it posted them. A referenced Async keeps the
// loop alive until the last function has run.
func TestPostOrder(t *testing.T) {
	const goroutines, perGoroutine = 8, 100_000
	l := newLoop(t)
	keep, err := NewAsync(l, nil)
	require.NoError(t, err)

	var (
		next      [goroutines]int // the sequence number each goroutine's next function must carry
		ran       int
		outOfSeq  int
		firstBad  string
		postErrs  [goroutines]error
		wg        sync.WaitGroup
		onLoop    bool
		wrongLoop int
	)
	run := func(g, seq int) {
		if !onLoop {
			wrongLoop++
		}
		if seq != next[g] {
			if outOfSeq == 0 {
				firstBad = "goroutine " + itoa(g) + ": got " + itoa(seq) + ", want " + itoa(next[g])
			}
			outOfSeq++
		}
		next[g] = seq + 1
		ran++
		if ran == goroutines*perGoroutine {
			assert.NoError(t, keep.Close(nil))
		}
	}

	start := make(chan struct{})
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for seq := range perGoroutine {
				if err := l.Post(func() { run(g, seq) }); err != nil {
					postErrs[g] = err
					return
				}
			}
		}()
	}

	// A prepare callback marks the loop as running on this goroutine, and
	// releases the posters once it is.
	prep, err := NewPrepare(l)
	require.NoError(t, err)
	require.NoError(t, prep.Start(func(p *Prepare) {
		onLoop = true
		close(start)
		assert.NoError(t, p.Close(nil))
	}))

	begin := time.Now()
	assert.False(t, runLoop(t, l, RunDefault))
	onLoop = false
	wg.Wait()
	t.Logf("%d posts in %v", goroutines*perGoroutine, time.Since(begin))

	for g, err := range postErrs {
		assert.NoError(t, err, "goroutine %d", g)
	}
	assert.Equal(t, goroutines*perGoroutine, ran)
	assert.Zero(t, outOfSeq, "functions out of order; first: %s", firstBad)
	assert.Zero(t, wrongLoop, "functions run outside Run")
	for g, n := range next {
		assert.Equal(t, perGoroutine, n, "goroutine %d", g)
	}
}

// A function posted from a posted function runs later, not from inside
// Post, and a long chain of them runs to the end within one Run.
func TestPostFromLoop(t *testing.T) {
	const chain = 1000
	l := newLoop(t)
	var order []int
	var step func(i int) func()
	step = func(i int) func() {
		return func() {
			order = append(order, i)
			if i+1 < chain {
				assert.NoError(t, l.Post(step(i+1)))
				order = append(order, -i) // Post returned before step(i+1) ran
			}
		}
	}
	require.NoError(t, l.Post(step(0)))
	assert.False(t, runLoop(t, l, RunDefault))
	require.Len(t, order, 2*chain-1)
	for i := range chain - 1 {
		assert.Equal(t, []int{i, -i}, order[2*i:2*i+2])
	}
	assert.Equal(t, chain-1, order[len(order)-1])
}

// Posted functions keep the loop alive and wake a loop blocked in poll.
func TestPostWakesLoop(t *testing.T) {
	l := newLoop(t)
	tm, err := NewTimer(l)
	require.NoError(t, err)
	var fired counter
	require.NoError(t, tm.Start(time.Hour, 0, func(*Timer) { fired.inc() }))

	posted := make(chan struct{})
	prep, err := NewPrepare(l)
	require.NoError(t, err)
	require.NoError(t, prep.Start(func(p *Prepare) {
		close(posted) // the loop is about to block for an hour
		assert.NoError(t, p.Close(nil))
	}))
	var ran counter
	go func() {
		<-posted
		assert.NoError(t, l.Post(func() {
			ran.inc()
			assert.NoError(t, tm.Close(nil))
		}))
	}()
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, 1, ran.n)
	assert.Zero(t, fired.n)
}

// Posts made before Run run on it, in order, and keep it alive; RunNoWait
// and RunOnce run what was posted before they started.
func TestPostBeforeRun(t *testing.T) {
	l := newLoop(t)
	var order []int
	for i := range 5 {
		require.NoError(t, l.Post(func() { order = append(order, i) }))
	}
	assert.True(t, l.Alive())
	assert.False(t, runLoop(t, l, RunNoWait))
	assert.Equal(t, []int{0, 1, 2, 3, 4}, order)
	assert.False(t, l.Alive())

	require.NoError(t, l.Post(func() { order = append(order, 5) }))
	assert.False(t, runLoop(t, l, RunOnce))
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5}, order)
}

// Post(nil) is refused.
func TestPostNil(t *testing.T) {
	l := newLoop(t)
	assert.ErrorIs(t, l.Post(nil), ErrNilCallback)
	assert.False(t, l.Alive())
}
