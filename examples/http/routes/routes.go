// Package routes holds the routes of examples/http, twice: as uvhttp
// on-loop handlers and as net/http handlers, answering the same.
package routes

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gouv/gouv/uv/uvhttp"
)

// Hello is /plaintext's body; JSON is /json's.
const (
	Hello = "Hello, World!"
	JSON  = `{"message":"Hello, World!"}`
)

// MaxBytes bounds /bytes/N.
const MaxBytes = 16 << 20

// filler is /bytes/N's content: N bytes of 'x'.
var filler = []byte(strings.Repeat("x", MaxBytes))

// OnLoop serves the routes on the loop (uvhttp's Server.Handler).
func OnLoop(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
	p := r.Path()
	switch {
	case string(p) == "/plaintext":
		w.SetHeader("Content-Type", "text/plain")
		w.WriteString(Hello)
	case string(p) == "/json":
		w.SetHeader("Content-Type", "application/json")
		w.WriteString(JSON)
	case len(p) > 7 && string(p[:7]) == "/bytes/":
		n, ok := atoi(p[7:])
		if !ok || n > MaxBytes {
			w.WriteHeader(http.StatusBadRequest)
			w.WriteString("bad size\n")
			return
		}
		w.SetHeader("Content-Type", "application/octet-stream")
		w.Write(filler[:n])
	case string(p) == "/echo":
		if r.Method() != http.MethodPost {
			w.SetHeader("Allow", "POST")
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.SetHeader("Content-Type", "application/octet-stream")
		w.Write(r.Body())
	default:
		w.WriteHeader(http.StatusNotFound)
		w.WriteString("404 page not found\n")
	}
}

// atoi parses a decimal size without allocating.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Std serves the same routes as net/http handlers.
func Std() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/plaintext", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, Hello)
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, JSON)
	})
	mux.HandleFunc("/bytes/", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/bytes/"))
		if err != nil || n < 0 || n > MaxBytes {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "bad size\n")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(filler[:n])
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(body)
	})
	return mux
}
