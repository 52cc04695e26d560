package netecho

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gouv/gouv/examples/internal/echotest"
)

// TestEcho runs the conformance suite (echotest) against the net server,
// with the same assertions as uvecho's.
func TestEcho(t *testing.T) {
	echotest.Run(t, func(t *testing.T, pipe bool) echotest.Server {
		cfg := Config{Addr: "127.0.0.1:0"}
		network := "tcp"
		if pipe {
			cfg.Pipe, network = echotest.SocketPath(t), "unix"
		}
		s, err := Start(cfg)
		require.NoError(t, err)
		return echotest.Server{
			Network:    network,
			Addr:       s.Addr(),
			Conns:      s.Conns,
			Stop:       s.Stop,
			MaxQueued:  s.MaxHeld,
			QueueLimit: BufferSize,
		}
	})
}
