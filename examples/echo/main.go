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
// Signals reach the loops through os/signal and Loop.Post.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/gouv/gouv/examples/echo/uvecho"
)

// startUDP starts the UDP echo on loops loops and returns the bound address
// and a function that stops it. It is set by udp.go, which needs package
// uv's UDP handle (build tag gouv_udp until then).
var startUDP func(addr string, loops int, mmsg bool, rcvbuf int) (bound string, stop func() error, err error)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "TCP (or UDP) address to listen on")
	pipe := flag.String("pipe", "", "unix socket path to listen on instead of TCP")
	hwm := flag.Int("highwater", uvecho.DefaultHighWater, "bytes queued per connection before it stops reading")
	loops := flag.Int("loops", 1, "loops (one goroutine and one server each) sharing the address with SO_REUSEPORT")
	udp := flag.Bool("udp", false, "echo UDP datagrams instead of TCP")
	mmsg := flag.Bool("mmsg", true, "with -udp: receive with recvmmsg (UV_UDP_RECVMMSG)")
	rcvbuf := flag.Int("rcvbuf", 4<<20, "with -udp: SO_RCVBUF in bytes (0: the system's default)")
	flag.Parse()
	log.SetFlags(0)
	if *loops < 1 {
		log.Fatal("echo: -loops must be at least 1")
	}

	var bound string
	var stop func() error
	if *udp {
		if startUDP == nil {
			log.Fatal("echo: -udp: built without UDP support (build tag gouv_udp)")
		}
		if *pipe != "" {
			log.Fatal("echo: -udp and -pipe exclude each other")
		}
		var err error
		if bound, stop, err = startUDP(*addr, *loops, *mmsg, *rcvbuf); err != nil {
			log.Fatal(err)
		}
	} else {
		rs, err := uvecho.StartN(uvecho.Config{Addr: *addr, Pipe: *pipe, HighWater: *hwm}, *loops)
		if err != nil {
			log.Fatal(err)
		}
		bound = rs[0].Addr()
		stop = func() error { return uvecho.StopAll(rs) }
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	fmt.Printf("listening on %s\n", bound)
	<-sigs
	if err := stop(); err != nil {
		log.Fatal(err)
	}
}
