package h2o

import (
	"strconv"
	"testing"

	"github.com/gouv/gouv/examples/embed/internal/hosttest"
	"github.com/gouv/gouv/uv"
)

// h2o on a gouv loop serves Go's http.Client, beside a gouv Timer and TCP
// echo, and shuts down to Loop.Close() == nil (issue 17).
func TestH2OHosted(t *testing.T) {
	var s *Server
	hosttest.Run(t, hosttest.Library{
		Start: func(l *uv.Loop) (string, error) {
			var err error
			s, err = Listen(l, 0, func(path string) string { return "from Go: " + path + "\n" })
			if err != nil {
				return "", err
			}
			return "http://127.0.0.1:" + itoa(s.Port()), nil
		},
		Libs:    []string{"libh2o.so.0"},
		Paths:   map[string]string{"/": "hello from h2o", "/go/x": "from Go: /go/x"},
		Served:  s0(&s),
		Stop:    func() { s.StopListening() },
		Done:    func() bool { return s.Conns() == 0 },
		Dispose: func() error { return s.Dispose() },
	}, 1000)
}

func s0(s **Server) func() int { return func() int { return (*s).Served() } }

func itoa(n int) string { return strconv.Itoa(n) }
