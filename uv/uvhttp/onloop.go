package uvhttp

import "runtime/debug"

// onLoopFace serves requests with the Server's Handler on the loop's
// goroutine, once the body is whole.
type onLoopFace struct{}

// head sends 100 Continue to a request that asks for it before sending
// its body; the handler runs once the body is in (done).
func (onLoopFace) head(c *conn, r *Request) {
	c.sendContinue()
	if !c.ls.srv.StreamBody {
		return
	}
	// Streaming: the handler runs now and takes the body with OnBody.
	if r.flags&flagKeepAlive == 0 {
		c.keep = false
	}
	w := &c.w
	w.reset(r)
	if call(c, w, r, nil) && !w.held {
		w.finish()
	}
}

// body gathers the body: a view of the batch while it is one piece of
// it, a copy otherwise.
func (onLoopFace) body(c *conn, r *Request, p []byte) {
	if c.ls.srv.StreamBody {
		if r.onBody != nil {
			call(c, &c.w, r, func() { r.onBody(p, false) })
		}
		return
	}
	switch {
	case r.body == nil && !c.kept:
		r.body, r.bodyView = p, true
	case r.bodyView:
		c.bodyBuf = append(append(c.bodyBuf[:0], r.body...), p...)
		r.body, r.bodyView = c.bodyBuf, false
	case r.body == nil:
		c.bodyBuf = append(c.bodyBuf[:0], p...)
		r.body = c.bodyBuf
	default:
		c.bodyBuf = append(c.bodyBuf, p...)
		r.body = c.bodyBuf
	}
}

func (onLoopFace) done(c *conn, r *Request) {
	if c.ls.srv.StreamBody {
		if r.onBody != nil {
			call(c, &c.w, r, func() { r.onBody(nil, true) })
		}
		return
	}
	w := &c.w
	w.reset(r)
	if call(c, w, r, nil) && !w.held {
		w.finish()
	}
}

func (onLoopFace) closed(*conn) {}

// call runs the Handler, or f when not nil (an OnBody callback). A panic
// answers 500 when nothing was sent yet, closes the connection and is
// logged, as net/http does; it returns false then.
func call(c *conn, w *ResponseWriter, r *Request, f func()) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			c.ls.srv.logf("uvhttp: panic serving %v: %v\n%s", c.remote, v, debug.Stack())
			w.ended = true
			w.held = false
			c.held = false
			if !w.sent {
				c.fail(500)
			} else {
				c.keep, c.closing = false, true
			}
		}
	}()
	if f != nil {
		f()
	} else {
		c.ls.srv.Handler(w, r)
	}
	return true
}
