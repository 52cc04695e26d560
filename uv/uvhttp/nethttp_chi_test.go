package uvhttp_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chiRouter is a router from outside, written for net/http and used here
// unchanged: URL parameters, a sub-router, chi's own middlewares
// (Recoverer, Compress, Heartbeat, StripSlashes, RequestID) and a
// streaming route.
func chiRouter() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer, middleware.StripSlashes, middleware.Heartbeat("/ping"))
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"id": chi.URLParam(r, "id"), "rid": fmt.Sprint(middleware.GetReqID(r.Context()) != ""),
		})
	})
	r.Post("/users", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]string
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "created %s", in["name"])
	})
	r.Route("/api/v1", func(r chi.Router) {
		r.Use(middleware.Compress(5, "text/plain"))
		r.Get("/text", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, strings.Repeat("compress me ", 1000))
		})
		r.Get("/panic", func(w http.ResponseWriter, r *http.Request) { panic("chi route panic") })
	})
	return r
}

// TestNetHTTPChi serves chi on uvhttp and on net/http's Server: the same
// answers.
func TestNetHTTPChi(t *testing.T) {
	reqs := []struct{ method, raw string }{
		{"GET", nhLines("GET /users/17 HTTP/1.1", "Host: x")},
		{"GET", nhLines("GET /users/17/ HTTP/1.1", "Host: x")},
		{"POST", nhLines("POST /users HTTP/1.1", "Host: x", "Content-Type: application/json", "Content-Length: 16") + `{"name":"gopher"}`[:16]},
		{"POST", nhLines("POST /users HTTP/1.1", "Host: x", "Content-Length: 17") + `{"name":"gopher"}`},
		{"GET", nhLines("GET /ping HTTP/1.1", "Host: x")},
		{"GET", nhLines("GET /api/v1/text HTTP/1.1", "Host: x", "Accept-Encoding: gzip")},
		{"GET", nhLines("GET /api/v1/panic HTTP/1.1", "Host: x")},
		{"DELETE", nhLines("DELETE /users/1 HTTP/1.1", "Host: x")},
		{"GET", nhLines("GET /none HTTP/1.1", "Host: x")},
	}
	uv, std := nhBoth(t, chiRouter, func(t *testing.T, s *nhServed) []nhResp {
		var out []nhResp
		for _, rq := range reqs {
			out = append(out, nhRoundTrip(t, s.addr, rq.raw, rq.method))
		}
		return out
	})
	require.Len(t, uv, len(reqs))
	assert.Equal(t, std, uv)
	assert.JSONEq(t, `{"id":"17","rid":"true"}`, uv[0].Body)
	assert.Equal(t, uv[0].Body, uv[1].Body)
	assert.Equal(t, 400, uv[2].Status)
	assert.Equal(t, "created gopher", uv[3].Body)
	assert.Equal(t, ".", uv[4].Body)
	assert.Equal(t, "gzip", uv[5].Header.Get("Content-Encoding"))
	assert.Equal(t, 500, uv[6].Status)
	assert.Equal(t, 405, uv[7].Status)
	assert.Equal(t, 404, uv[8].Status)
}
