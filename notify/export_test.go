package notify

import (
	"context"
	"time"
)

// SetClock makes the worker read the time from now (tests move it past
// backoffs and leases instead of waiting).
func (w *Worker) SetClock(now func() time.Time) { w.now = now }

// ClaimAndSendOnly claims one due row and sends it, then stops as a
// worker killed before the mark would: the row stays claimed. It returns
// the claimed row's id ("" when none was due) and a function that marks
// the row as the dead worker would have, had it lived.
func (w *Worker) ClaimAndSendOnly(ctx context.Context) (string, func() error, error) {
	c, err := w.claim()
	if err != nil || c == nil {
		return "", nil, err
	}
	o := w.deliver(ctx, c)
	return c.id, func() error { return w.mark(c, o) }, nil
}
