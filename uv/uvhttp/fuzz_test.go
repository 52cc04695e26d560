package uvhttp_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
)

var fuzzServer struct {
	once sync.Once
	addr string
}

// FuzzServe sends arbitrary bytes, cut in two writes at an arbitrary
// point, then half-closes: whatever comes back must be well-formed
// responses, and the server must go on serving. The seeds run in every go
// test; go test -fuzz FuzzServe explores (under -asan, the engine's C).
func FuzzServe(f *testing.F) {
	for _, s := range []string{
		"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\nGET /json HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"GET / HTTP/1.0\r\n\r\n",
		"\r\n\r\nGET /bytes/10 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		"HEAD /plaintext HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET http://x/json HTTP/1.1\r\nHost: x\r\n\r\n",
		"\x00\x01garbage",
	} {
		f.Add([]byte(s), uint16(len(s)/2))
	}
	fuzzServer.once.Do(func() {
		s := &uvhttp.Server{Addr: "127.0.0.1:0", Handler: routes.OnLoop, MaxHeaderBytes: 4096, MaxBodyBytes: 1 << 16}
		addr, err := s.Start()
		if err != nil {
			f.Fatal(err)
		}
		fuzzServer.addr = addr.String() // lives for the process
	})
	f.Fuzz(func(t *testing.T, in []byte, cut uint16) {
		c, err := net.Dial("tcp", fuzzServer.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		k := int(cut) % (len(in) + 1)
		c.Write(in[:k])
		c.Write(in[k:])
		c.(*net.TCPConn).CloseWrite()
		br := bufio.NewReader(c)
		// A response to HEAD has a Content-Length and no body: without
		// knowing which requests were HEAD, the responses cannot be cut
		// apart, so only the server's going on is checked then.
		for !bytes.Contains(in, []byte("HEAD")) {
			if _, err := br.Peek(1); err != nil {
				break // the server closed, or reset after a refusal
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("malformed response: %v", err)
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				break // reset mid-body after the peer's garbage: fine
			}
			resp.Body.Close()
		}
		// Still serving.
		c2, err := net.Dial("tcp", fuzzServer.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		c2.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c2, "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c2), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("server stopped serving: %v", err)
		}
	})
}
