package uvhttp_test

import (
	"github.com/gouv/gouv/uv"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// leaks is what the process had before a server started: goroutines and
// open fds, which must come back to it once the server is gone.
type leaks struct {
	goroutines, fds int
}

func snapshot() leaks {
	// libuv opens a pipe for its signal lock at the first loop, and the
	// runtime's netpoller its fds at the first network use: once each.
	if l, err := uv.NewLoop(); err == nil {
		l.Close()
	}
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	return leaks{runtime.NumGoroutine(), countFds()}
}

func countFds() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// check waits up to 5 s for the counts to come back (clients' goroutines
// and sockets end asynchronously) and then compares them.
func (l leaks) check(t *testing.T) {
	t.Helper()
	var g, f int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		g, f = runtime.NumGoroutine(), countFds()
		if g <= l.goroutines && f <= l.fds {
			return
		}
		time.Sleep(20 * time.Millisecond) // polling an end, not synchronising
	}
	assert.LessOrEqual(t, g, l.goroutines, "goroutines left")
	assert.LessOrEqual(t, f, l.fds, "fds left: %v", fdList())
}

// fdList names the open fds, for a failure's message.
func fdList() []string {
	ents, _ := os.ReadDir("/proc/self/fd")
	var out []string
	for _, e := range ents {
		dst, _ := os.Readlink("/proc/self/fd/" + e.Name())
		out = append(out, e.Name()+"->"+dst)
	}
	return out
}
