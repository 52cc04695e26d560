// Package procstat samples what a long-running process holds: resident
// memory, C heap in use (glibc's mallinfo2), open file descriptors,
// goroutines and OS threads. The soak tests use it to catch growth.
package procstat

/*
#include <malloc.h>

static size_t procstat_cheap(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
*/
import "C"

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
)

// Sample is one reading.
type Sample struct {
	RSS        int64 // resident set size, bytes (VmRSS)
	CHeap      int64 // C heap in use, bytes (mallinfo2 uordblks + hblkhd)
	FDs        int   // open file descriptors
	Goroutines int
	Threads    int // OS threads (Threads in /proc/self/status)
}

// Read takes a sample of the calling process.
func Read() Sample {
	s := Sample{CHeap: int64(C.procstat_cheap()), Goroutines: runtime.NumGoroutine()}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		s.FDs = len(ents) - 1 // ReadDir's own descriptor
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			k, v, ok := bytes.Cut(sc.Bytes(), []byte(":"))
			if !ok {
				continue
			}
			f := bytes.Fields(v)
			if len(f) == 0 {
				continue
			}
			n, _ := strconv.ParseInt(string(f[0]), 10, 64)
			switch string(k) {
			case "VmRSS":
				s.RSS = n << 10 // kB
			case "Threads":
				s.Threads = int(n)
			}
		}
	}
	return s
}

// String prints the sample in MiB, KiB and counts.
func (s Sample) String() string {
	return fmt.Sprintf("RSS %.1f MiB, C heap %.1f KiB, %d fds, %d goroutines, %d threads",
		float64(s.RSS)/(1<<20), float64(s.CHeap)/(1<<10), s.FDs, s.Goroutines, s.Threads)
}
