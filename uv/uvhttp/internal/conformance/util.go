package conformance

import (
	"context"
	"errors"
	"net"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// countingDial counts the connections a Transport opens.
func countingDial(n *int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		*n++
		return d.DialContext(ctx, network, addr)
	}
}
