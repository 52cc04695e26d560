package uvhttp

import (
	"net/http"
	"time"
)

// dateCache is a loop's Date header value, formatted once per second.
type dateCache struct {
	sec int64
	buf []byte
}

func (d *dateCache) get() []byte {
	now := time.Now()
	if s := now.Unix(); s != d.sec || d.buf == nil {
		d.sec = s
		d.buf = now.UTC().AppendFormat(d.buf[:0], http.TimeFormat)
	}
	return d.buf
}
