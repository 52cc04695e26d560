// Package hosttest checks a C library hosted on a gouv loop, for the tests
// of examples/embed: the library serves HTTP requests from Go's
// http.Client while a gouv Timer ticks and a gouv TCP echo (uvecho)
// answers on the same loop; then everything shuts down in the order the
// README gives ("Hosting C libraries on a gouv loop"), and Loop.Close
// must return nil.
package hosttest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gouv/gouv/examples/echo/uvecho"
	"github.com/gouv/gouv/uv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Library is what the check drives. Every function runs on the loop's
// goroutine.
type Library struct {
	// Start starts the library on l and returns its base URL,
	// "http://127.0.0.1:port".
	Start func(l *uv.Loop) (string, error)
	// Libs are the files of the loaded libraries that call libuv
	// ("libh2o.so.0"): each must bind to gouv's libuv (OneLibuv).
	Libs []string
	// Paths maps the paths to request to a string each body must hold.
	Paths map[string]string
	// Served returns the requests the library answered.
	Served func() int
	// Stop begins the library's own shutdown: stop listening, ask its
	// connections to end.
	Stop func()
	// Done reports whether the library has no connection left, so that
	// Dispose may run.
	Done func() bool
	// Dispose disposes of the library's context.
	Dispose func() error
}

// Result is what a run measured.
type Result struct {
	Requests, Served, Ticks, Echoes, ForeignClosed int
}

// timeout bounds each phase: a stuck library fails the test.
const timeout = 30 * time.Second

// Run starts lib on a fresh loop and checks it as the package doc says,
// with requests HTTP requests from 4 goroutines.
func Run(t *testing.T, lib Library, requests int) Result {
	l, err := uv.NewLoop()
	require.NoError(t, err)
	var res Result

	// Before Run, on this goroutine: a ticking Timer, the echo, the library.
	tick, err := uv.NewTimer(l)
	require.NoError(t, err)
	require.NoError(t, tick.Start(time.Millisecond, time.Millisecond, func(*uv.Timer) { res.Ticks++ }))
	echo, err := uvecho.New(l, uvecho.Config{Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	base, err := lib.Start(l)
	require.NoError(t, err)
	for _, so := range lib.Libs {
		t.Logf("%s: %d libuv functions bound to gouv's libuv", so, OneLibuv(t, so))
	}

	// The clients, off the loop; the last one to finish stops it.
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	client := &http.Client{Transport: tr, Timeout: timeout}
	var wg sync.WaitGroup
	var echoes int
	paths := make([]string, 0, len(lib.Paths))
	for p := range lib.Paths {
		paths = append(paths, p)
	}
	const workers = 4
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < requests; i += workers {
				p := paths[i%len(paths)]
				body, err := get(client, base+p)
				if !assert.NoError(t, err, "GET %s", p) {
					return
				}
				assert.Contains(t, body, lib.Paths[p], "GET %s", p)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		echoes = echoRoundTrips(t, echo.Addr(), 50)
	}()
	go func() {
		wg.Wait()
		tr.CloseIdleConnections() // the library sees EOF and closes its side
		assert.NoError(t, l.Post(l.Stop))
	}()
	watchdog := time.AfterFunc(timeout, func() { l.Post(l.Stop) })
	_, err = l.Run(uv.RunDefault)
	watchdog.Stop()
	require.NoError(t, err)
	res.Requests, res.Echoes, res.Served = requests, echoes, lib.Served()

	// The library's handles are foreign: Close refuses, names them, and
	// leaves the loop whole.
	err = l.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), " foreign ")

	// 1. gouv's handles.
	require.NoError(t, tick.Close(nil))
	echo.Shutdown()
	// 2. The library: stop, let its connections end, dispose.
	lib.Stop()
	deadline := time.Now().Add(timeout)
	for !lib.Done() && time.Now().Before(deadline) {
		watchdog = time.AfterFunc(time.Second, func() { l.Post(func() {}) })
		_, err = l.Run(uv.RunOnce)
		watchdog.Stop()
		require.NoError(t, err)
	}
	require.True(t, lib.Done(), "the library's connections did not end")
	require.NoError(t, lib.Dispose())
	// 3. The foreign handles left.
	l.WalkForeign(func(f uv.Foreign) {
		if !f.IsClosing() && assert.NoError(t, f.Close(nil)) {
			res.ForeignClosed++
		}
	})
	// 4. Run until nothing is left, 5. Close.
	watchdog = time.AfterFunc(timeout, func() { l.Post(l.Stop) })
	_, err = l.Run(uv.RunDefault)
	watchdog.Stop()
	require.NoError(t, err)
	require.NoError(t, l.Close())
	assert.Positive(t, res.Ticks, "the gouv Timer ticked while the library served")
	assert.Equal(t, 50, res.Echoes, "echo round trips")
	assert.GreaterOrEqual(t, res.Served, requests, "requests the library answered")
	t.Logf("served %d requests, %d echo round trips, %d timer ticks; closed %d foreign handles after dispose",
		res.Served, res.Echoes, res.Ticks, res.ForeignClosed)
	return res
}

func get(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return string(b), &statusError{resp.Status}
	}
	return string(b), err
}

type statusError struct{ status string }

func (e *statusError) Error() string { return "status " + e.status }

// echoRoundTrips sends n lines to the echo at addr and counts those that
// came back intact.
func echoRoundTrips(t *testing.T, addr string, n int) int {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if !assert.NoError(t, err) {
		return 0
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	r := bufio.NewReader(c)
	ok := 0
	for i := range n {
		line := "ping " + strings.Repeat("x", i) + "\n"
		if _, err := io.WriteString(c, line); !assert.NoError(t, err) {
			break
		}
		got, err := r.ReadString('\n')
		if !assert.NoError(t, err) {
			break
		}
		if assert.Equal(t, line, got) {
			ok++
		}
	}
	return ok
}
