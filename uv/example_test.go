package uv_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/gouv/gouv/uv"
)

// A timer that fires three times, 10 ms apart, then closes itself.
func ExampleTimer() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	t, err := uv.NewTimer(l)
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	err = t.Start(10*time.Millisecond, 10*time.Millisecond, func(t *uv.Timer) {
		n++
		fmt.Println("tick", n)
		if n == 3 {
			t.Close(func() { fmt.Println("closed") })
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// tick 1
	// tick 2
	// tick 3
	// closed
}

// An idle handle runs its callback once per loop iteration, without
// letting the loop block.
func ExampleIdle() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	idle, err := uv.NewIdle(l)
	if err != nil {
		log.Fatal(err)
	}
	iterations := 0
	err = idle.Start(func(h *uv.Idle) {
		iterations++
		if iterations == 3 {
			h.Stop()
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	for {
		alive, err := l.Run(uv.RunOnce)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("iteration", iterations, "alive:", alive)
		if !alive {
			break
		}
	}
	idle.Close(nil)
	l.Run(uv.RunDefault)
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// iteration 1 alive: true
	// iteration 2 alive: true
	// iteration 3 alive: false
}

// Post runs a function on the loop's goroutine; it is the way in from other
// goroutines. Here a worker goroutine hands its result to the loop, which
// a referenced Async keeps alive until then.
func ExampleLoop_Post() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	keep, err := uv.NewAsync(l, nil) // keeps the loop alive until closed
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		result := 6 * 7 // work done off the loop
		l.Post(func() {
			fmt.Println("result on the loop:", result)
			keep.Close(nil)
		})
	}()
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// result on the loop: 42
}

// An echo server and its client on one loop, over TCP on 127.0.0.1: the
// client sends a line, the server writes back what it reads, and the
// client prints the echo once all of it is back.
func ExampleTCP() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	server, err := uv.NewTCP(l)
	if err != nil {
		log.Fatal(err)
	}
	if err := server.Bind(netip.MustParseAddrPort("127.0.0.1:0"), 0); err != nil {
		log.Fatal(err)
	}
	err = server.Listen(128, func(err error) {
		if err != nil {
			log.Fatal(err)
		}
		conn, err := uv.NewTCP(l)
		if err != nil {
			log.Fatal(err)
		}
		if err := server.Accept(conn); err != nil {
			log.Fatal(err)
		}
		server.Close(nil) // one connection is all this server takes
		conn.ReadStart(func(p []byte, err error) {
			if err != nil { // io.EOF once the client has closed
				conn.Close(nil)
				return
			}
			// p is valid only during the callback: Write copies what
			// the socket does not take at once.
			if err := conn.Write(p, nil); err != nil {
				log.Fatal(err)
			}
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	addr, err := server.LocalAddr() // the port the system picked
	if err != nil {
		log.Fatal(err)
	}

	client, err := uv.NewTCP(l)
	if err != nil {
		log.Fatal(err)
	}
	msg := []byte("hello, libuv")
	var echo []byte
	err = client.Connect(addr, func(err error) {
		if err != nil {
			log.Fatal(err)
		}
		if err := client.Write(msg, nil); err != nil {
			log.Fatal(err)
		}
		client.ReadStart(func(p []byte, err error) {
			if err != nil {
				log.Fatal(err)
			}
			echo = append(echo, p...)
			if len(echo) == len(msg) {
				fmt.Printf("echo: %s\n", echo)
				client.Close(nil)
			}
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// echo: hello, libuv
}

// A request and its reply over a unix domain socket: the client writes its
// request and shuts down its side; the server reads to EOF, replies, and
// shuts down too; the client reads the reply to EOF.
func ExamplePipe() {
	dir, err := os.MkdirTemp("", "gouv-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "upper.sock")

	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	server, err := uv.NewPipe(l, false)
	if err != nil {
		log.Fatal(err)
	}
	if err := server.Bind(path); err != nil { // creates the socket file
		log.Fatal(err)
	}
	err = server.Listen(128, func(err error) {
		if err != nil {
			log.Fatal(err)
		}
		conn, err := uv.NewPipe(l, false)
		if err != nil {
			log.Fatal(err)
		}
		if err := server.Accept(conn); err != nil {
			log.Fatal(err)
		}
		server.Close(nil) // and removes the socket file
		var req []byte
		conn.ReadStart(func(p []byte, err error) {
			if errors.Is(err, io.EOF) {
				conn.Write(bytes.ToUpper(req), nil)
				conn.Shutdown(func(error) { conn.Close(nil) })
				return
			}
			if err != nil {
				log.Fatal(err)
			}
			req = append(req, p...)
		})
	})
	if err != nil {
		log.Fatal(err)
	}

	client, err := uv.NewPipe(l, false)
	if err != nil {
		log.Fatal(err)
	}
	var reply []byte
	err = client.Connect(path, func(err error) {
		if err != nil {
			log.Fatal(err)
		}
		client.Write([]byte("hello, pipe"), nil)
		client.Shutdown(nil)
		client.ReadStart(func(p []byte, err error) {
			if errors.Is(err, io.EOF) {
				fmt.Printf("reply: %s\n", reply)
				client.Close(nil)
				return
			}
			if err != nil {
				log.Fatal(err)
			}
			reply = append(reply, p...)
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// reply: HELLO, PIPE
}
