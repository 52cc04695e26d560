// Package ctimers runs libuv's million_timers shape in plain C, through one
// cgo call, so that Go benchmarks can put C libuv beside gouv and
// time.AfterFunc in one run.
package ctimers

/*
#cgo pkg-config: libuv-static
#include <stdint.h>
int64_t ctimers_run(int n, int max_ms, uint64_t seed);
*/
import "C"

import "time"

// Run arms n one-shot uv_timer_t, each malloc'd, with timeouts drawn from
// 0..maxMs with the given seed, runs a fresh loop until all fired and
// returns the time from arming the first until the loop ended.
func Run(n, maxMs int, seed uint64) time.Duration {
	return time.Duration(C.ctimers_run(C.int(n), C.int(maxMs), C.uint64_t(seed)))
}
