package rollup

import (
	"context"
	"errors"
	"fmt"

	"time"
)

// CatchUp applies batches until the district's feed has nothing more, and
// returns how many feed rows it applied. A long catch-up reports progress.
func (r *Replicator) CatchUp(ctx context.Context) (int, error) {
	if r.conn == nil {
		if err := r.Connect(ctx); err != nil {
			r.setState("error", err)
			return 0, err
		}
	}
	r.setState("catching_up", nil)
	total, _, _ := r.src.pending(r.appliedSeq())
	p := newProgress(r, total)
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		n, reset, err := r.step(ctx)
		if err != nil {
			r.setState("error", err)
			return done, err
		}
		if reset {
			total, _, _ = r.src.pending(0)
			p = newProgress(r, total)
			done = 0
			continue
		}
		if n == 0 {
			break
		}
		done += n
		p.show(done)
	}
	p.finish(done)
	r.setState("following", nil)
	return done, nil
}

// Wake makes a following replicator look for changes now (bound to the
// district's record saves when it runs inside serve).
func (r *Replicator) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run follows the feed until ctx ends: catch up, wait for a wake-up or the
// interval, again. Errors (PostgreSQL down, a lost connection) are logged
// and retried with a growing pause; a refusal that retrying cannot cure (a
// code another server uses, a newer schema) ends Run with that error.
func (r *Replicator) Run(ctx context.Context) error {
	defer r.Close()
	pause := time.Second
	tick := time.NewTicker(r.opts.Interval)
	defer tick.Stop()
	for {
		_, err := r.CatchUp(ctx)
		r.checkLag()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && fatal(err):
			r.opts.Log.Error("roll-up replication stopped", "district", r.opts.District, "error", err)
			return err
		case err != nil:
			r.opts.Log.Warn("roll-up replication failed, retrying", "district", r.opts.District, "retry_in", pause.String(), "error", err)
			r.Close()
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(pause):
			}
			pause = min(2*pause, 30*time.Second)
			continue
		}
		pause = time.Second
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-tick.C:
		}
	}
}

// fatal reports errors that retrying does not cure.
func fatal(err error) bool {
	return errors.Is(err, ErrDistrictTaken) || errors.Is(err, ErrSchemaTooNew) || errors.Is(err, ErrSchemaDirty) || errors.Is(err, ErrBadOptions)
}

func (r *Replicator) appliedSeq() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status.AppliedSeq
}

func (r *Replicator) setState(state string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.State = state
	r.status.Error = ""
	if err != nil {
		r.status.Error = err.Error()
	}
}

// Status returns the replicator's state with the lag measured now against
// the district's feed.
func (r *Replicator) Status() Status {
	r.mu.Lock()
	s := r.status
	r.mu.Unlock()
	n, oldest, err := r.src.pending(s.AppliedSeq)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	s.Pending, s.OldestPending, s.LagSeconds = n, oldest, 0
	if oldest != "" {
		if t, err := time.Parse(pbTime, oldest); err == nil {
			s.LagSeconds = max(0, time.Since(t).Seconds())
		}
	}
	s.Behind = s.LagSeconds > r.opts.LagWarn.Seconds()
	return s
}

// checkLag logs when the replica falls behind (at most once a minute while
// it stays behind) and when it has caught up again.
func (r *Replicator) checkLag() {
	s := r.Status()
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case s.Behind && time.Since(r.warned) >= time.Minute:
		r.warned = time.Now()
		r.opts.Log.Warn("roll-up replication is falling behind", "district", r.opts.District,
			"lag_seconds", int(s.LagSeconds), "pending", s.Pending, "state", s.State, "error", s.Error)
	case !s.Behind && !r.warned.IsZero():
		r.warned = time.Time{}
		r.opts.Log.Info("roll-up replication caught up", "district", r.opts.District)
	}
}

// progressEvery is how often a long catch-up reports (tests shorten it).
var progressEvery = 2 * time.Second

// progress reports a long catch-up: a line at most every progressEvery.
type progress struct {
	r     *Replicator
	total int64
	start time.Time
	last  time.Time
	shown bool
}

func newProgress(r *Replicator, total int64) *progress {
	return &progress{r: r, total: total, start: time.Now(), last: time.Now()}
}

func (p *progress) line(msg string) {
	if w := p.r.opts.Progress; w != nil {
		fmt.Fprintln(w, msg)
		return
	}
	p.r.opts.Log.Info("roll-up catch-up", "district", p.r.opts.District, "progress", msg)
}

func (p *progress) show(done int) {
	if p.total <= int64(p.r.opts.BatchSize) || time.Since(p.last) < progressEvery {
		return
	}
	p.last, p.shown = time.Now(), true
	total := max(p.total, int64(done))
	rate := float64(done) / time.Since(p.start).Seconds()
	eta := time.Duration(float64(total-int64(done))/max(rate, 1)) * time.Second
	p.line(fmt.Sprintf("区 %s 追赶中：%d/%d 条变更（%d%%），每秒 %.0f 条，约 %v 后完成",
		p.r.opts.District, done, total, int64(done)*100/max(total, 1), rate, eta.Round(time.Second)))
}

func (p *progress) finish(done int) {
	if !p.shown && p.r.opts.Progress == nil {
		return
	}
	if done == 0 && p.r.opts.Progress == nil {
		return
	}
	p.line(fmt.Sprintf("区 %s 已追平：本次复制 %d 条变更，用时 %v", p.r.opts.District, done, time.Since(p.start).Round(time.Millisecond)))
}
