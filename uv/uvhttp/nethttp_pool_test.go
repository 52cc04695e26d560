package uvhttp

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPoolBounded: at most size functions run and queue wait; past that
// submit refuses, and a waiter is called once a worker frees.
func TestPoolBounded(t *testing.T) {
	p := newPool(2, 1)
	defer p.stop()
	release := make(chan struct{})
	var running, ran atomic.Int32
	var started sync.WaitGroup
	started.Add(2)
	block := func() {
		running.Add(1)
		started.Done()
		<-release
		running.Add(-1)
		ran.Add(1)
	}
	require.True(t, p.submit(block))
	require.True(t, p.submit(block))
	started.Wait()
	queued := make(chan struct{})
	require.True(t, p.submit(func() { ran.Add(1); close(queued) }))
	woken := make(chan struct{})
	assert.False(t, p.submitOr(func() { t.Error("ran past the bound") }, func() { close(woken) }))
	assert.Equal(t, int32(2), running.Load())
	release <- struct{}{}
	<-woken
	<-queued
	close(release)
	assert.Eventually(t, func() bool { return ran.Load() == 3 }, 5*time.Second, time.Millisecond)
}

// TestPoolStop: stop lets the workers exit.
func TestPoolStop(t *testing.T) {
	before := runtime.NumGoroutine()
	p := newPool(8, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		require.True(t, p.submit(wg.Done))
	}
	wg.Wait()
	p.stop()
	// Polled here: assert.Eventually's own goroutine would be counted.
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); n > before && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, n, before, "pool goroutines left")
}

// BenchmarkPool measures what the pool's size buys: b.N tasks submitted
// by one goroutine (as a loop does), retried through wait when the pool is
// full. "cpu" tasks compute for about a microsecond (a trivial handler);
// "io" tasks block for 100 µs (a handler waiting on a database). The
// figures are in DefaultHandlerGoroutines' comment.
func BenchmarkPool(b *testing.B) {
	spin := func() {
		x := 0
		for i := range 300 {
			x += i * i
		}
		sink.Add(int64(x))
	}
	sleep := func() { time.Sleep(100 * time.Microsecond) }
	for _, kind := range []struct {
		name string
		f    func()
	}{{"cpu", spin}, {"io", sleep}} {
		for _, size := range []int{1, 2, 8, 64, 256, 1024, 4096} {
			b.Run(kind.name+"/size="+itoa(size), func(b *testing.B) {
				p := newPool(size, size)
				defer p.stop()
				var wg sync.WaitGroup
				free := make(chan struct{}, 1)
				task := func() { kind.f(); wg.Done() }
				wake := func() {
					select {
					case free <- struct{}{}:
					default:
					}
				}
				b.ReportAllocs()
				for range b.N {
					wg.Add(1)
					for !p.submitOr(task, wake) {
						<-free
					}
				}
				wg.Wait()
			})
		}
	}
}

var sink atomic.Int64

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

// BenchmarkPoolMemory reports the memory a busy worker holds (its stack,
// StackInuse, and its heap share), with 1024 workers parked in a handler
// that has used 4 KiB of stack.
func BenchmarkPoolMemory(b *testing.B) {
	const size = 1024
	for range b.N {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		p := newPool(size, 1)
		release := make(chan struct{})
		var started sync.WaitGroup
		started.Add(size)
		for range size {
			p.submit(func() { useStack(4 << 10); started.Done(); <-release })
		}
		started.Wait()
		runtime.ReadMemStats(&m1)
		b.ReportMetric(float64(m1.StackInuse-m0.StackInuse)/size, "stack-B/worker")
		b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/size, "heap-B/worker")
		close(release)
		p.stop()
	}
}

// useStack uses about n bytes of stack.
func useStack(n int) byte {
	var buf [512]byte
	buf[n%512] = byte(n)
	if n > 512 {
		return useStack(n-512) + buf[0]
	}
	return buf[0]
}
