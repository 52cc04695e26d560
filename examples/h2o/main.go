// Command h2o serves HTTP/1.1 and HTTP/2 through h2o (Debian's libh2o, its
// libuv build) on a gouv loop, with a Go route and a gouv Timer beside it
// on the same loop.
//
//	go run ./examples/h2o -port 8080
//	curl http://127.0.0.1:8080/                         # HTTP/1.1, from h2o's C
//	curl --http2-prior-knowledge http://127.0.0.1:8080/go  # HTTP/2 (h2c), from Go
//
// "/" is answered by C code inside h2o; "/go" and below by a Go function,
// called on the loop's goroutine, which reports how often the Timer has
// ticked. It listens on 127.0.0.1 only. On SIGINT or SIGTERM it shuts
// down in the order of the README's "Hosting C libraries on a gouv loop":
// gouv's handles, then h2o (stop listening, wait for the connections to
// end, dispose of its context), the foreign handles left, the loop.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"syscall"
	"time"

	"github.com/gouv/gouv/examples/embed/h2o"
	"github.com/gouv/gouv/uv"
)

func main() {
	log.SetFlags(0)
	port := flag.Int("port", 8080, "port to listen on, on 127.0.0.1 (0 picks one)")
	flag.Parse()
	if err := run(*port, os.Stdout, nil); err != nil {
		log.Fatal(err)
	}
}

// app is the server and what runs beside it on the loop; its methods run
// on the loop's goroutine.
type app struct {
	loop  *uv.Loop
	srv   *h2o.Server
	tick  *uv.Timer
	ticks int
	sigs  []*uv.Signal
	wait  *uv.Timer // polls for h2o's connections to end at shutdown
}

// run serves on port until SIGINT or SIGTERM, or until ready's function
// is called (tests), then shuts down and closes the loop. It prints
// "listening on http://ADDR" to out once h2o listens; ready, if not nil,
// gets the loop and the stop function.
func run(port int, out io.Writer, ready func(l *uv.Loop, stop func())) error {
	l, err := uv.NewLoop()
	if err != nil {
		return err
	}
	a, err := start(l, port)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "listening on http://127.0.0.1:%d\n", a.srv.Port())
	if ready != nil {
		ready(l, a.stop)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		return err
	}
	return l.Close()
}

func start(l *uv.Loop, port int) (*app, error) {
	a := &app{loop: l}
	var err error
	if a.tick, err = uv.NewTimer(l); err != nil {
		return nil, err
	}
	if err = a.tick.Start(time.Second, time.Second, func(*uv.Timer) { a.ticks++ }); err != nil {
		return nil, err
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		s, err := uv.NewSignal(l)
		if err == nil {
			err = s.Start(sig, func(*uv.Signal, syscall.Signal) { a.stop() })
		}
		if err != nil {
			return nil, err
		}
		a.sigs = append(a.sigs, s)
	}
	a.srv, err = h2o.Listen(l, port, a.route)
	return a, err
}

// route answers "/go" and below, from Go, on the loop.
func (a *app) route(path string) string {
	return fmt.Sprintf("hello from Go on the gouv loop: %s, the timer has ticked %d times\n", path, a.ticks)
}

// stop begins the shutdown; Run returns once it is done.
func (a *app) stop() {
	if a.wait != nil {
		return
	}
	// 1. gouv's handles.
	a.tick.Close(nil)
	for _, s := range a.sigs {
		s.Close(nil)
	}
	// 2. h2o: stop listening, let the connections end, dispose.
	a.srv.StopListening()
	a.wait, _ = uv.NewTimer(a.loop)
	a.wait.Start(0, 50*time.Millisecond, func(t *uv.Timer) {
		if a.srv.Conns() > 0 {
			return
		}
		t.Close(nil)
		if err := a.srv.Dispose(); err != nil {
			log.Print(err)
		}
		// 3. The foreign handles h2o left; 4. run keeps going until they
		// have closed, then Run returns and run closes the loop (5).
		h2o.CloseForeign(a.loop)
	})
}
