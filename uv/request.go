package uv

// request is an in-flight libuv request (uv_req_t: write, connect,
// shutdown) whose callback goes to Go. Its ID, in the loop's request table,
// is in req->data; the entry is deleted in the request's callback, or at
// once when the call that would start it fails, since libuv never calls
// back then.
type request interface {
	// complete runs the request's Go callback with libuv's status.
	complete(l *Loop, status int)
}
