package uvhttp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
	"github.com/gouv/gouv/uv/uvhttp/internal/conformance"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startUV starts a uvhttp Server (on-loop face) with examples/http's
// routes and cfg; the cleanup shuts it down and checks it left nothing.
func startUV(t *testing.T, cfg conformance.Config) string {
	s := &uvhttp.Server{
		Addr: "127.0.0.1:0", Handler: routes.OnLoop,
		MaxHeaderBytes: cfg.MaxHeaderBytes, MaxBodyBytes: cfg.MaxBodyBytes,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout, IdleTimeout: cfg.IdleTimeout,
	}
	return startServer(t, s)
}

func startServer(t *testing.T, s *uvhttp.Server) string {
	leaks := snapshot()
	addr, err := s.Start()
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, s.Shutdown(ctx))
		assert.ErrorIs(t, s.Wait(), uvhttp.ErrServerClosed) // the loop closed: no handle left
		leaks.check(t)
	})
	return addr.String()
}

// startStd starts net/http's Server with the same routes.
func startStd(t *testing.T, cfg conformance.Config) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &http.Server{Handler: routes.Std(), MaxHeaderBytes: cfg.MaxHeaderBytes,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout, IdleTimeout: cfg.IdleTimeout}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		assert.True(t, errors.Is(<-done, http.ErrServerClosed))
	})
	return ln.Addr().String()
}

func TestConformanceUV(t *testing.T) {
	conformance.Run(t, conformance.Target{Name: "uvhttp", Start: startUV, BodyLimit: true, StrictLength: true})
}

func TestConformanceStd(t *testing.T) {
	conformance.Run(t, conformance.Target{Name: "net/http", Start: startStd})
}
