package uv_test

import (
	"fmt"
	"log"
	"os"
	"syscall"

	"github.com/gouv/gouv/uv"
)

// A Signal catches one SIGUSR1, which the program sends itself, on the
// loop's goroutine. Started, the Signal keeps the loop alive until then.
func ExampleSignal() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	s, err := uv.NewSignal(l)
	if err != nil {
		log.Fatal(err)
	}
	err = s.StartOneshot(syscall.SIGUSR1, func(s *uv.Signal, sig syscall.Signal) {
		fmt.Println("caught", sig)
		s.Close(func() { fmt.Println("closed") })
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// caught user defined signal 1
	// closed
}
