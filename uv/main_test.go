package uv

import (
	"os"
	"testing"
)

// TestMain lets the test binary be its own child process, as libuv's test
// runner is ("spawn_helper1"...): run with the arguments childArg and a
// helper's name, it runs that helper (process_test.go) and exits.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == childArg {
		os.Exit(runChild(os.Args[2], os.Args[3:]))
	}
	os.Exit(m.Run())
}
