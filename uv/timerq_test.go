package uv

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the Go-side timer queue (timerq.go): each checks a promise of
// libuv's own timer heap that the queue must keep.

func newTimers(t *testing.T, l *Loop, n int) []*Timer {
	t.Helper()
	ts := make([]*Timer, n)
	for i := range ts {
		tm, err := NewTimer(l)
		require.NoError(t, err)
		ts[i] = tm
	}
	return ts
}

// Timers fire by deadline, then in the order they were started, whatever
// order their deadlines were set in; a restart goes behind the timers
// started before it.
func TestTimerQueueOrder(t *testing.T) {
	l := newLoop(t)
	rng := rand.New(rand.NewPCG(1, 2))
	ts := newTimers(t, l, 2000)
	type start struct{ due, seq int }
	want := make([]start, len(ts))
	var got []int
	l.UpdateTime()
	now := int(l.Now() / time.Millisecond)
	seq := 0
	for pass := range 2 { // the second pass restarts half of them
		for i, tm := range ts {
			if pass == 1 && i%2 == 0 {
				continue
			}
			d := rng.IntN(30)
			require.NoError(t, tm.Start(time.Duration(d)*time.Millisecond, 0, func(*Timer) { got = append(got, i) }))
			want[i] = start{now + d, seq}
			seq++
		}
	}
	runLoop(t, l, RunDefault)
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if want[a].due != want[b].due {
			return want[a].due - want[b].due
		}
		return want[a].seq - want[b].seq
	})
	assert.Equal(t, order, got)
}

// A callback that stops, restarts or closes timers due in the same
// iteration keeps them from firing there, as libuv's uv__run_timers, which
// looks at its heap again after each callback, does.
func TestTimerQueueChangesInCallback(t *testing.T) {
	l := newLoop(t)
	ts := newTimers(t, l, 4)
	var got []int
	var closed counter
	cb := func(i int) func(*Timer) {
		return func(*Timer) {
			got = append(got, i)
			if i == 0 {
				assert.NoError(t, ts[1].Stop())
				assert.NoError(t, ts[2].Start(20*time.Millisecond, 0, func(*Timer) { got = append(got, 20) }))
				assert.NoError(t, ts[3].Close(closed.inc))
			}
		}
	}
	for i, tm := range ts {
		require.NoError(t, tm.Start(time.Millisecond, 0, cb(i)))
	}
	l.UpdateTime()
	runLoop(t, l, RunDefault)
	assert.Equal(t, []int{0, 20}, got)
	assert.Equal(t, 1, closed.n)
	assert.Zero(t, l.timers.n, "entries left in the queue")
}

// A timer started with a 0 timeout in a timer callback of libuv 1.44 is due
// at once: it runs in the same timer phase, before the loop polls.
func TestTimerQueueZeroFromCallback(t *testing.T) {
	l := newLoop(t)
	ts := newTimers(t, l, 2)
	var got []string
	chk, err := NewCheck(l)
	require.NoError(t, err)
	require.NoError(t, chk.Start(func(*Check) { got = append(got, "check") }))
	chk.Unref()
	require.NoError(t, ts[0].Start(0, 0, func(*Timer) {
		got = append(got, "a")
		assert.NoError(t, ts[1].Start(0, 0, func(*Timer) { got = append(got, "b") }))
	}))
	runLoop(t, l, RunDefault)
	require.NotEmpty(t, got)
	assert.Equal(t, []string{"a", "b"}, got[:2])
}

// Stopping the first of two timers leaves the loop waiting for the second:
// the backend timeout follows it, and RunOnce returns after the second
// fired, not at the first's deadline.
func TestTimerQueueStopFirst(t *testing.T) {
	l := newLoop(t)
	ts := newTimers(t, l, 2)
	var fired []int
	require.NoError(t, ts[0].Start(20*time.Millisecond, 0, func(*Timer) { fired = append(fired, 0) }))
	require.NoError(t, ts[1].Start(60*time.Millisecond, 0, func(*Timer) { fired = append(fired, 1) }))
	assert.True(t, runLoop(t, l, RunNoWait)) // see TestLoopBackendTimeout
	assert.LessOrEqual(t, l.BackendTimeout(), 20*time.Millisecond)
	require.NoError(t, ts[0].Stop())
	assert.Greater(t, l.BackendTimeout(), 20*time.Millisecond)
	start := l.Now()
	assert.False(t, runLoop(t, l, RunOnce))
	assert.Equal(t, []int{1}, fired)
	assert.GreaterOrEqual(t, l.Now()-start, 40*time.Millisecond)
	assert.False(t, l.Alive())
}

// An unreferenced started timer does not keep the loop alive, still fires
// while something else does, and a referenced one does keep it alive, also
// as seen from inside a timer callback.
func TestTimerQueueRef(t *testing.T) {
	l := newLoop(t)
	ts := newTimers(t, l, 2)
	var got []string
	require.NoError(t, ts[0].Start(time.Millisecond, 0, func(*Timer) {
		got = append(got, "unref")
		assert.True(t, l.Alive(), "a referenced timer is still started")
	}))
	ts[0].Unref()
	assert.False(t, l.Alive())
	require.NoError(t, ts[1].Start(20*time.Millisecond, 0, func(*Timer) { got = append(got, "ref") }))
	assert.True(t, l.Alive())
	ts[1].Unref()
	assert.False(t, l.Alive())
	ts[1].Ref()
	assert.True(t, l.Alive())
	assert.True(t, ts[1].HasRef())
	assert.False(t, ts[0].HasRef())
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Equal(t, []string{"unref", "ref"}, got)
}

// A panic in one timer's callback stops the loop; the timers due in the
// same iteration still run, as in libuv, and Run re-raises the panic.
func TestTimerQueuePanic(t *testing.T) {
	l := newLoop(t)
	ts := newTimers(t, l, 3)
	var got []int
	for i, tm := range ts {
		require.NoError(t, tm.Start(time.Millisecond, 0, func(*Timer) {
			got = append(got, i)
			if i == 1 {
				panic("boom")
			}
		}))
	}
	p := runPanic(t, l, RunDefault)
	assert.Equal(t, "boom", p.Value)
	assert.Equal(t, []int{0, 1, 2}, got)
	assert.False(t, runLoop(t, l, RunDefault))
}

// Starting and stopping a timer over and over leaves dead entries behind;
// the queue drops them, so it stays as small as the started timers.
func TestTimerQueueDeadEntries(t *testing.T) {
	l := newLoop(t)
	ts := newTimers(t, l, 10)
	for i := range 100_000 {
		tm := ts[i%len(ts)]
		require.NoError(t, tm.Start(time.Duration(1+i%1000)*time.Hour, 0, func(*Timer) {}))
		if i%3 == 0 {
			require.NoError(t, tm.Stop())
		}
	}
	q := &l.timers
	assert.LessOrEqual(t, q.n, 2*len(ts)+130)
	assert.LessOrEqual(t, len(q.chunks), 1)
	live := 0
	for _, tm := range ts {
		if tm.IsActive() {
			live++
		}
	}
	assert.Equal(t, live, q.live)
	for _, tm := range ts {
		require.NoError(t, tm.Close(nil))
	}
	assert.False(t, runLoop(t, l, RunDefault))
	assert.Zero(t, l.timers.n)
}

// Walk sees every timer, started or not, and the started ones as active.
func TestTimerQueueWalk(t *testing.T) {
	l := newLoop(t)
	ts := newTimers(t, l, 3)
	require.NoError(t, ts[1].Start(time.Hour, 0, func(*Timer) {}))
	var active []bool
	l.Walk(func(h Handle) {
		if tm, ok := h.(*Timer); ok {
			active = append(active, tm.IsActive())
		}
	})
	assert.Equal(t, []bool{false, true, false}, active)
	err := l.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timer (active)")
}

// A million timers through the queue, as bench/timers does, in short: each
// fires once, and the queue's chunks are given back as it drains.
func TestTimerQueueMany(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	l := newLoop(t)
	const n = 100_000
	fired := 0
	cb := func(*Timer) { fired++ }
	ts := newTimers(t, l, n)
	for i, tm := range ts {
		require.NoError(t, tm.Start(time.Duration(i%50)*time.Millisecond, 0, cb))
	}
	assert.Equal(t, n, l.timers.n)
	runLoop(t, l, RunDefault)
	assert.Equal(t, n, fired)
	assert.Zero(t, l.timers.n)
	assert.LessOrEqual(t, len(l.timers.chunks), 1)
	for _, tm := range ts {
		require.NoError(t, tm.Close(nil))
	}
}

// Random starts, stops, restarts, repeat changes, unrefs and closes, from
// callbacks and before Run, checked against a model of libuv 1.44's timer
// heap: every callback must be for the earliest started timer by (deadline,
// start order), at or after its deadline, and IsActive and DueIn must agree
// with the model after every operation.
func TestTimerQueueModel(t *testing.T) {
	for seed := range uint64(8) {
		t.Run("seed="+itoa(int(seed)), func(t *testing.T) { timerModelRun(t, seed) })
	}
}

// modelFires is how many callbacks each seed of TestTimerQueueModel runs.
const modelFires = 500

type modelTimer struct {
	active, closed bool
	due, seq, rep  uint64
}

func timerModelRun(t *testing.T, seed uint64) {
	l := newLoop(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	ts := newTimers(t, l, 40)
	model := make([]modelTimer, len(ts))
	var seq uint64
	now := func() uint64 { return uint64(l.Now() / time.Millisecond) }
	fires, bad := 0, 0
	var cb func(*Timer)
	index := func(tm *Timer) int { return slices.Index(ts, tm) }
	start := func(i int, due, rep uint64) {
		seq++
		model[i] = modelTimer{active: true, due: due, seq: seq, rep: rep}
	}
	check := func(i int) {
		m := model[i]
		if m.closed {
			return
		}
		if ts[i].IsActive() != m.active {
			bad++
			t.Errorf("timer %d: IsActive %v, model %v", i, ts[i].IsActive(), m.active)
		}
		want := time.Duration(0)
		if m.due > now() {
			want = time.Duration(m.due-now()) * time.Millisecond
		}
		if m.seq != 0 && ts[i].DueIn() != want {
			bad++
			t.Errorf("timer %d: DueIn %v, model %v", i, ts[i].DueIn(), want)
		}
	}
	op := func() {
		i := rng.IntN(len(ts))
		if model[i].closed {
			return
		}
		tm := ts[i]
		switch k := rng.IntN(20); {
		case k < 8:
			timeout, rep := uint64(rng.IntN(15)), uint64(0)
			if rng.IntN(3) == 0 {
				rep = uint64(1 + rng.IntN(8))
			}
			assert.NoError(t, tm.Start(time.Duration(timeout)*time.Millisecond, time.Duration(rep)*time.Millisecond, cb))
			start(i, now()+timeout, rep)
		case k < 12:
			assert.NoError(t, tm.Stop())
			model[i].active = false
		case k < 14:
			err := tm.Again()
			if model[i].seq == 0 {
				assert.Error(t, err, "Again on a timer never started")
			} else if assert.NoError(t, err) && model[i].rep != 0 {
				start(i, now()+model[i].rep, model[i].rep)
			}
		case k < 16:
			rep := uint64(rng.IntN(6))
			tm.SetRepeat(time.Duration(rep) * time.Millisecond)
			model[i].rep = rep
		case k < 18:
			if rng.IntN(2) == 0 {
				tm.Unref()
			} else {
				tm.Ref()
			}
		default:
			if rng.IntN(4) == 0 {
				assert.NoError(t, tm.Close(nil))
				model[i].closed, model[i].active = true, false
			}
		}
		check(i)
	}
	cb = func(tm *Timer) {
		i := index(tm)
		n := now()
		first := -1
		for j, m := range model {
			if m.active && (first < 0 || m.due < model[first].due || m.due == model[first].due && m.seq < model[first].seq) {
				first = j
			}
		}
		if first != i || model[i].due > n {
			bad++
			t.Errorf("fired timer %d (due %d, seq %d) at %d; the model's first is %d", i, model[i].due, model[i].seq, n, first)
		}
		if model[i].rep != 0 {
			start(i, n+model[i].rep, model[i].rep)
		} else {
			model[i].active = false
		}
		check(i)
		fires++
		if fires >= modelFires || bad > 5 {
			for j := range ts {
				if !model[j].closed {
					assert.NoError(t, ts[j].Close(nil))
					model[j].closed = true
				}
			}
			return
		}
		for range rng.IntN(4) {
			op()
		}
	}
	for range 60 {
		op()
	}
	// Keep the loop alive while unref'd timers are the only ones started.
	keep, err := NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, keep.Start(time.Hour, 0, func(*Timer) {}))
	for fires < modelFires && bad <= 5 && slices.ContainsFunc(model, func(m modelTimer) bool { return !m.closed }) {
		started := 0
		for _, m := range model {
			if m.active {
				started++
			}
		}
		if started == 0 {
			op()
			continue
		}
		runLoop(t, l, RunOnce)
	}
	assert.NoError(t, keep.Close(nil))
	runLoop(t, l, RunDefault)
	assert.Zero(t, l.timers.n)
}
