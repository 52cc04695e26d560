package uv

// libuv's tests of TCP references, sockets created early and adopted
// sockets (test-ref.c, test-tcp-create-socket-early.c, test-tcp-open.c;
// row 64 of LIBUV_TESTS.md), each under its libuv name.

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTCPCreateEarlyBadDomain is libuv's tcp_create_early_bad_domain:
// NewTCPEx with a family other than AF_UNSPEC, AF_INET and AF_INET6 is
// EINVAL (libuv checks 47 and 1024). In Go the family is an int, so
// negative values and values past 32 bits are EINVAL too, not truncated
// into a valid family. No handle is left behind.
func TestTCPCreateEarlyBadDomain(t *testing.T) {
	l := newLoop(t)
	for _, family := range []int{47, 1024, -1, syscall.AF_UNIX, 1<<32 | syscall.AF_INET, 1<<8 | syscall.AF_INET6} {
		h, err := NewTCPEx(l, family)
		assert.Nil(t, h, "family %#x", family)
		assertUVError(t, err, "uv_tcp_init_ex", EINVAL)
	}
	assert.Zero(t, l.Stats().Handles)
	assert.False(t, runLoop(t, l, RunDefault))
}
