package forms

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"yuetan/collections"
	"yuetan/internal/drainloop"
	"yuetan/pdf"
	"yuetan/savectx"
)

// The archive queue's timing.
const (
	// ArchivePoll is how often a running worker looks for due jobs besides
	// being woken by each move that queues one.
	ArchivePoll = 5 * time.Second
	// ArchiveLease is how long a claim holds; a job claimed longer ago (its
	// worker died between claim and store) is due again.
	ArchiveLease = 2 * time.Minute
	// ArchiveFirstBackoff is the wait after a first failed render or store,
	// doubled after each further one up to ArchiveMaxBackoff.
	ArchiveFirstBackoff = 5 * time.Second
	ArchiveMaxBackoff   = time.Hour
	// ArchiveMaxAttempts failed tries leave a job failed (a superuser may
	// set its state to pending again from the dashboard).
	ArchiveMaxAttempts = 12
	// A serving worker renders on a core no request is using: while the
	// app answers as many requests at once as it has cores (GOMAXPROCS),
	// it waits, looking again every ArchiveQuiet, for at most
	// ArchiveMaxDelay. Requests come first (a render beside them on a busy
	// 2-core server slows every move), but an idle core renders at once:
	// the copies are made while the moves go on, not after them.
	ArchiveQuiet    = 5 * time.Millisecond
	ArchiveMaxDelay = 2 * time.Second
)

// ArchiveBackoff is the wait after the attempts-th failed try.
func ArchiveBackoff(attempts int) time.Duration {
	return drainloop.Backoff(ArchiveFirstBackoff, ArchiveMaxBackoff, attempts)
}

// ArchiveWorker renders the queued archive copies and stores them on
// their records: give way to the requests being answered (serve's worker
// only), claim a due job (one UPDATE, so no two workers hold it),
// render its form outside any transaction, then store the file, clear the
// record's pending mark and mark the job done in one short transaction,
// only while the claim is still this worker's.
type ArchiveWorker struct {
	app    core.App
	wake   chan struct{}
	now    func() time.Time
	render func(form string, data []byte) ([]byte, error)
	// requests, when set (serve), are the app's requests the worker gives way to
	requests *requestGauge
}

// NewArchiveWorker returns a worker for app; it does nothing until Run or Drain.
func NewArchiveWorker(app core.App) *ArchiveWorker {
	return &ArchiveWorker{app: app, wake: make(chan struct{}, 1), now: time.Now, render: renderArchive}
}

// Wake asks a running worker to look for due jobs now.
func (w *ArchiveWorker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run drains the queue, then again on every wake and every ArchivePoll,
// until ctx ends.
func (w *ArchiveWorker) Run(ctx context.Context) {
	drainloop.Run(ctx, ArchivePoll, w.wake, func(ctx context.Context) error {
		_, err := w.Drain(ctx)
		return err
	}, func(err error) { w.app.Logger().Error("forms: drain the archive queue", "error", err) })
}

// Drain works due jobs one at a time until none is due and returns how
// many it tried.
func (w *ArchiveWorker) Drain(ctx context.Context) (int, error) {
	tried := 0
	for ctx.Err() == nil {
		w.giveWay(ctx)
		job, err := w.claim()
		if err != nil || job == nil {
			return tried, err
		}
		tried++
		if err := w.work(job); err != nil {
			return tried, err
		}
	}
	return tried, nil
}

// claimed is a job this worker holds.
type claimed struct {
	job   *core.Record
	token string
}

// claim takes the most overdue due job: pending ones whose next_at has
// come and claims whose lease ran out. A single UPDATE … RETURNING, so two
// workers (or processes) never take the same claim. nil when none is due.
func (w *ArchiveWorker) claim() (*claimed, error) {
	now := w.now()
	token := drainloop.ClaimToken()
	var id string
	err := w.app.NonconcurrentDB().NewQuery(`UPDATE {{archive_jobs}}
		SET [[state]] = 'claimed', [[claim]] = {:token}, [[lease_until]] = {:lease}, [[attempts]] = [[attempts]] + 1, [[updated]] = {:now}
		WHERE [[id]] = (SELECT [[id]] FROM {{archive_jobs}}
			WHERE ([[state]] = 'pending' AND [[next_at]] <= {:now}) OR ([[state]] = 'claimed' AND [[lease_until]] < {:now})
			ORDER BY [[next_at]] LIMIT 1)
		RETURNING [[id]]`).
		Bind(map[string]any{"token": token, "lease": drainloop.At(now.Add(ArchiveLease)).String(), "now": drainloop.At(now).String()}).
		Row(&id)
	if errors.Is(err, sql.ErrNoRows) || err == nil && id == "" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("forms: claim an archive job: %w", err)
	}
	job, err := w.app.FindRecordById(collections.ArchiveJobs, id)
	if err != nil {
		return nil, fmt.Errorf("forms: claimed archive job %s: %w", id, err)
	}
	return &claimed{job: job, token: token}, nil
}

// work renders the claimed job and stores it, or records the failure.
func (w *ArchiveWorker) work(c *claimed) error {
	job := c.job
	b, err := w.render(job.GetString(collections.JobForm), []byte(job.GetString(collections.JobData)))
	if err == nil {
		err = w.store(c, b)
	}
	if errors.Is(err, errClaimLost) {
		return nil
	}
	if err != nil {
		return w.fail(c, err)
	}
	return nil
}

// errClaimLost is a claim another worker took over (its lease ran out).
var errClaimLost = errors.New("forms: archive claim lost")

// settle ends c's claim inside tx with changes to the job, as the
// transaction's first statement: it takes the write lock before anything
// is read (another process's commit cannot slip in between), and it
// changes nothing unless the claim is still c's (errClaimLost).
func settle(tx core.App, c *claimed, now time.Time, changes dbx.Params) error {
	changes[collections.JobClaim] = ""
	changes[collections.JobLeaseUntil] = ""
	changes[collections.FieldUpdated] = drainloop.At(now).String()
	res, err := tx.DB().Update(collections.ArchiveJobs, changes, dbx.HashExp{
		collections.FieldID: c.job.Id, collections.JobState: collections.JobClaimed, collections.JobClaim: c.token,
	}).Execute()
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errClaimLost
	}
	return nil
}

// unmark takes field off the pending marks of the job's record (unless a
// later move queued another copy of it, e.g. a resubmission), saving rec
// as the system (the workflow's rules do not run for it: the archive
// fields are the server's), with file in field when there is one.
func unmark(tx core.App, job *core.Record, file *filesystem.File) error {
	field := job.GetString(collections.JobField)
	rec, err := tx.FindRecordById(job.GetString(collections.JobRecordCollection), job.GetString(collections.JobRecordID))
	if err != nil {
		return fmt.Errorf("the record is gone: %w", err)
	}
	if file != nil {
		rec.Set(field, file)
	}
	more, err := tx.CountRecords(collections.ArchiveJobs, dbx.HashExp{
		collections.JobRecordCollection: rec.Collection().Name, collections.JobRecordID: rec.Id, collections.JobField: field,
		collections.JobState: []any{collections.JobPending, collections.JobClaimed},
	}, dbx.Not(dbx.HashExp{collections.FieldID: job.Id}))
	if err != nil {
		return err
	}
	if more == 0 {
		rec.Set(collections.ArchivePending, slices.DeleteFunc(rec.GetStringSlice(collections.ArchivePending), func(f string) bool { return f == field }))
	}
	if err := tx.SaveWithContext(savectx.AsSystem(context.Background()), rec); err != nil {
		return fmt.Errorf("save %s: %w", field, err)
	}
	return nil
}

// store marks the job done, attaches the PDF to its record and clears the
// record's pending mark, in one short transaction. The done job keeps no
// data: the form it held (names, phones) lives on in the PDF alone.
func (w *ArchiveWorker) store(c *claimed, b []byte) error {
	file, err := filesystem.NewFileFromBytes(b, c.job.GetString(collections.JobForm)+".pdf")
	if err != nil {
		return err
	}
	now := w.now()
	return w.app.RunInTransaction(func(tx core.App) error {
		err := settle(tx, c, now, dbx.Params{
			collections.JobState: collections.JobDone, collections.JobDoneAt: drainloop.At(now).String(), collections.JobLastError: "",
			collections.JobData: nil,
		})
		if err != nil {
			return err
		}
		return unmark(tx, c.job, file)
	})
}

// fail records a failed try: pending again after ArchiveBackoff, or failed
// after ArchiveMaxAttempts (the record's pending mark is cleared then: no
// copy is coming unless a superuser retries the job).
func (w *ArchiveWorker) fail(c *claimed, cause error) error {
	w.app.Logger().Warn("forms: archive copy not stored; the move stands",
		"form", c.job.GetString(collections.JobForm), "record", c.job.GetString(collections.JobRecordID), "error", cause)
	now := w.now()
	attempts := c.job.GetInt(collections.JobAttempts)
	changes := dbx.Params{collections.JobLastError: drainloop.ErrorText(cause, 1000), collections.JobState: collections.JobPending,
		collections.JobNextAt: drainloop.At(now.Add(ArchiveBackoff(attempts))).String()}
	giveUp := attempts >= ArchiveMaxAttempts
	if giveUp {
		changes[collections.JobState] = collections.JobFailed
	}
	err := w.app.RunInTransaction(func(tx core.App) error {
		if err := settle(tx, c, now, changes); err != nil {
			return err
		}
		if giveUp {
			return unmark(tx, c.job, nil)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errClaimLost) {
		return fmt.Errorf("forms: record the failed archive job %s: %w", c.job.Id, err)
	}
	return nil
}

// ReleaseArchiveClaims makes every claimed job pending again: at start,
// a claim can only be a dead process's (one server holds a data dir).
func ReleaseArchiveClaims(app core.App) error {
	_, err := app.NonconcurrentDB().NewQuery(`UPDATE {{archive_jobs}}
		SET [[state]] = 'pending', [[claim]] = '', [[lease_until]] = '', [[updated]] = {:now}
		WHERE [[state]] = 'claimed'`).Bind(map[string]any{"now": drainloop.At(time.Now()).String()}).Execute()
	if err != nil {
		return fmt.Errorf("forms: release the archive claims: %w", err)
	}
	return nil
}

// renderArchive renders a queued form from the data mapped at the move.
func renderArchive(form string, data []byte) ([]byte, error) {
	render, ok := archiveRenderers[form]
	if !ok {
		return nil, fmt.Errorf("forms: no archive form %q", form)
	}
	var buf bytes.Buffer
	if err := render(data, &buf); err != nil {
		return nil, fmt.Errorf("forms: render the %s archive copy: %w", form, err)
	}
	return buf.Bytes(), nil
}

var archiveRenderers = map[string]func(data []byte, w io.Writer) error{
	"application": fromJSON(pdf.RenderApplication),
	"notice":      fromJSON(pdf.RenderNotice),
	"talk":        fromJSON(pdf.RenderTalk),
	"feedback":    fromJSON(pdf.RenderFeedback),
}

// fromJSON turns a renderer of T into one of T's JSON.
func fromJSON[T any](render func(io.Writer, T) error) func([]byte, io.Writer) error {
	return func(data []byte, w io.Writer) error {
		var d T
		if err := json.Unmarshal(data, &d); err != nil {
			return fmt.Errorf("queued data: %w", err)
		}
		return render(w, d)
	}
}

const archiveWorkerKey = "yuetan.forms.archiveWorker"

// requestGauge follows the requests an app is answering.
type requestGauge struct {
	inFlight atomic.Int64
}

// track counts e's request while it is answered.
func (g *requestGauge) track(e *core.RequestEvent) error {
	g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	return e.Next()
}

// busy reports whether the app is answering as many requests as the
// process has cores to run them on.
func (g *requestGauge) busy() bool {
	return g.inFlight.Load() >= int64(runtime.GOMAXPROCS(0))
}

// giveWay waits, up to ArchiveMaxDelay, while the app's requests keep
// every core busy (a worker without a gauge does not wait).
func (w *ArchiveWorker) giveWay(ctx context.Context) {
	if w.requests == nil {
		return
	}
	deadline := time.Now().Add(ArchiveMaxDelay)
	for w.requests.busy() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(ArchiveQuiet)
	}
}

// archiveService is the running worker of an app, for the moves to wake,
// and the gauge of its requests it gives way to.
type archiveService struct {
	mu       sync.Mutex
	worker   *ArchiveWorker
	requests requestGauge
}

func serviceOf(app core.App) *archiveService {
	s, _ := app.Store().Get(archiveWorkerKey).(*archiveService)
	return s
}

// wakeArchiveWorker wakes app's running worker, if any.
func wakeArchiveWorker(app core.App) {
	if s := serviceOf(app); s != nil {
		s.mu.Lock()
		w := s.worker
		s.mu.Unlock()
		if w != nil {
			w.Wake()
		}
	}
}

// StartArchiveWorker releases the claims a previous process left, starts
// app's worker and returns the function that stops it (and waits for the
// job in hand). serve starts it; tests start their own.
func StartArchiveWorker(app core.App) (stop func(), err error) {
	s := serviceOf(app)
	if s == nil {
		return nil, errors.New("forms: not registered on this app")
	}
	if err := ReleaseArchiveClaims(app); err != nil {
		return nil, err
	}
	w := NewArchiveWorker(app)
	w.requests = &s.requests
	s.mu.Lock()
	s.worker = w
	s.mu.Unlock()
	stopRun := drainloop.Go(w.Run)
	return sync.OnceFunc(func() {
		stopRun()
		s.mu.Lock()
		if s.worker == w {
			s.worker = nil
		}
		s.mu.Unlock()
	}), nil
}
