package gobench

import (
	"sync"
	"testing"

	"github.com/gouv/gouv/uv"
)

const posters = 8

// BenchmarkPost measures Loop.Post from 8 goroutines into a running loop;
// one op is one posted function run on the loop.
func BenchmarkPost(b *testing.B) {
	b.Run("impl=post", benchPost)
	b.Run("impl=chan", benchChan)
}

func benchPost(b *testing.B) {
	l, err := uv.NewLoop()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	// A ref'd async keeps the loop running until the last post closes it.
	keep, err := uv.NewAsync(l, nil)
	if err != nil {
		b.Fatal(err)
	}
	ran := 0
	f := func() {
		ran++
		if ran == b.N {
			keep.Close(nil)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := i; j < b.N; j += posters {
				if err := l.Post(f); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		b.Fatal(err)
	}
	wg.Wait()
}

// benchChan is the same with a buffered channel of funcs drained by one
// goroutine, what Go code would do without a loop.
func benchChan(b *testing.B) {
	ch := make(chan func(), 1024)
	done := make(chan struct{})
	ran := 0
	f := func() { ran++ }
	go func() {
		for g := range ch {
			g()
		}
		close(done)
	}()
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := i; j < b.N; j += posters {
				ch <- f
			}
		}()
	}
	wg.Wait()
	close(ch)
	<-done
}
