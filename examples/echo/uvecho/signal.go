package uvecho

import (
	"syscall"

	"github.com/gouv/gouv/uv"
)

// signalWatchers are a server's uv.Signal handles, one per signal in its
// config's StopSignals: the first of those signals to reach the process
// shuts the server down, on its loop. Every server of every loop watching
// a signal gets it, so one SIGTERM stops all the loops of `echo -loops N`.
type signalWatchers []*uv.Signal

// watchSignals starts a watcher for each of sigs on l that calls stop.
// Call it on l's goroutine. On an error the watchers already started are
// closed.
func watchSignals(l *uv.Loop, stop func(), sigs []syscall.Signal) (signalWatchers, error) {
	var ws signalWatchers
	for _, sig := range sigs {
		w, err := uv.NewSignal(l)
		if err == nil {
			err = w.Start(sig, func(*uv.Signal, syscall.Signal) { stop() })
			ws = append(ws, w)
		}
		if err != nil {
			ws.close()
			return nil, err
		}
	}
	return ws, nil
}

// close closes the watchers, so that they no longer keep the loop alive.
func (ws signalWatchers) close() {
	for _, w := range ws {
		w.Close(nil)
	}
}
