package uvhttp_test

import (
	"testing"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
)

// The net/http face under benchServe's client: CPU and allocations per
// request of HTTPHandler (go test -bench NetHTTP -benchmem ./uv/uvhttp).

func BenchmarkNetHTTPServeKeepAlive(b *testing.B) {
	benchServeWith(b, &uvhttp.Server{Addr: "127.0.0.1:0", HTTPHandler: routes.Std()}, getPlaintext, 1)
}

func BenchmarkNetHTTPServePipelined(b *testing.B) {
	benchServeWith(b, &uvhttp.Server{Addr: "127.0.0.1:0", HTTPHandler: routes.Std()}, getPlaintext, 16)
}
