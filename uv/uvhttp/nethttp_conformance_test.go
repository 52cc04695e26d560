package uvhttp_test

import (
	"testing"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/gouv/gouv/uv/uvhttp/internal/conformance"
)

// startNetHTTP starts a uvhttp Server whose HTTPHandler is examples/http's
// net/http routes (routes.Std: http.HandlerFuncs on a ServeMux), with cfg.
// No body limit is set: the net/http face streams bodies to the handler,
// as net/http's Server does.
func startNetHTTP(t *testing.T, cfg conformance.Config) string {
	s := &uvhttp.Server{
		Addr: "127.0.0.1:0", HTTPHandler: routes.Std(),
		MaxHeaderBytes: cfg.MaxHeaderBytes, ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout: cfg.IdleTimeout,
	}
	return startServer(t, s)
}

// TestConformanceNetHTTP runs the conformance suite a third time: net/http
// handlers served by uvhttp. It parses with llhttp, hence StrictLength.
func TestConformanceNetHTTP(t *testing.T) {
	conformance.Run(t, conformance.Target{Name: "uvhttp net/http face", Start: startNetHTTP, StrictLength: true})
}
