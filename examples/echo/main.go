// Command echo is a TCP (or unix socket, or UDP) echo server on gouv.
//
//	go run ./examples/echo -addr 127.0.0.1:7000
//	go run ./examples/echo -pipe /tmp/echo.sock
//	go run ./examples/echo -addr 127.0.0.1:7000 -loops 4
//	go run ./examples/echo -addr 127.0.0.1:7000 -udp [-mmsg=false]
//
// With -loops N it runs N loops, each on its own goroutine with its own
// server, all listening on the same address with SO_REUSEPORT, so the
// kernel spreads connections (or, with -udp, datagrams) over them. With
// -udp it echoes every datagram back to its sender; -mmsg=false turns off
// libuv's recvmmsg batching (UV_UDP_RECVMMSG), and -rcvbuf sets the
// socket's receive buffer (4 MiB by default, room for 1000 flows of the
// benchmark each with a datagram in flight).
//
// It prints "listening on ADDR" once every loop is ready, logs nothing per
// connection, and on SIGINT or SIGTERM closes every handle and exits 0.
// Each loop watches the two signals with uv.Signal handles of its own (one
// signal reaches every watcher on every loop), so each server shuts itself
// down on its loop.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"syscall"

	"github.com/gouv/gouv/examples/echo/uvecho"
)

func main() {
	log.SetFlags(0)
	if err := run(os.Args[1:], os.Stdout, []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		log.Fatal(err)
	}
}

// run is the command: it parses args, starts the servers, prints the
// "listening on" line to stdout, and returns once one of stop has reached
// the process and every loop has shut down.
func run(args []string, stdout io.Writer, stop []syscall.Signal) error {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:7000", "TCP (or UDP) address to listen on")
	pipe := fs.String("pipe", "", "unix socket path to listen on instead of TCP")
	hwm := fs.Int("highwater", uvecho.DefaultHighWater, "bytes queued per connection before it stops reading")
	loops := fs.Int("loops", 1, "loops (one goroutine and one server each) sharing the address with SO_REUSEPORT")
	udp := fs.Bool("udp", false, "echo UDP datagrams instead of TCP")
	mmsg := fs.Bool("mmsg", true, "with -udp: receive with recvmmsg (UV_UDP_RECVMMSG)")
	rcvbuf := fs.Int("rcvbuf", 4<<20, "with -udp: SO_RCVBUF in bytes (0: the system's default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *loops < 1 {
		return errors.New("echo: -loops must be at least 1")
	}

	var bound string
	var wait []func() error
	if *udp {
		if *pipe != "" {
			return errors.New("echo: -udp and -pipe exclude each other")
		}
		rs, err := uvecho.StartUDPN(uvecho.UDPConfig{Addr: *addr, NoMmsg: !*mmsg, RecvBuffer: *rcvbuf, StopSignals: stop}, *loops)
		if err != nil {
			return err
		}
		bound = rs[0].Addr()
		for _, r := range rs {
			wait = append(wait, r.Wait)
		}
	} else {
		rs, err := uvecho.StartN(uvecho.Config{Addr: *addr, Pipe: *pipe, HighWater: *hwm, StopSignals: stop}, *loops)
		if err != nil {
			return err
		}
		bound = rs[0].Addr()
		for _, r := range rs {
			wait = append(wait, r.Wait)
		}
	}
	fmt.Fprintf(stdout, "listening on %s\n", bound)
	var errs []error
	for _, w := range wait {
		errs = append(errs, w())
	}
	return errors.Join(errs...)
}
