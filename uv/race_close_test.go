package uv

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The entry points documented as safe from any goroutine, racing Close on
// the loop's goroutine (issue 16); these tests mean most under -race,
// which make test runs.

// closeWhenDrained runs l without blocking until Close succeeds: Close is
// refused (EBUSY) while posted functions wait, and must not be refused for
// anything else.
func closeWhenDrained(t *testing.T, l *Loop) {
	t.Helper()
	for {
		_, err := l.Run(RunNoWait)
		require.NoError(t, err)
		err = l.Close()
		if err == nil {
			return
		}
		require.ErrorIs(t, err, EBUSY)
	}
}

// Several goroutines post in a tight loop while the loop closes, over many
// rounds: every Post that returned nil ran, every other one returned
// ErrLoopClosed.
func TestPostRaceClose(t *testing.T) {
	const rounds, posters, most = 50, 4, 5000
	for range rounds {
		l, err := NewLoop()
		require.NoError(t, err)
		var (
			ran      int // on the loop's goroutine, this one
			accepted atomic.Int64
			bad      atomic.Value
			wg       sync.WaitGroup
		)
		for range posters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range most {
					err := l.Post(func() { ran++ })
					if err != nil {
						if !errors.Is(err, ErrLoopClosed) {
							bad.Store(err)
						}
						return
					}
					accepted.Add(1)
				}
			}()
		}
		for accepted.Load() < 100 { // the posters are at it
			runtime.Gosched()
		}
		closeWhenDrained(t, l)
		wg.Wait()
		require.Nil(t, bad.Load(), "Post returned another error than ErrLoopClosed")
		require.Equal(t, int(accepted.Load()), ran, "every accepted post ran")
	}
}

// Goroutines Send on an Async while the loop closes it, then itself: each
// Send returns nil or ErrClosed.
func TestAsyncSendRaceClose(t *testing.T) {
	const rounds, senders = 50, 4
	for range rounds {
		l, err := NewLoop()
		require.NoError(t, err)
		a, err := NewAsync(l, func(*Async) {})
		require.NoError(t, err)
		var (
			bad  atomic.Value
			sent atomic.Int64
			wg   sync.WaitGroup
		)
		for range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					err := a.Send()
					if err != nil {
						if !errors.Is(err, ErrClosed) {
							bad.Store(err)
						}
						return
					}
					sent.Add(1)
				}
			}()
		}
		for sent.Load() < 100 {
			_, err := l.Run(RunNoWait)
			require.NoError(t, err)
			runtime.Gosched()
		}
		require.NoError(t, a.Close(nil))
		closeWhenDrained(t, l)
		wg.Wait()
		require.Nil(t, bad.Load(), "Send returned another error than ErrClosed")
	}
}

// The signal feed, a goroutine of os/signal's, wakes Signals on loops
// that stop, close and are closed meanwhile.
func TestSignalFeedRaceClose(t *testing.T) {
	const rounds = 50
	// Keep SIGUSR1 caught for the whole test, so that a raise between two
	// rounds, with no Signal started, does not end the process.
	keep := make(chan os.Signal, 1)
	signal.Notify(keep, syscall.SIGUSR1)
	defer signal.Stop(keep)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			assert.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR1))
			runtime.Gosched()
		}
	}()
	for range rounds {
		l, err := NewLoop()
		require.NoError(t, err)
		var got int
		s, err := NewSignal(l)
		require.NoError(t, err)
		require.NoError(t, s.Start(syscall.SIGUSR1, func(s *Signal, _ syscall.Signal) {
			if got++; got == 3 {
				assert.NoError(t, s.Close(nil))
			}
		}))
		runLoop(t, l, RunDefault)
		assert.GreaterOrEqual(t, got, 3)
		closeWhenDrained(t, l)
	}
	close(done)
	wg.Wait()
}
