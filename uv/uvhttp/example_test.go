package uvhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/gouv/gouv/uv/uvhttp"
)

// A server with an on-loop handler: the request's views are valid during
// the call, the response goes out when it returns.
func ExampleServer() {
	s := &uvhttp.Server{
		Addr: "127.0.0.1:0",
		Handler: func(w *uvhttp.ResponseWriter, r *uvhttp.Request) {
			w.SetHeader("Content-Type", "text/plain")
			fmt.Fprintf(w, "%s %s from %s", r.Method(), r.Path(), r.Header("user-agent"))
		},
	}
	addr, err := s.Start() // ListenAndServe is Start, then Wait
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("GET", "http://"+addr.String()+"/hello?x=1", nil)
	req.Header.Set("User-Agent", "example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Status, resp.ContentLength)
	fmt.Println(string(body))

	http.DefaultClient.CloseIdleConnections()
	s.Shutdown(context.Background())
	fmt.Println(s.Wait())
	// Output:
	// 200 OK 23
	// GET /hello from example
	// http: Server closed
}
