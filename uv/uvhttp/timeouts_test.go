package uvhttp_test

import (
	"io"
	"testing"
	"time"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/stretchr/testify/assert"
)

// ReadTimeout: a body that stalls is cut off; the connection closes.
func TestReadTimeout(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop, ReadTimeout: 300 * time.Millisecond}
	addr := startServer(t, s)
	c, br := dial(t, addr)
	start := time.Now()
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	_, err := br.ReadByte()
	assert.Error(t, err, "closed without an answer")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond) // the loop clock is in ms, cached per iteration
}

// WriteTimeout: a response the peer does not read is cut off.
func TestWriteTimeout(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop, WriteTimeout: 300 * time.Millisecond}
	addr := startServer(t, s)
	c, _ := dial(t, addr)
	io.WriteString(c, "GET /bytes/16000000 HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(time.Second) // the peer reads nothing meanwhile: that is the scenario
	start := time.Now()
	n, _ := io.Copy(io.Discard, c)
	assert.Less(t, n, int64(16000000), "the response was cut off")
	assert.Less(t, time.Since(start), 5*time.Second)
}

// ReadHeaderTimeout covers a new connection that sends nothing, as in
// net/http.
func TestReadHeaderTimeoutSilent(t *testing.T) {
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop, ReadHeaderTimeout: 200 * time.Millisecond}
	addr := startServer(t, s)
	_, br := dial(t, addr)
	start := time.Now()
	_, err := br.ReadByte()
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)
}
