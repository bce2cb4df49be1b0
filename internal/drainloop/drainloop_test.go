package drainloop_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"yuetan/internal/drainloop"
)

// TestRun: a drain at start, one per wake, errors handed on, and stop
// returns only once the loop has.
func TestRun(t *testing.T) {
	t.Parallel()
	var drains, failures atomic.Int32
	drained := make(chan struct{}, 10)
	wake := make(chan struct{})
	stop := drainloop.Go(func(ctx context.Context) {
		drainloop.Run(ctx, time.Hour, wake, func(context.Context) error {
			n := drains.Add(1)
			drained <- struct{}{}
			if n == 2 {
				return errors.New("boom")
			}
			return nil
		}, func(error) { failures.Add(1) })
	})
	<-drained // at start
	wake <- struct{}{}
	<-drained
	wake <- struct{}{}
	<-drained
	stop()
	stop() // again: returns at once
	if d, f := drains.Load(), failures.Load(); d != 3 || f != 1 {
		t.Fatalf("drains %d, failures %d; want 3 and 1", d, f)
	}
	select {
	case wake <- struct{}{}:
		t.Fatal("the loop still runs after stop")
	case <-time.After(50 * time.Millisecond):
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{{0, 5 * time.Second}, {1, 5 * time.Second}, {2, 10 * time.Second}, {4, 40 * time.Second}, {20, time.Minute}} {
		if got := drainloop.Backoff(5*time.Second, time.Minute, c.attempts); got != c.want {
			t.Errorf("attempt %d: %v, want %v", c.attempts, got, c.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	if got := drainloop.ErrorText(errors.New("短短"), 2); got != "短短" {
		t.Errorf("kept whole: %q", got)
	}
	if got := drainloop.ErrorText(errors.New("渲染失败了"), 3); got != "渲染…" {
		t.Errorf("cut by characters: %q", got)
	}
}
