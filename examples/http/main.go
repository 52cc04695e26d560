// Command http is an HTTP server on uvhttp, with the routes the HTTP
// benchmarks use.
//
//	go run ./examples/http -addr 127.0.0.1:8080 [-loops N] [-mode loop|std|nethttp]
//
// Routes: /plaintext (200 "Hello, World!", text/plain, as TechEmpower's
// plaintext test), /json ({"message":"Hello, World!"}), /bytes/N (N bytes,
// as uvloop's vmbench), /echo (a POST's body back). -mode loop serves
// them with uvhttp's on-loop handlers on -loops loops sharing the port
// with SO_REUSEPORT; -mode std serves the same routes with net/http's own
// http.Server (the reference the conformance tests and the benchmarks
// compare with); -mode nethttp serves -mode std's net/http handlers with
// uvhttp's HTTPHandler, on -loops loops. It prints "listening on ADDR"
// once ready, and on SIGINT or SIGTERM shuts down through Shutdown and
// exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
)

func main() {
	log.SetFlags(0)
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		log.Fatal(err)
	}
}

// run parses args, serves, prints "listening on ADDR" to stdout, and
// returns once SIGINT or SIGTERM has shut the server down.
func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("http", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "TCP address to listen on")
	loops := fs.Int("loops", 1, "loops (one goroutine each) sharing the address with SO_REUSEPORT (-mode loop)")
	mode := fs.String("mode", "loop", "loop: uvhttp on-loop handlers; std: net/http's http.Server; nethttp: the std handlers on uvhttp (HTTPHandler)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *loops < 1 {
		return errors.New("http: -loops must be at least 1")
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)

	var shutdown func(context.Context) error
	var wait func() error
	switch *mode {
	case "loop":
		s := &uvhttp.Server{Addr: *addr, Loops: *loops, Handler: routes.OnLoop}
		bound, err := s.Start()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "listening on %s\n", bound)
		shutdown, wait = s.Shutdown, s.Wait
	case "std":
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		s := &http.Server{Handler: routes.Std()}
		done := make(chan error, 1)
		go func() { done <- s.Serve(ln) }()
		fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
		shutdown, wait = s.Shutdown, func() error { return <-done }
	default:
		if f, ok := modes[*mode]; ok {
			return f(*addr, *loops, stdout, sig)
		}
		return fmt.Errorf("http: unknown -mode %q", *mode)
	}
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := shutdown(ctx); err != nil {
		return err
	}
	if err := wait(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// modes holds the other -mode values, added by other files (nethttp).
var modes = map[string]func(addr string, loops int, stdout io.Writer, sig <-chan os.Signal) error{}
