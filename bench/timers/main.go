// Command timers is libuv's million_timers benchmark on gouv and on Go's
// time.AfterFunc: n one-shot timers with random timeouts in 0..max ms,
// armed at once; it prints the time from arming the first until the last
// fired, and the process's peak RSS. bench/c/million_timers.c is the same
// on C libuv.
//
//	go run ./bench/timers -impl uv
//	go run ./bench/timers -impl afterfunc
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gouv/gouv/uv"
)

func main() {
	impl := flag.String("impl", "uv", "uv or afterfunc")
	n := flag.Int("n", 1_000_000, "number of timers")
	maxMs := flag.Int("max", 1000, "largest timeout in milliseconds")
	seed := flag.Uint64("seed", 1, "random seed for the timeouts")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	rng := rand.New(rand.NewPCG(*seed, 0))
	next := func() time.Duration { return time.Duration(rng.IntN(*maxMs+1)) * time.Millisecond }
	var elapsed time.Duration
	cpu0 := cpuTime()
	switch *impl {
	case "uv":
		elapsed = runUV(*n, next)
	case "afterfunc":
		elapsed = runAfterFunc(*n, next)
	default:
		log.Fatalf("unknown -impl %q", *impl)
	}
	cpu := cpuEnd - cpu0
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("million_timers impl=%s fired=%d seconds=%.3f maxrss_mib=%d cpu_s=%.3f arm_s=%.3f\n",
		*impl, *n, elapsed.Seconds(), ru.Maxrss/1024, cpu.Seconds(), armed.Seconds())
}

// armed is the time arming took (the loop creating and starting every
// timer).
var armed time.Duration

// cpuEnd is the process's CPU time when the last timer had fired.
var cpuEnd time.Duration

// cpuTime returns the process's CPU time, user and system, every thread.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runUV arms n uv.Timers with timeouts from next on one loop, as an
// application would, and runs the loop until all fired; closing them is
// not timed. Like bench/c/million_timers.c, it keeps the timers in an
// array to close them afterwards.
func runUV(n int, next func() time.Duration) time.Duration {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	fired := 0
	cb := func(*uv.Timer) { fired++ }
	timers := make([]*uv.Timer, n)
	start := time.Now()
	for i := range timers {
		t, err := uv.NewTimer(l)
		if err != nil {
			log.Fatal(err)
		}
		if err := t.Start(next(), 0, cb); err != nil {
			log.Fatal(err)
		}
		timers[i] = t
	}
	armed = time.Since(start)
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	elapsed := time.Since(start)
	cpuEnd = cpuTime()
	if fired != n {
		log.Fatalf("fired %d of %d", fired, n)
	}
	for _, t := range timers {
		t.Close(nil)
	}
	l.Run(uv.RunDefault)
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	return elapsed
}

// runAfterFunc is the same on the Go runtime's timers.
func runAfterFunc(n int, next func() time.Duration) time.Duration {
	var fired atomic.Int64
	var wg sync.WaitGroup
	wg.Add(n)
	f := func() { fired.Add(1); wg.Done() }
	start := time.Now()
	for range n {
		time.AfterFunc(next(), f)
	}
	armed = time.Since(start)
	wg.Wait()
	elapsed := time.Since(start)
	cpuEnd = cpuTime()
	return elapsed
}
