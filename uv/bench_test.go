package uv

import (
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

const benchPosters = 8

// One timer start and fire per op, on one loop: the callback restarts the
// timer with a 0 ms timeout until b.N callbacks have run. (On libuv 1.44 a
// timer restarted with 0 ms from its callback fires again in the same
// timer phase; from 1.45 on, in the next iteration.)
func BenchmarkTimerStartFire(b *testing.B) {
	l := newLoop(b)
	tm, err := NewTimer(l)
	require.NoError(b, err)
	n := 0
	var cb func(*Timer)
	cb = func(tm *Timer) {
		n++
		if n < b.N {
			if err := tm.Start(0, 0, cb); err != nil {
				b.Error(err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	require.NoError(b, tm.Start(0, 0, cb))
	runLoop(b, l, RunDefault)
	b.StopTimer()
	require.Equal(b, b.N, n)
}

// One Post per op, from 8 goroutines, while the loop runs and runs them.
func BenchmarkPost(b *testing.B) {
	l := newLoop(b)
	keep, err := NewAsync(l, nil)
	require.NoError(b, err)
	ran := 0
	f := func() {
		ran++
		if ran == b.N {
			keep.Close(nil)
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range benchPosters {
		count := b.N / benchPosters
		if g < b.N%benchPosters {
			count++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range count {
				if err := l.Post(f); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	close(start)
	runLoop(b, l, RunDefault)
	b.StopTimer()
	wg.Wait()
	require.Equal(b, b.N, ran)
}

// BenchmarkPost's comparison point: the same function sent by 8 goroutines
// over a buffered channel to one receiving goroutine that runs it.
func BenchmarkPostChan(b *testing.B) {
	ch := make(chan func(), 1024)
	ran := 0
	f := func() { ran++ }
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range benchPosters {
		count := b.N / benchPosters
		if g < b.N%benchPosters {
			count++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range count {
				ch <- f
			}
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	close(start)
	for range b.N {
		(<-ch)()
	}
	b.StopTimer()
	wg.Wait()
	require.Equal(b, b.N, ran)
}

// One idle callback, hence one loop iteration, per op.
func BenchmarkIdle(b *testing.B) {
	l := newLoop(b)
	idle, err := NewIdle(l)
	require.NoError(b, err)
	n := 0
	require.NoError(b, idle.Start(func(h *Idle) {
		n++
		if n == b.N {
			if err := h.Stop(); err != nil {
				b.Error(err)
			}
		}
	}))
	b.ReportAllocs()
	b.ResetTimer()
	runLoop(b, l, RunDefault)
	b.StopTimer()
	require.Equal(b, b.N, n)
}

// One UDP datagram round trip per op between two handles of one loop:
// each received datagram is sent back from the receive callback, with
// window datagrams in flight. With UDPRecvMmsg, the datagrams that arrive
// together reach Go in one call.
func benchmarkUDPPingPong(b *testing.B, flags UDPFlags, window int) {
	l := newLoop(b)
	a, err := NewUDPEx(l, flags)
	require.NoError(b, err)
	require.NoError(b, a.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	c, err := NewUDPEx(l, flags)
	require.NoError(b, err)
	require.NoError(b, c.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0))
	aAddr, err := a.LocalAddr()
	require.NoError(b, err)
	cAddr, err := c.LocalAddr()
	require.NoError(b, err)
	n := 0
	echo := func(u *UDP, to netip.AddrPort) func([]byte, netip.AddrPort, UDPFlags, error) {
		return func(p []byte, _ netip.AddrPort, _ UDPFlags, err error) {
			if err != nil {
				b.Error(err)
				return
			}
			if n++; n >= b.N {
				a.Close(nil)
				c.Close(nil)
				return
			}
			if err := u.Send(p, to, nil); err != nil {
				b.Error(err)
			}
		}
	}
	require.NoError(b, a.RecvStart(echo(a, cAddr)))
	require.NoError(b, c.RecvStart(echo(c, aAddr)))
	msg := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for range window {
		require.NoError(b, c.Send(msg, aAddr, nil))
	}
	runLoop(b, l, RunDefault)
	b.StopTimer()
}

func BenchmarkUDPPingPong(b *testing.B)     { benchmarkUDPPingPong(b, 0, 1) }
func BenchmarkUDPPingPong64(b *testing.B)   { benchmarkUDPPingPong(b, 0, 64) }
func BenchmarkUDPPingPongMmsg(b *testing.B) { benchmarkUDPPingPong(b, UDPRecvMmsg, 64) }
