package uv_test

import (
	"fmt"
	"log"
	"syscall"

	"github.com/gouv/gouv/uv"
)

// Resolve a name on the thread pool; the callback runs on the loop.
// AINumericHost keeps this example off the network: the node must be a
// numeric address then, and a name such as "localhost" fails at once with
// EAI_NONAME.
func ExampleGetAddrInfo() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	hints := &uv.AddrInfoHints{SockType: syscall.SOCK_STREAM, Flags: uv.AINumericHost | uv.AINumericServ}
	for _, node := range []string{"127.0.0.1", "::1", "localhost"} {
		_, err := uv.GetAddrInfo(l, node, "7000", hints, func(res []uv.AddrInfo, err error) {
			if err != nil {
				fmt.Println(node, "->", err)
				return
			}
			for _, a := range res {
				fmt.Println(node, "->", a.Addr, a.SockType == syscall.SOCK_STREAM)
			}
		})
		if err != nil {
			log.Fatal(err)
		}
		// One at a time, for a deterministic output.
		if _, err := l.Run(uv.RunDefault); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// 127.0.0.1 -> 127.0.0.1:7000 true
	// ::1 -> [::1]:7000 true
	// localhost -> unknown node or service
}

// The synchronous form returns the results; it blocks the loop while the
// system resolves, so keep it for numeric names, local names and start-up.
func ExampleGetAddrInfoSync() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	res, err := uv.GetAddrInfoSync(l, "127.0.0.1", "80", &uv.AddrInfoHints{
		Family: syscall.AF_INET, SockType: syscall.SOCK_STREAM, Flags: uv.AINumericHost | uv.AINumericServ})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[0].Addr)
	host, service, err := uv.GetNameInfoSync(l, res[0].Addr, uv.NINumericHost|uv.NINumericServ)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(host, service)
	// Output:
	// 127.0.0.1:80
	// 127.0.0.1 80
}

// Blocking work runs on the thread pool; its completion runs on the loop.
func ExampleQueueWork() {
	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	var sum int
	_, err = uv.QueueWork(l, func() {
		for i := 1; i <= 100; i++ { // on a pool thread
			sum += i
		}
	}, func(err error) {
		fmt.Println(sum, err) // on the loop
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 5050 <nil>
}
