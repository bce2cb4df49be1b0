// Package drainloop runs the worker of a durable queue (the notification
// outbox, the archive copies): it drains the queue, then again on every
// wake and every poll, until it is stopped. The queues themselves (their
// claims, retries and backoff) are their packages'.
package drainloop

import (
	"context"
	"time"
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
