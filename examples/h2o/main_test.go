package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gouv/gouv/uv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// curl fetches url with the given options and returns the body and the
// HTTP version curl used ("1.1", "2").
func curl(t *testing.T, url string, opts ...string) (body, version string) {
	args := append([]string{"-sS", "--max-time", "20", "-w", "\n%{http_version}"}, opts...)
	out, err := exec.Command("curl", append(args, url)...).Output()
	require.NoError(t, err, "curl %v %s", opts, url)
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	return s[:i], s[i+1:]
}

// The example serves HTTP/1.1 and HTTP/2 over cleartext (h2c, prior
// knowledge) through h2o, from C ("/") and from Go ("/go"), while its
// Timer runs; curl checks each; then it shuts down and closes its loop.
func TestH2OExample(t *testing.T) {
	_, err := exec.LookPath("curl")
	require.NoError(t, err, "curl is needed: make deps installs it")
	var out bytes.Buffer
	port := make(chan int, 1)
	done := make(chan error, 1)
	var l *uv.Loop
	var stop func()
	go func() {
		done <- run(0, &out, func(lp *uv.Loop, s func()) {
			l, stop = lp, s
			m := regexp.MustCompile(`:(\d+)\n`).FindStringSubmatch(out.String())
			p, _ := strconv.Atoi(m[1])
			port <- p
		})
	}()
	base := "http://127.0.0.1:" + strconv.Itoa(<-port)
	for _, c := range []struct {
		path, want, version string
		opts                []string
	}{
		{"/", "hello from h2o", "1.1", []string{"--http1.1"}},
		{"/go", "hello from Go on the gouv loop: /go", "1.1", []string{"--http1.1"}},
		{"/", "hello from h2o", "2", []string{"--http2-prior-knowledge"}},
		{"/go/x", "hello from Go on the gouv loop: /go/x", "2", []string{"--http2-prior-knowledge"}},
	} {
		body, version := curl(t, base+c.path, c.opts...)
		assert.Contains(t, body, c.want, "%s %v", c.path, c.opts)
		assert.Equal(t, c.version, version, "%s %v", c.path, c.opts)
	}
	require.NoError(t, l.Post(stop))
	require.NoError(t, <-done, "run: shutdown and Loop.Close")
}
