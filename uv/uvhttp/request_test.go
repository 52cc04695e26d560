package uvhttp_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/stretchr/testify/assert"
)

// The Request's accessors, on origin- and absolute-form targets, and a
// case-insensitive header lookup that allocates nothing.
func TestRequestAccessors(t *testing.T) {
	allocs := make(chan float64, 2)
	s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
		allocs <- testing.AllocsPerRun(100, func() {
			r.Header("x-MIXED-case")
			r.Path()
			r.Query()
			r.Method()
		})
		n, v := r.HeaderAt(r.NumHeader() - 1)
		fmt.Fprintf(w, "%s|%s|%s|%s|%s|%s|%s|%s=%s|%v|%v",
			r.Method(), r.Target(), r.Path(), r.Query(), r.Host(), r.Proto(),
			r.Header("X-Mixed-Case"), n, v, r.KeepAlive(), r.RemoteAddr().Addr())
	}}
	addr := startServer(t, s)
	c, br := dial(t, addr)
	io.WriteString(c, "PUT /a/b?x=1&y=2 HTTP/1.1\r\nHost: h.example\r\nx-mixed-CASE:  v1 \r\nLast: z\r\n\r\n")
	_, body := readResp(t, br)
	assert.Equal(t, "PUT|/a/b?x=1&y=2|/a/b|x=1&y=2|h.example|HTTP/1.1|v1|Last=z|true|127.0.0.1", body)
	assert.Zero(t, <-allocs, "lookups allocate")
	io.WriteString(c, "GET http://abs.example:8080/p?q HTTP/1.1\r\nHost: other\r\nConnection: close\r\nX-Mixed-Case: v2\r\n\r\n")
	_, body = readResp(t, br)
	assert.Equal(t, "GET|http://abs.example:8080/p?q|/p|q|abs.example:8080|HTTP/1.1|v2|X-Mixed-Case=v2|false|127.0.0.1", body)
}
