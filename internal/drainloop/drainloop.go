// Package drainloop runs the worker of a durable queue (the notification
// outbox, the archive copies): it drains the queue, then again on every
// wake and every poll, until it is stopped; and it holds what their jobs'
// claims and retries share (the claim token, the backoff, the kept error,
// the stored time). The queues themselves are their packages'.
package drainloop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"
)

// Run calls drain now, then on every value from wake and every poll,
// until ctx ends; a drain's error is handed to failed (not when ctx ended).
func Run(ctx context.Context, poll time.Duration, wake <-chan struct{}, drain func(context.Context) error, failed func(error)) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if err := drain(ctx); err != nil && ctx.Err() == nil {
			failed(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// Go runs run in a goroutine with a context of its own; stop cancels it
// and waits until run has returned (any number of times, from any
// goroutine).
func Go(run func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// Backoff is the wait after the attempts-th failed try: first, doubled
// after each further one, up to most.
func Backoff(first, most time.Duration, attempts int) time.Duration {
	d := first
	for i := 1; i < attempts && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// ClaimToken returns a random token naming one claim of a job.
func ClaimToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// At is t as a job's date is stored (UTC).
func At(t time.Time) types.DateTime {
	d, _ := types.ParseDateTime(t.UTC())
	return d
}

// ErrorText is err's message as a job keeps it: at most n characters,
// ending in … when cut.
func ErrorText(err error, n int) string {
	r := []rune(err.Error())
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
