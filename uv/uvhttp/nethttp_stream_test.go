package uvhttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Memory bounds of the net/http face, both ways, against net/http's own
// Server: a handler streaming to a client that does not read, and a client
// streaming a body to a handler that does not read. Each waits until the
// writer is stuck, then measures the live heap (after a collection)
// against the heap before: it must stay small, whatever is left to send.

// liveHeap returns the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// stalled polls n until it has not moved for 300 ms, and returns it.
func stalled(t *testing.T, n *atomic.Int64) int64 {
	last, since := n.Load(), time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond) // polling progress, not synchronising
		if v := n.Load(); v != last {
			last, since = v, time.Now()
		} else if time.Since(since) > 300*time.Millisecond {
			return v
		}
	}
	t.Fatal("the writer never stalled")
	return 0
}

const maxHeapGrowth = 16 << 20

// TestNetHTTPStreamSlowReader: a handler writes 64 MiB to a client that
// reads nothing for a while, in flushed pieces (stream) or in one Write
// (one): its Write blocks once the connection's queue and the sockets are
// full, and the server holds at most the queue's bound (writeQueueBytes,
// 128 KiB) of it besides the handler's own buffer.
func TestNetHTTPStreamSlowReader(t *testing.T) {
	const piece = 32 << 10
	total := int64(64 << 20)
	if raceOn {
		total = 32 << 20
	}
	var written atomic.Int64
	mk := func() http.Handler {
		written.Store(0)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := make([]byte, piece)
			for i := range p {
				p[i] = byte(i)
			}
			if r.URL.Path == "/one" { // a single Write of it all
				big := make([]byte, total)
				written.Add(total / 2) // moves once the Write returns
				if _, err := w.Write(big); err == nil {
					written.Add(total - total/2)
				}
				return
			}
			for n := int64(0); n < total; n += piece {
				if _, err := w.Write(p); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				written.Add(piece)
			}
		})
	}
	for _, path := range []string{"/stream", "/one"} {
		t.Run(path[1:], func(t *testing.T) { streamSlowReader(t, mk, path, total, &written) })
	}
}

func streamSlowReader(t *testing.T, mk func() http.Handler, path string, total int64, written *atomic.Int64) {
	type result struct {
		Blocked, Bounded bool
		Got              int64
	}
	uv, std := nhBoth(t, mk, func(t *testing.T, s *nhServed) result {
		before := liveHeap()
		if path == "/one" {
			before += uint64(total) // the handler's own buffer
		}
		c, br := nhDial(t, s.addr)
		c.SetDeadline(time.Now().Add(60 * time.Second))
		io.WriteString(c, nhLines("GET "+path+" HTTP/1.1", "Host: x"))
		w := stalled(t, written)
		grew := int64(liveHeap()) - int64(before)
		t.Logf("%s: handler blocked after %d MiB of %d; live heap grew %d KiB", s.name, w>>20, total>>20, grew>>10)
		resp, err := http.ReadResponse(bufio.NewReaderSize(br, 64<<10), nil)
		require.NoError(t, err)
		got, err := io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		return result{Blocked: w < total, Bounded: grew < maxHeapGrowth, Got: got}
	})
	assert.Equal(t, result{true, true, total}, uv)
	assert.Equal(t, std, uv)
}

// TestNetHTTPLargeBodySlowHandler: a client sends a 1 GiB body (64 MiB
// under the race detector) to a handler that reads 1 MiB, then nothing
// until the client is stuck, then the rest: the connection stops reading
// past the body's buffer bound (256 KiB) and memory stays bounded.
func TestNetHTTPLargeBodySlowHandler(t *testing.T) {
	total := int64(1 << 30)
	if raceOn {
		total = 64 << 20
	}
	var sent atomic.Int64
	var paused, release chan struct{}
	mk := func() http.Handler {
		paused, release = make(chan struct{}), make(chan struct{})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, err := io.CopyN(io.Discard, r.Body, 1<<20)
			close(paused)
			<-release
			m, err2 := io.Copy(io.Discard, r.Body)
			fmt.Fprintf(w, "%d %v %v", n+m, err, err2)
		})
	}
	type result struct {
		Blocked, Bounded bool
		Answer           string
	}
	uv, std := nhBoth(t, mk, func(t *testing.T, s *nhServed) result {
		sent.Store(0)
		before := liveHeap()
		c, br := nhDial(t, s.addr)
		c.SetDeadline(time.Now().Add(120 * time.Second))
		done := make(chan error, 1)
		go func() {
			_, err := io.WriteString(c, nhLines("POST /upload HTTP/1.1", "Host: x", "Content-Length: "+strconv.FormatInt(total, 10)))
			p := make([]byte, 256<<10)
			for n := int64(0); n < total && err == nil; n += int64(len(p)) {
				_, err = c.Write(p)
				sent.Add(int64(len(p)))
			}
			done <- err
		}()
		<-paused
		w := stalled(t, &sent)
		grew := int64(liveHeap()) - int64(before)
		t.Logf("%s: client blocked after %d MiB of %d; live heap grew %d KiB", s.name, w>>20, total>>20, grew>>10)
		close(release)
		require.NoError(t, <-done)
		resp := nhRead(t, br, "POST")
		return result{Blocked: w < total, Bounded: grew < maxHeapGrowth, Answer: resp.Body}
	})
	assert.Equal(t, result{true, true, fmt.Sprintf("%d <nil> <nil>", total)}, uv)
	assert.Equal(t, std, uv)
}
