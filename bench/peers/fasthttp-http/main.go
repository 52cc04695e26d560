// Command fasthttp-http serves the HTTP benchmark's routes with fasthttp, a
// peer in bench/bench-http.sh.
//
//	fasthttp-http -addr 127.0.0.1:PORT
//
// Routes: /plaintext (200 "Hello, World!", text/plain), /json
// ({"message":"Hello, World!"}), /bytes/N (N bytes of 'x'); anything else is
// 404. Prints "listening on HOST:PORT" once listening; exits 0 on SIGINT or
// SIGTERM after Shutdown.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/valyala/fasthttp"
)

const maxBytes = 16 << 20

var (
	hello  = []byte("Hello, World!")
	json   = []byte(`{"message":"Hello, World!"}`)
	filler = bytes.Repeat([]byte("x"), maxBytes)
)

func handle(ctx *fasthttp.RequestCtx) {
	p := ctx.Path()
	switch {
	case string(p) == "/plaintext":
		ctx.SetContentType("text/plain")
		ctx.SetBody(hello)
	case string(p) == "/json":
		ctx.SetContentType("application/json")
		ctx.SetBody(json)
	case bytes.HasPrefix(p, []byte("/bytes/")):
		n, err := strconv.Atoi(string(p[7:]))
		if err != nil || n < 0 || n > maxBytes {
			ctx.SetStatusCode(fasthttp.StatusBadRequest)
			return
		}
		ctx.SetContentType("application/octet-stream")
		ctx.SetBody(filler[:n])
	default:
		ctx.SetStatusCode(fasthttp.StatusNotFound)
	}
}

func main() {
	log.SetFlags(0)
	addr := flag.String("addr", "127.0.0.1:8080", "TCP address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	s := &fasthttp.Server{Handler: handle, Name: "fasthttp"}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	fmt.Printf("listening on %s\n", ln.Addr())
	select {
	case <-sig:
		if err := s.Shutdown(); err != nil {
			log.Fatal(err)
		}
	case err := <-done:
		log.Fatal(err)
	}
}
