package uv_test

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gouv/gouv/uv"
)

// A poll handle watches an fd that something else owns (here a pipe made
// with syscall, as a C library would hand one over) and says when it is
// readable; the callback does the read itself.
func ExamplePoll() {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		log.Fatal(err)
	}
	r, w := p[0], p[1]
	defer syscall.Close(w)

	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	poll, err := uv.NewPoll(l, r)
	if err != nil {
		log.Fatal(err)
	}
	err = poll.Start(uv.PollReadable, func(ev uv.PollEvent, err error) {
		if err != nil {
			log.Fatal(err)
		}
		buf := make([]byte, 64)
		n, _ := syscall.Read(r, buf)
		fmt.Printf("%v: %q\n", ev, buf[:n])
		// Close the handle first, then the fd, which stays ours.
		poll.Close(func() { syscall.Close(r) })
	})
	if err != nil {
		log.Fatal(err)
	}
	syscall.Write(w, []byte("hello"))
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// readable: "hello"
}

// An FSEvent handle reports what happens in a watched directory, naming
// the entry that changed.
func ExampleFSEvent() {
	dir, err := os.MkdirTemp("", "fsevent")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	w, err := uv.NewFSEvent(l)
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	err = w.Start(dir, 0, func(name string, ev uv.FSEventKind, err error) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(name, ev)
		if n++; n == 2 {
			w.Close(nil)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	// Created (rename), then written (change).
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hi"), 0o600); err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// notes.txt rename
	// notes.txt change
}

// An FSPoll handle stats a path at an interval: watching a file that does
// not exist yet starts with ENOENT, and its creation comes as a change
// from a zero Stat.
func ExampleFSPoll() {
	dir, err := os.MkdirTemp("", "fspoll")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "ready")

	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	p, err := uv.NewFSPoll(l)
	if err != nil {
		log.Fatal(err)
	}
	err = p.Start(name, 10*time.Millisecond, func(prev, curr uv.Stat, err error) {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Println("not there yet")
			os.WriteFile(name, []byte("ok"), 0o600)
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println("size", prev.Size, "->", curr.Size)
			p.Close(nil)
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
	// not there yet
	// size 0 -> 2
}
