package notify

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/internal/drainloop"
)

// Worker sends the outbox's due e-mail and SMS rows (see the package doc
// for the claim, send, mark protocol).
type Worker struct {
	app    core.App
	opts   Options
	client *http.Client
	wake   chan struct{}
	now    func() time.Time
}

// NewWorker returns a worker for app; it sends nothing until Run or Drain.
func NewWorker(app core.App, opts Options) *Worker {
	opts = opts.withDefaults()
	return &Worker{
		app:    app,
		opts:   opts,
		client: &http.Client{Timeout: opts.sendTimeout()},
		wake:   make(chan struct{}, 1),
		now:    time.Now,
	}
}

// Wake asks a running worker to look for due rows now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run drains the outbox, then again on every wake and every interval,
// until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	drainloop.Run(ctx, w.opts.Interval, w.wake, func(ctx context.Context) error {
		_, err := w.Drain(ctx)
		return err
	}, func(err error) { w.app.Logger().Error("notify: drain the outbox", "error", err) })
}

// Drain sends due rows one at a time until none is due and returns how
// many it tried.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	tried := 0
	for ctx.Err() == nil {
		c, err := w.claim()
		if err != nil || c == nil {
			return tried, err
		}
		tried++
		if err := w.mark(c, w.deliver(ctx, c)); err != nil {
			return tried, err
		}
	}
	return tried, nil
}

// claim is a row this worker holds.
type claim struct {
	id, token string
}

// dueFilter finds the rows to claim: pending ones whose next try has come,
// and claims whose lease ran out (their worker died between send and mark).
const dueFilter = "(status = 'pending' && next_try <= {:now}) || (status = 'sending' && lease_until < {:now})"

// claim takes the most overdue due row, in a transaction: sending, a new
// token and lease, one more attempt. nil when no row is due.
func (w *Worker) claim() (*claim, error) {
	var got *claim
	err := w.app.RunInTransaction(func(tx core.App) error {
		now := w.now()
		rows, err := tx.FindRecordsByFilter(Outbox, dueFilter, "next_try", 1, 0, map[string]any{"now": drainloop.At(now).String()})
		if err != nil || len(rows) == 0 {
			return err
		}
		row := rows[0]
		token := drainloop.ClaimToken()
		row.Set(OutStatus, StatusSending)
		row.Set(OutClaim, token)
		row.Set(OutLeaseUntil, drainloop.At(now.Add(w.opts.Lease)))
		row.Set(OutAttempts, row.GetInt(OutAttempts)+1)
		if err := tx.Save(row); err != nil {
			return err
		}
		got = &claim{id: row.Id, token: token}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("notify: claim: %w", err)
	}
	return got, nil
}

// deliver sends the claimed row on its channel.
func (w *Worker) deliver(ctx context.Context, c *claim) outcome {
	row, err := w.app.FindRecordById(Outbox, c.id)
	if err != nil {
		return outcome{err: err}
	}
	n, err := w.app.FindRecordById(Notifications, row.GetString(OutNotification))
	if err != nil {
		return outcome{err: fmt.Errorf("通知已不存在：%w", err), permanent: true}
	}
	user, err := w.app.FindRecordById("users", n.GetString(NotifRecipient))
	if err != nil {
		return outcome{err: fmt.Errorf("收件人已不存在：%w", err), permanent: true}
	}
	switch row.GetString(OutChannel) {
	case ChannelEmail:
		if !w.app.Settings().SMTP.Enabled {
			// switched off since the row was written: PocketBase would fall back to sendmail
			return outcome{skip: "未配置邮件服务器（SMTP），只发站内通知。"}
		}
		return sendMail(w.app, row.Id, n, user)
	case ChannelSMS:
		if w.opts.SMSURL == "" {
			return outcome{skip: "未配置短信网关，只发站内通知。"}
		}
		ctx, cancel := context.WithTimeout(ctx, w.opts.sendTimeout())
		defer cancel()
		return sendSMS(ctx, w.client, w.opts, row.Id, n, user, w.now())
	}
	return outcome{err: fmt.Errorf("未知的通知渠道 %q", row.GetString(OutChannel)), permanent: true}
}

// mark records how the try ended, in a transaction and only while the
// claim is still this worker's (a claim that outlived its lease was taken
// over: the new holder's result counts).
func (w *Worker) mark(c *claim, o outcome) error {
	err := w.app.RunInTransaction(func(tx core.App) error {
		row, err := tx.FindRecordById(Outbox, c.id)
		if err != nil {
			return nil // deleted with its notification meanwhile
		}
		if row.GetString(OutStatus) != StatusSending || row.GetString(OutClaim) != c.token {
			return nil
		}
		now := w.now()
		row.Set(OutClaim, "")
		row.Set(OutLeaseUntil, "")
		switch {
		case o.skip != "":
			row.Set(OutStatus, StatusSkipped)
			row.Set(OutLastError, o.skip)
		case o.err == nil:
			row.Set(OutStatus, StatusSent)
			row.Set(OutSentAt, drainloop.At(now))
			row.Set(OutLastError, "")
		case o.permanent || row.GetInt(OutAttempts) >= w.opts.MaxAttempts:
			row.Set(OutStatus, StatusFailed)
			row.Set(OutLastError, drainloop.ErrorText(o.err, 1000))
		default:
			row.Set(OutStatus, StatusPending)
			row.Set(OutNextTry, drainloop.At(now.Add(Backoff(row.GetInt(OutAttempts)))))
			row.Set(OutLastError, drainloop.ErrorText(o.err, 1000))
		}
		return tx.Save(row)
	})
	if err != nil {
		return fmt.Errorf("notify: mark %s: %w", c.id, err)
	}
	return nil
}

// Backoff is the wait after the attempts-th failed try.
func Backoff(attempts int) time.Duration {
	return drainloop.Backoff(FirstBackoff, MaxBackoff, attempts)
}
