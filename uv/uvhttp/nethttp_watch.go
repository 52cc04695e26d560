package uvhttp

import (
	"errors"
	"io"

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
// net/http's background read does. unwatch stops it before the engine
// parses again.
func (c *conn) watchPeer() {
	if _, ok := c.ls.face.(bodyFailer); !ok || c.watching || c.gone || c.eof || c.paused || len(c.pending) >= maxWatchBytes {
		return
	}
	if c.tcp.ReadStart(c.onWatch) == nil {
		c.watching = true
	}
}

func (c *conn) onWatch(p []byte, err error) {
	if err != nil {
		c.unwatch()
		var errno uv.Errno
		switch {
		case errors.Is(err, io.EOF):
			c.end(int(uv.EOF))
		case errors.As(err, &errno):
			c.end(int(errno))
		default:
			c.end(int(uv.ECONNRESET))
		}
		return
	}
	c.pending = append(c.pending, p...)
	if len(c.pending) >= maxWatchBytes {
		c.unwatch()
	}
}

// unwatch stops watchPeer's reading.
func (c *conn) unwatch() {
	if c.watching {
		c.watching = false
		c.tcp.ReadStop()
	}
}
