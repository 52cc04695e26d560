package uv_test

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/gouv/gouv/uv"
)

// Reading a file on the loop: open, read and close run on libuv's thread
// pool, and each callback, on the loop, starts the next step. The buffer
// belongs to the read until its callback runs.
func ExampleFSRead() {
	dir, err := os.MkdirTemp("", "gouv-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(name, []byte("hello from the thread pool\n"), 0o644); err != nil {
		log.Fatal(err)
	}

	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 64)
	_, _, err = uv.FSOpen(l, name, os.O_RDONLY, 0, func(fd int, err error) {
		if err != nil {
			fmt.Println("open:", err)
			return
		}
		uv.FSRead(l, fd, buf, 0, func(n int, err error) {
			if err != nil {
				fmt.Println("read:", err)
			} else {
				fmt.Printf("read %d bytes: %s", n, buf[:n])
			}
			uv.FSClose(l, fd, func(err error) { fmt.Println("closed, error:", err) })
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}

	// With a nil callback the same calls run synchronously. Errors match
	// fs.ErrNotExist and the like through errors.Is (os.IsNotExist, which
	// predates errors.Is, knows only the os package's own error types).
	_, _, err = uv.FSOpen(l, filepath.Join(dir, "missing"), os.O_RDONLY, 0, nil)
	fmt.Println(errors.Is(err, fs.ErrNotExist), err.(*uv.Error).Code.Name())
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// read 27 bytes: hello from the thread pool
	// closed, error: <nil>
	// true ENOENT
}
