package uv_test

import (
	"fmt"
	"log"
	"net/netip"
	"syscall"

	"github.com/gouv/gouv/uv"
)

// A UDP echo server reading with recvmmsg and a client on the same loop:
// the client sends three datagrams, the server sends each back to where it
// came from, and the client closes both once all three returned.
func ExampleUDP() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	server, err := uv.NewUDPEx(l, syscall.AF_INET|uv.UDPRecvMmsg)
	if err != nil {
		log.Fatal(err)
	}
	if err := server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0); err != nil {
		log.Fatal(err)
	}
	err = server.RecvStart(func(p []byte, from netip.AddrPort, flags uv.UDPFlags, err error) {
		if err != nil {
			log.Print(err)
			return
		}
		// p is valid during the callback only: Send copies what it
		// cannot send at once.
		server.Send(p, from, nil)
	})
	if err != nil {
		log.Fatal(err)
	}
	addr, err := server.LocalAddr()
	if err != nil {
		log.Fatal(err)
	}

	client, err := uv.NewUDP(l)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.Connect(addr); err != nil {
		log.Fatal(err)
	}
	n := 0
	err = client.RecvStart(func(p []byte, from netip.AddrPort, flags uv.UDPFlags, err error) {
		if err != nil {
			log.Print(err)
			return
		}
		fmt.Printf("echo: %s\n", p)
		if n++; n == 3 {
			client.Close(nil)
			server.Close(func() { fmt.Println("closed") })
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, msg := range []string{"one", "two", "three"} {
		// Connected: the zero address is the peer.
		if err := client.Send([]byte(msg), netip.AddrPort{}, nil); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// echo: one
	// echo: two
	// echo: three
	// closed
}
