package lws

import (
	"strconv"
	"testing"

	"github.com/gouv/gouv/examples/embed/internal/hosttest"
	"github.com/gouv/gouv/uv"
)

// libwebsockets on a gouv loop serves Go's http.Client, beside a gouv
// Timer and TCP echo, and shuts down to Loop.Close() == nil (issue 17).
func TestLWSHosted(t *testing.T) {
	var s *Server
	var lp *uv.Loop
	hosttest.Run(t, hosttest.Library{
		Start: func(l *uv.Loop) (string, error) {
			lp = l
			var err error
			if s, err = Listen(l, 0); err != nil {
				return "", err
			}
			return "http://127.0.0.1:" + strconv.Itoa(s.Port()), nil
		},
		Libs:    []string{"libwebsockets-evlib_uv.so"},
		Paths:   map[string]string{"/": "hello from libwebsockets", "/x/y": "hello from libwebsockets"},
		Served:  func() int { return s.Served() },
		Stop:    func() { s.Destroy() },
		Done:    func() bool { return s.Finish(lp) },
		Dispose: func() error { return s.Free() },
	}, 1000)
}
