package uvhttp

import (
	"os"
	"time"
)

// notifier wakes every goroutine waiting for a change of some state kept
// under its owner's mutex: wait takes a channel under the mutex, broadcast
// (under the mutex too) closes it.
type notifier struct{ ch chan struct{} }

func (n *notifier) wait() <-chan struct{} {
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *notifier) broadcast() {
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
}

// block waits on ch until it is closed or the deadline passes; it returns
// os.ErrDeadlineExceeded for the latter. The caller has released its mutex
// and re-checks its state afterwards. A zero deadline never passes.
func block(ch <-chan struct{}, deadline time.Time) error {
	if deadline.IsZero() {
		<-ch
		return nil
	}
	d := time.Until(deadline)
	if d <= 0 {
		return os.ErrDeadlineExceeded
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return nil
	case <-t.C:
		return os.ErrDeadlineExceeded
	}
}

// passed reports whether a deadline is set and has passed.
func passed(deadline time.Time) bool {
	return !deadline.IsZero() && !time.Now().Before(deadline)
}
