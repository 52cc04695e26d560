// Command gnet-echo is a TCP echo server on gnet v2, a peer in gouv's echo
// benchmark (bench/run.sh).
//
//	gnet-echo -addr 127.0.0.1:PORT [-multicore]
//
// It prints "listening on HOST:PORT" (the bound port, also when PORT is 0)
// once gnet's engine is ready, and exits 0 on SIGINT or SIGTERM. By default
// it runs one event loop, to compare with the other single-loop servers.
//
// gnet closes a connection when its read side reaches EOF, so unlike the
// libuv servers it does not keep echoing after the peer's half-close; the
// benchmark's ping-pong load never depends on that.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
)

type echoServer struct {
	gnet.BuiltinEventEngine
	engine gnet.Engine
	host   string
	ready  chan error
}

// OnBoot runs once the listener is bound and the event loop is about to
// accept; it finds the real port from a duplicate of the listening socket.
func (s *echoServer) OnBoot(eng gnet.Engine) gnet.Action {
	s.engine = eng
	port, err := boundPort(eng)
	if err != nil {
		s.ready <- err
		return gnet.Shutdown
	}
	fmt.Printf("listening on %s\n", net.JoinHostPort(s.host, strconv.Itoa(port)))
	os.Stdout.Sync()
	s.ready <- nil
	return gnet.None
}

// OnTraffic echoes everything that has arrived. Write copies what the
// kernel does not take at once into the connection's outbound buffer, so
// handing it a slice of the inbound buffer is safe.
func (s *echoServer) OnTraffic(c gnet.Conn) gnet.Action {
	buf, err := c.Next(-1)
	if err != nil {
		return gnet.Close
	}
	if _, err := c.Write(buf); err != nil {
		return gnet.Close
	}
	return gnet.None
}

// quietLogger drops gnet's informational lines and keeps warnings and errors
// on stderr.
type quietLogger struct{}

func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Warnf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "gnet-echo: warning: "+f+"\n", a...)
}
func (quietLogger) Errorf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "gnet-echo: error: "+f+"\n", a...)
}
func (quietLogger) Fatalf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "gnet-echo: fatal: "+f+"\n", a...)
	os.Exit(1)
}

func boundPort(eng gnet.Engine) (int, error) {
	fd, err := eng.Dup()
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return 0, err
	}
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return a.Port, nil
	case *syscall.SockaddrInet6:
		return a.Port, nil
	}
	return 0, errors.New("listener is not TCP/IP")
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address HOST:PORT (port 0: any free port)")
	multicore := flag.Bool("multicore", false, "one event loop per CPU instead of one")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnet-echo:", err)
		os.Exit(2)
	}
	s := &echoServer{host: host, ready: make(chan error, 1)}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)

	done := make(chan error, 1)
	go func() {
		done <- gnet.Run(s, "tcp://"+*addr,
			gnet.WithMulticore(*multicore),
			gnet.WithTCPNoDelay(gnet.TCPNoDelay),
			gnet.WithReuseAddr(true),
			gnet.WithLogger(quietLogger{}))
	}()

	select {
	case err := <-done: // failed before booting
		fmt.Fprintln(os.Stderr, "gnet-echo:", err)
		os.Exit(1)
	case err := <-s.ready:
		if err != nil {
			fmt.Fprintln(os.Stderr, "gnet-echo:", err)
			<-done
			os.Exit(1)
		}
	}

	select {
	case <-sigs:
		// Engine.Stop polls for completion every 500 ms; Run returns as
		// soon as the engine is down, so wait on Run instead.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = s.engine.Stop(ctx)
		}()
		select {
		case err := <-done:
			if err != nil {
				fmt.Fprintln(os.Stderr, "gnet-echo:", err)
				os.Exit(1)
			}
		case <-time.After(10 * time.Second):
			fmt.Fprintln(os.Stderr, "gnet-echo: engine did not stop within 10 s")
			os.Exit(1)
		}
	case err := <-done:
		if err != nil {
			fmt.Fprintln(os.Stderr, "gnet-echo:", err)
			os.Exit(1)
		}
	}
}
