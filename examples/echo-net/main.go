// Command echo-net is examples/echo on Go's net package (the netpoller): the
// same flags, output and behaviour, the baseline for the benchmarks.
//
//	go run ./examples/echo-net -addr 127.0.0.1:7000
//	go run ./examples/echo-net -addr 127.0.0.1:7000 -udp
//
// With -udp it echoes UDP datagrams (net.UDPConn, one goroutine doing
// ReadFrom and WriteTo), the baseline of examples/echo -udp.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/gouv/gouv/examples/echo-net/netecho"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "TCP (or UDP) address to listen on")
	pipe := flag.String("pipe", "", "unix socket path to listen on instead of TCP")
	udp := flag.Bool("udp", false, "echo UDP datagrams instead of TCP")
	rcvbuf := flag.Int("rcvbuf", 4<<20, "with -udp: SO_RCVBUF in bytes (0: the system's default)")
	flag.Parse()
	log.SetFlags(0)

	var srv interface {
		Addr() string
		Stop() error
	}
	var err error
	if *udp {
		srv, err = netecho.StartUDP(*addr, *rcvbuf)
	} else {
		srv, err = netecho.Start(netecho.Config{Addr: *addr, Pipe: *pipe})
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", srv.Addr())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	<-sigs
	if err := srv.Stop(); err != nil {
		log.Fatal(err)
	}
}
