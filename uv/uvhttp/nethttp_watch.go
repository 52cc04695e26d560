package uvhttp

import (
	"github.com/gouv/gouv/uv"
)

// maxWatchBytes bounds what a held connection reads ahead while it waits
// for a handler: past it, it stops reading.
const maxWatchBytes = 64 << 10

// watchPeer keeps reading while a response of the net/http face is held
// (the engine stops parsing then, keeping later requests waiting): the
// bytes are kept, unparsed, with the ones the engine kept (pending) up to
// maxWatchBytes, and the end of the stream reaches the engine (end), so
// that the handler's context is cancelled when the client goes away, as
// net/http's background read does. The engine's read callback stays in
// place (its hold flag sends the bytes to onWatch), so that a connection
// that reads on does not stop and start reading (two epoll_ctl calls) per
// request. It reports whether the connection watches; the caller stops
// reading when it does not. unwatch stops it; resume parses the bytes kept
// and lets the engine parse what comes next.
func (c *conn) watchPeer() bool {
	if c.watching {
		return true
	}
	if _, ok := c.ls.face.(bodyFailer); !ok || c.gone || c.eof || c.paused || len(c.pending) >= maxWatchBytes {
		return false
	}
	setHold(c.c, true)
	if err := readStart(c.c); err != 0 && err != int(uv.EALREADY) {
		setHold(c.c, false)
		return false
	}
	c.watching = true
	return true
}

// onWatch keeps p, read while watching, to be parsed by resume.
func (c *conn) onWatch(p []byte) {
	if c.gone || !c.watching {
		return
	}
	c.pending = append(c.pending, p...)
	if len(c.pending) >= maxWatchBytes {
		c.unwatch()
	}
}

// onWatchEnd is the end of the stream (or an error) while watching: a
// held response's handler learns it (end); after the response, when the
// bytes kept are still to be parsed (resume is posted), reading stops and
// resume's read sees the end again.
func (c *conn) onWatchEnd(status int) {
	c.unwatch()
	if c.gone || !c.held {
		return
	}
	c.end(status)
}

// unwatch stops watchPeer's reading.
func (c *conn) unwatch() {
	if c.watching {
		c.watching = false
		setHold(c.c, false)
		c.tcp.ReadStop()
	}
}

// endWatch lets the engine parse what is read next, reading on.
func (c *conn) endWatch() {
	if c.watching {
		c.watching = false
		setHold(c.c, false)
	}
}
