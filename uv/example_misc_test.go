package uv_test

import (
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/gouv/gouv/uv"
)

// The C environment and Go's copy of it are two things: Setenv changes
// the first, which C libraries read; os.Getenv reads the second.
func ExampleSetenv() {
	if err := uv.Setenv("GOUV_EXAMPLE", "hello"); err != nil {
		fmt.Println(err)
		return
	}
	defer uv.Unsetenv("GOUV_EXAMPLE")
	v, err := uv.Getenv("GOUV_EXAMPLE")
	fmt.Printf("uv.Getenv: %q %v\n", v, err)
	fmt.Printf("os.Getenv: %q\n", os.Getenv("GOUV_EXAMPLE"))
	_, err = uv.Getenv("GOUV_EXAMPLE_UNSET")
	fmt.Println(err)
	// Output:
	// uv.Getenv: "hello" <nil>
	// os.Getenv: ""
	// uv_os_getenv GOUV_EXAMPLE_UNSET: ENOENT: no such file or directory
}

func ExampleHostname() {
	h, err := uv.Hostname()
	if err != nil {
		fmt.Println(err)
		return
	}
	oh, _ := os.Hostname()
	fmt.Println("same as os.Hostname:", h == oh)
	// Output: same as os.Hostname: true
}

func ExampleUname() {
	u, err := uv.Uname()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.Sysname)
	// Output: Linux
}

func ExampleCPUs() {
	cpus, err := uv.CPUs()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("at least one CPU:", len(cpus) >= 1)
	fmt.Println("parallelism within it:", uv.AvailableParallelism() <= len(cpus))
	// Output:
	// at least one CPU: true
	// parallelism within it: true
}

func ExampleInterfaceAddresses() {
	addrs, err := uv.InterfaceAddresses()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range addrs {
		if a.Addr == netip.MustParseAddr("127.0.0.1") {
			fmt.Println(a.Name, a.Prefix(), "internal:", a.IsInternal)
		}
	}
	// Output: lo 127.0.0.1/8 internal: true
}

func ExampleGuessHandle() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	defer w.Close()
	fmt.Println(uv.GuessHandle(int(r.Fd())))
	fmt.Println(uv.GuessHandle(-1) == uv.TypeUnknown)
	// Output:
	// pipe
	// true
}

func ExampleGettimeofday() {
	tv, err := uv.Gettimeofday()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("within a second of time.Now:", time.Since(tv).Abs() < time.Second)
	// Output: within a second of time.Now: true
}

func ExampleGetrusage() {
	ru, err := uv.Getrusage()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("used some CPU:", ru.Utime+ru.Stime > 0)
	// Output: used some CPU: true
}

func ExampleTranslateSysError() {
	e := uv.TranslateSysError(32) // EPIPE on Linux
	fmt.Println(e.Name(), e == uv.EPIPE)
	// Output: EPIPE true
}

func ExampleReqType_String() {
	fmt.Println(uv.ReqUDPSend, uv.ReqFS, uv.ReqWork)
	// Output: udp_send fs work
}

// A loop's handles, printed for debugging: the flags say referenced (R),
// active (A) and internal (I). The addresses vary, so there is no Output.
func ExampleLoop_PrintAllHandles() {
	l, err := uv.NewLoop()
	if err != nil {
		fmt.Println(err)
		return
	}
	t, _ := uv.NewTimer(l)
	t.Start(time.Hour, 0, func(*uv.Timer) {})
	l.PrintAllHandles(os.Stderr)
	t.Close(nil)
	l.Run(uv.RunDefault)
	l.Close()
}

// libm's cos, found by name; a Go program calls it through a C function
// that takes the pointer.
func ExampleOpen() {
	lib, err := uv.Open("libm.so.6")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer lib.Close()
	cos, err := lib.Sym("cos")
	fmt.Println("cos:", cos != nil, err)
	_, err = lib.Sym("no_such_function")
	fmt.Println(err != nil)
	_, err = uv.Open("libgouv-missing.so")
	fmt.Println(err)
	// Output:
	// cos: true <nil>
	// true
	// uv_dlopen libgouv-missing.so: libgouv-missing.so: cannot open shared object file: No such file or directory
}
