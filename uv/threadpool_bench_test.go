package uv

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// benchInFlight is how many items each thread-pool benchmark keeps in
// flight: each completion on the loop starts the next item.
const benchInFlight = 64

// One item per op through libuv's thread pool: QueueWork with an empty
// work function, its after callback on the loop.
func BenchmarkQueueWork(b *testing.B) {
	l := newLoop(b)
	started, done := 0, 0
	var next func()
	after := func(err error) {
		if err != nil {
			b.Error(err)
		}
		done++
		next()
	}
	next = func() {
		if started < b.N {
			started++
			if _, err := QueueWork(l, func() {}, after); err != nil {
				b.Error(err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range min(benchInFlight, b.N) {
		next()
	}
	runLoop(b, l, RunDefault)
	b.StopTimer()
	require.Equal(b, b.N, done)
}

// The same items the Go way: a goroutine per item runs the (empty) work,
// then Loop.Post's the completion to the loop. An async handle keeps the
// loop alive while goroutines have yet to post.
func BenchmarkGoroutinePost(b *testing.B) {
	l := newLoop(b)
	alive, err := NewAsync(l, func(*Async) {})
	require.NoError(b, err)
	started, done := 0, 0
	var next func()
	after := func() {
		done++
		if done == b.N {
			alive.Close(nil)
		}
		next()
	}
	next = func() {
		if started < b.N {
			started++
			go func() {
				if err := l.Post(after); err != nil {
					b.Error(err)
				}
			}()
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range min(benchInFlight, b.N) {
		next()
	}
	runLoop(b, l, RunDefault)
	b.StopTimer()
	require.Equal(b, b.N, done)
}
