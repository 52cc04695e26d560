package gobench

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/gouv/gouv/bench/internal/ctimers"
	"github.com/gouv/gouv/uv"
)

// The million_timers shape: each op arms n one-shot timers with random
// timeouts in 0..maxMs and waits until all fired. maxMs is kept small so a
// run takes seconds; bench/timers runs the full 0..1000 ms form.
const (
	timersN     = 1_000_000
	timersMaxMs = 100
)

func timeouts(n, maxMs int) []time.Duration {
	rng := rand.New(rand.NewPCG(1, 0))
	d := make([]time.Duration, n)
	for i := range d {
		d[i] = time.Duration(rng.IntN(maxMs+1)) * time.Millisecond
	}
	return d
}

func BenchmarkMillionTimers(b *testing.B) {
	ds := timeouts(timersN, timersMaxMs)
	name := func(impl string) string { return fmt.Sprintf("impl=%s/n=%d", impl, timersN) }
	b.Run(name("uv"), func(b *testing.B) {
		for b.Loop() {
			uvTimers(b, ds)
		}
	})
	b.Run(name("afterfunc"), func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Add(len(ds))
			for _, d := range ds {
				time.AfterFunc(d, wg.Done)
			}
			wg.Wait()
		}
	})
	b.Run(name("c"), func(b *testing.B) {
		for b.Loop() {
			if ctimers.Run(timersN, timersMaxMs, 1) < 0 {
				b.Fatal("C timers did not all fire")
			}
		}
	})
}

func uvTimers(b *testing.B, ds []time.Duration) {
	l, err := uv.NewLoop()
	if err != nil {
		b.Fatal(err)
	}
	fired := 0
	cb := func(t *uv.Timer) { fired++; t.Close(nil) }
	for _, d := range ds {
		t, err := uv.NewTimer(l)
		if err != nil {
			b.Fatal(err)
		}
		if err := t.Start(d, 0, cb); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		b.Fatal(err)
	}
	if fired != len(ds) {
		b.Fatalf("fired %d of %d", fired, len(ds))
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTimerStartFire is one timer armed with a 0 timeout and fired:
// the callback round trip.
func BenchmarkTimerStartFire(b *testing.B) {
	l, err := uv.NewLoop()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	t, err := uv.NewTimer(l)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	var cb func(*uv.Timer)
	cb = func(t *uv.Timer) {
		n++
		if n < b.N {
			t.Start(0, 0, cb)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	t.Start(0, 0, cb)
	l.Run(uv.RunDefault)
	b.StopTimer()
	t.Close(nil)
	l.Run(uv.RunDefault)
}
