package uvhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/stretchr/testify/assert"
)

// TestNetHTTPPoolFull: with one handler goroutine and a queue of one,
// twenty connections at once are all served, never more than one handler
// at a time; the connections that find the pool full stop reading until
// a worker frees, and are served then.
func TestNetHTTPPoolFull(t *testing.T) {
	var running, most atomic.Int32
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		running.Add(-1)
		io.WriteString(w, r.URL.Path)
	})
	s := nhServeUV(t, h, func(s *uvhttp.Server) { s.HandlerGoroutines, s.HandlerQueue = 1, 1 })
	const n = 20
	done := make(chan string, n)
	for i := range n {
		c, br := nhDial(t, s.addr)
		go func() { // no require here: not the test's goroutine
			io.WriteString(c, nhLines(fmt.Sprintf("GET /%d HTTP/1.1", i), "Host: x"))
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				done <- err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			done <- string(b)
		}()
	}
	got := map[string]bool{}
	for range n {
		release <- struct{}{}
		got[<-done] = true
	}
	assert.Len(t, got, n)
	assert.Equal(t, int32(1), most.Load())
}
