// Command echo is a TCP (or unix socket) echo server on gouv.
//
//	go run ./examples/echo -addr 127.0.0.1:7000
//	go run ./examples/echo -pipe /tmp/echo.sock
//
// It prints "listening on ADDR" once ready, logs nothing per connection,
// and on SIGINT or SIGTERM closes every handle and exits 0. Signals reach
// the loop through os/signal and Loop.Post, not uv_signal_t (see package
// uv's doc).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/gouv/gouv/examples/echo/uvecho"
	"github.com/gouv/gouv/uv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "TCP address to listen on")
	pipe := flag.String("pipe", "", "unix socket path to listen on instead of TCP")
	hwm := flag.Int("highwater", uvecho.DefaultHighWater, "bytes queued per connection before it stops reading")
	flag.Parse()
	log.SetFlags(0)

	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	srv, err := uvecho.New(l, uvecho.Config{Addr: *addr, Pipe: *pipe, HighWater: *hwm})
	if err != nil {
		log.Fatal(err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		l.Post(srv.Shutdown)
	}()
	fmt.Printf("listening on %s\n", srv.Addr())
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
}
