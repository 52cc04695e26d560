//go:build uvdebug

package uv

/*
#cgo CFLAGS: -DUVGO_DEBUG
#include "uvgo.h"
*/
import "C"

// Allocation faults, for the package's tests in uvdebug builds
// (uvgo_fault.c): every allocation of the binding's C goes through
// uvgo_malloc or uvgo_calloc, which fail on demand.

// setAllocFault makes the nth allocation from now fail (n >= 1), and
// every one after it as well when after is set. n = 0 turns faults off;
// n = -1 only counts allocations (allocCount).
func setAllocFault(n int64, after bool) {
	a := C.int(0)
	if after {
		a = 1
	}
	C.uvgo_alloc_fault(C.int64_t(n), a)
}

// allocCount returns the allocations made since setAllocFault (counted
// only while a fault or counting is armed), failed ones included.
func allocCount() int64 { return int64(C.uvgo_alloc_count()) }

// allocFailed returns how many allocations failed since setAllocFault.
func allocFailed() int64 { return int64(C.uvgo_alloc_failed()) }
