package uv_test

import (
	"fmt"
	"log"

	"github.com/gouv/gouv/uv"
)

// Spawn runs echo with its stdout on a Pipe that the loop reads; the exit
// callback gets the exit status.
func ExampleSpawn() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	out, err := uv.NewPipe(l, false)
	if err != nil {
		log.Fatal(err)
	}
	_, err = uv.Spawn(l, &uv.ProcessOptions{
		File: "echo", // looked up in PATH
		Args: []string{"echo", "hi"},
		Stdio: []uv.StdioContainer{
			{}, // stdin: /dev/null
			uv.CreatePipe(out, uv.StdioWritablePipe),
		},
		OnExit: func(p *uv.Process, exitStatus int64, termSignal int) {
			fmt.Println("exit status", exitStatus, "signal", termSignal)
			p.Close(nil)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	var got []byte
	err = out.ReadStart(func(p []byte, err error) {
		if err != nil { // io.EOF: echo closed its stdout
			out.Close(nil)
			return
		}
		got = append(got, p...)
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("read %q\n", got)
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// exit status 0 signal 0
	// read "hi\n"
}
