package uv

/*
#include "uvgo.h"
*/
import "C"

import "time"

// Version returns the version of the linked libuv, "1.44.2"
// (uv_version_string).
func Version() string { return C.GoString(C.uv_version_string()) }

// VersionHex returns the linked libuv's version as 0xMMmmpp (uv_version).
func VersionHex() uint32 { return uint32(C.uv_version()) }

// HRTime returns a monotonic high-resolution time, in nanoseconds from an
// arbitrary point in the past (uv_hrtime). It is not tied to a loop.
func HRTime() time.Duration { return time.Duration(C.uv_hrtime()) }
