// Command demo shows a libuv loop driven from Go: a repeating timer, an
// idle handle counting loop iterations, and work posted from other
// goroutines, then prints what happened.
package main

import (
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/gouv/gouv/uv"
)

func main() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	start := uv.HRTime()
	ticks, iterations, posted := 0, 0, 0

	idle, err := uv.NewIdle(l)
	if err != nil {
		log.Fatal(err)
	}
	must(idle.Start(func(*uv.Idle) { iterations++ }))

	timer, err := uv.NewTimer(l)
	if err != nil {
		log.Fatal(err)
	}
	must(timer.Start(10*time.Millisecond, 10*time.Millisecond, func(t *uv.Timer) {
		ticks++
		if ticks == 5 {
			t.Close(nil)
			idle.Close(nil)
		}
	}))

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				must(l.Post(func() { posted++ }))
			}
			_ = g
		}()
	}
	wg.Wait()

	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	must(l.Close())
	fmt.Printf("libuv %s: 5 timer ticks in %v, %d idle iterations, %d functions posted from 4 goroutines ran\n",
		uv.Version(), (uv.HRTime() - start).Round(time.Millisecond), iterations, posted)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
