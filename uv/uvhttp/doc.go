// Package uvhttp serves HTTP/1.x on gouv loops with llhttp, the parser of
// Node's http module: libuv plus llhttp, Node's own stack (DESIGN.md 11).
//
// llhttp runs in C inside libuv's read callback, over the bytes libuv
// read into the loop's read buffer. Every complete request of one read (a
// pipelined batch) is recorded as offsets into that buffer, and Go is
// entered once per read to answer them all: on the fast path no header is
// copied or allocated in Go, and the responses of the batch go out in one
// write (uv_try_write first). A Server answers with an on-loop Handler
// (func(w *ResponseWriter, r *Request), run on the loop's goroutine, the
// request's views valid during the call) or with a standard http.Handler
// (HTTPHandler).
//
// HTTP semantics follow net/http's server: HTTP/1.0 and 1.1, keep-alive
// and Connection: close, pipelining (responses in request order),
// chunked request bodies decoded, Expect: 100-continue, HEAD, 400 for an
// HTTP/1.1 request without Host and for anything malformed (closing the
// connection), 431 past MaxHeaderBytes, 413 past MaxBodyBytes, a Date
// header, Content-Length when the whole body is known when the handler
// returns and chunked encoding otherwise. llhttp's strict mode refuses
// request smuggling (Content-Length with Transfer-Encoding, duplicate
// Content-Lengths). A handler that panics gets a 500 (when nothing was
// sent yet) and its connection closed; the panic is logged and the server
// goes on.
//
// A Handler's response is complete when it returns, unless it called
// ResponseWriter.Hold: it then ends with End, later, from another callback
// on the loop (a timer, a response from another server), and the
// connection's later requests wait for it. With Server.StreamBody the
// Handler runs as soon as the head is in and takes the body as it streams
// (Request.OnBody); otherwise it runs once the body is whole.
//
// Each loop has its own C state: a 64 KiB read buffer its connections
// read into (llhttp parses there), and the arrays of events and header
// offsets the batch hands to Go. A request whose head is cut by the end
// of a read has its head carried, in C memory of its connection, to the
// next read; the head and headers of a request whose body spans reads are
// copied into Go buffers of the connection, kept for its next requests.
// Timeouts are enforced by one sweep timer per loop (timeouts.go).
//
// Where uvhttp differs from net/http, on purpose:
//   - two Content-Length headers are refused even when equal (llhttp's
//     strict mode; net/http accepts equal ones);
//   - the request body has a server-wide limit, MaxBodyBytes (net/http
//     leaves it to handlers);
//   - a response without Content-Type gets text/plain rather than a type
//     sniffed from the body.
package uvhttp
