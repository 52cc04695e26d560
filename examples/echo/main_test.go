package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startCommand runs the command with args on a goroutine, stopping on
// SIGINT or SIGTERM as main does, and returns the address of its
// "listening on" line, a function that sends the process a signal, and a
// channel with run's result.
func startCommand(t *testing.T, args ...string) (string, func(syscall.Signal), <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(args, pw, []syscall.Signal{syscall.SIGINT, syscall.SIGTERM})
		pw.Close()
		done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err, "no listening line")
	go io.Copy(io.Discard, pr)
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	require.True(t, ok, "first line %q", line)
	kill := func(sig syscall.Signal) { require.NoError(t, syscall.Kill(os.Getpid(), sig)) }
	return addr, kill, done
}

// TestLoops runs `echo -loops 3`: one "listening on" line once every loop
// listens, connections are echoed, and SIGTERM (SIGINT alike) stops every
// loop, with open connections, and run returns nil (exit status 0).
func TestLoops(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			addr, kill, done := startCommand(t, "-addr", "127.0.0.1:0", "-loops", "3")
			var conns []net.Conn
			for range 8 {
				c, err := net.DialTimeout("tcp", addr, 10*time.Second)
				require.NoError(t, err)
				defer c.Close()
				require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
				_, err = c.Write([]byte("ping"))
				require.NoError(t, err)
				got := make([]byte, 4)
				_, err = io.ReadFull(c, got)
				require.NoError(t, err)
				assert.Equal(t, "ping", string(got))
				conns = append(conns, c)
			}
			kill(sig)
			select {
			case err := <-done:
				assert.NoError(t, err)
			case <-time.After(20 * time.Second):
				t.Fatal("the command did not stop")
			}
			for _, c := range conns {
				_, err := c.Read(make([]byte, 1))
				assert.Error(t, err, "connection still open after the stop")
			}
		})
	}
}

// TestBadFlags: flag combinations the command refuses.
func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-loops", "0"},
		{"-pipe", t.TempDir() + "/s", "-loops", "2"},
		{"-udp", "-pipe", "/tmp/x"},
	} {
		assert.Error(t, run(args, io.Discard, nil), "%q", args)
	}
}
