package forms_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/forms"
	"yuetan/internal/testenv"
	"yuetan/savectx"
	"yuetan/server"
	"yuetan/workflow"
)

// canteen is staff2's demo draft, the one these tests submit.
const canteen = "利用闲置用房建设社区食堂"

// submit submits the draft with id as staff2 over REST and returns the response.
func submit(t *testing.T, env *testenv.Env, id string) map[string]any {
	t.Helper()
	return do(t, env, "PATCH", "/api/collections/applications/records/"+id, staff2, map[string]any{"status": "submitted"})
}

// jobOf is the queue's job for the record's copy in field.
func jobOf(t *testing.T, app core.App, id, field string) *core.Record {
	t.Helper()
	job, err := app.FindFirstRecordByFilter(collections.ArchiveJobs, "record_id = {:id} && field = {:f}", map[string]any{"id": id, "f": field})
	if err != nil {
		t.Fatalf("no archive job for %s.%s: %v", id, field, err)
	}
	return job
}

// reservedCode is the verification code of the archive print row of
// form for the record with id, which the move wrote.
func reservedCode(t *testing.T, app core.App, form, id string) string {
	t.Helper()
	row, err := app.FindFirstRecordByFilter("form_prints", "form = {:f} && record_id = {:id} && archive = true", map[string]any{"f": form, "id": id})
	if err != nil {
		t.Fatalf("no print row reserved for the %s archive copy of %s: %v", form, id, err)
	}
	return row.GetString("code")
}

// waitForCopy polls (up to 10 s) until the record has its copy in field
// and no longer marks it pending, and returns the record.
func waitForCopy(t *testing.T, app core.App, coll, id, field string) *core.Record {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec, err := app.FindRecordById(coll, id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.GetString(field) != "" && len(rec.GetStringSlice(collections.ArchivePending)) == 0 {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("no archive copy in %s.%s after 10 s (pending %v)", coll, field, rec.GetStringSlice(collections.ArchivePending))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestArchiveQueueStoresTheCopy: with the worker running, a submission
// answers at once with the copy pending (no file yet; the REST record
// shows archive_pending) and its verification code already reserved; the
// worker stores the PDF within seconds, whose text carries that code, and
// the job is done after one attempt.
func TestArchiveQueueStoresTheCopy(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	stop, err := forms.StartArchiveWorker(env.App)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	draft := application(env, canteen)
	moved := submit(t, env, draft.Id)
	queued(t, moved, collections.AppArchivePDF)
	code := reservedCode(t, env.App, "application", draft.Id)
	if job := jobOf(t, env.App, draft.Id, collections.AppArchivePDF); job.GetString(collections.JobCode) != code {
		t.Fatalf("the job carries code %q, the print row %q", job.GetString(collections.JobCode), code)
	}
	start := time.Now()
	rec := waitForCopy(t, env.App, collections.Applications, draft.Id, collections.AppArchivePDF)
	t.Logf("stored %v after the move's response", time.Since(start))
	if text := pdfText(t, readFile(t, env.App, rec, rec.GetString(collections.AppArchivePDF))); !strings.Contains(text, code) {
		t.Errorf("the stored copy does not carry the reserved code %s:\n%s", code, text)
	}
	job := jobOf(t, env.App, draft.Id, collections.AppArchivePDF)
	if job.GetString(collections.JobState) != collections.JobDone || job.GetInt(collections.JobAttempts) != 1 || job.GetString(collections.JobLastError) != "" {
		t.Errorf("job after storing: %v", job.FieldsData())
	}
	// the queued form held the contact's name and phone: the done job keeps neither
	if data := job.GetString(collections.JobData); data != "" && data != "null" {
		t.Errorf("a done job keeps the form's data: %s", data)
	}
	// the REST record: the link, nothing pending
	got := do(t, env, "GET", "/api/collections/applications/records/"+draft.Id, staff2, nil)
	if got[collections.AppArchivePDF] == "" || len(pendingOf(got)) != 0 {
		t.Errorf("REST record after storing: archive_pdf %v, archive_pending %v", got[collections.AppArchivePDF], got["archive_pending"])
	}
	// the worker's save was the system's: the audit trail holds the move alone
	if n, _ := env.App.CountRecords(collections.Events, dbx.NewExp("record_id = {:id}", dbx.Params{"id": draft.Id})); n != 2 {
		t.Errorf("%d events on the application, want create and submit", n)
	}
}

// TestArchiveRenderFailureIsRetried: a render that fails leaves the move
// standing and the job pending with its error and a next try after the
// backoff, doubled after the second failure; not before it is due; then
// a render that works stores the copy.
func TestArchiveRenderFailureIsRetried(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	draft := application(env, canteen)
	submit(t, env, draft.Id)
	w := forms.NewArchiveWorker(env.App)
	now := time.Now()
	w.SetClock(func() time.Time { return now })
	w.SetRender(func(string, []byte) ([]byte, error) { return nil, errors.New("字体损坏") })
	for attempt, backoff := range []time.Duration{forms.ArchiveFirstBackoff, 2 * forms.ArchiveFirstBackoff} {
		if n, err := w.Drain(context.Background()); n != 1 || err != nil {
			t.Fatalf("try %d: %d jobs, %v", attempt+1, n, err)
		}
		job := jobOf(t, env.App, draft.Id, collections.AppArchivePDF)
		if job.GetString(collections.JobState) != collections.JobPending || job.GetInt(collections.JobAttempts) != attempt+1 ||
			!strings.Contains(job.GetString(collections.JobLastError), "字体损坏") {
			t.Fatalf("try %d: job %v", attempt+1, job.FieldsData())
		}
		if next := job.GetDateTime(collections.JobNextAt).Time(); next.Sub(now).Round(time.Second) != backoff {
			t.Fatalf("try %d: next try in %v, want %v", attempt+1, next.Sub(now), backoff)
		}
		if n, _ := w.Drain(context.Background()); n != 0 {
			t.Fatalf("try %d: retried before the backoff ran out", attempt+1)
		}
		now = now.Add(backoff + time.Second)
	}
	rec, _ := env.App.FindRecordById(collections.Applications, draft.Id)
	if rec.GetString(collections.AppStatus) != workflow.StatusSubmitted || rec.GetString(collections.AppSerial) == "" ||
		rec.GetString(collections.AppArchivePDF) != "" || len(rec.GetStringSlice(collections.ArchivePending)) != 1 {
		t.Fatalf("after two failed renders: %v", rec.FieldsData())
	}
	w.SetRender(forms.RenderArchive)
	if n, err := w.Drain(context.Background()); n != 1 || err != nil {
		t.Fatalf("third try: %d jobs, %v", n, err)
	}
	archived(t, env, collections.Applications, draft.Id, collections.AppArchivePDF, "application", staff2)
	if job := jobOf(t, env.App, draft.Id, collections.AppArchivePDF); job.GetString(collections.JobState) != collections.JobDone || job.GetInt(collections.JobAttempts) != 3 {
		t.Errorf("job after the third try: %v", job.FieldsData())
	}
}

// TestArchiveJobGivesUp: after ArchiveMaxAttempts failed tries the job is
// failed, with its error, and the record no longer shows the copy pending.
func TestArchiveJobGivesUp(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	draft := application(env, canteen)
	submit(t, env, draft.Id)
	w := forms.NewArchiveWorker(env.App)
	now := time.Now()
	w.SetClock(func() time.Time { return now })
	w.SetRender(func(string, []byte) ([]byte, error) { return nil, errors.New("磁盘已满") })
	for range forms.ArchiveMaxAttempts {
		if n, err := w.Drain(context.Background()); n != 1 || err != nil {
			t.Fatalf("%d jobs, %v", n, err)
		}
		now = now.Add(forms.ArchiveMaxBackoff + time.Second)
	}
	job := jobOf(t, env.App, draft.Id, collections.AppArchivePDF)
	if job.GetString(collections.JobState) != collections.JobFailed || job.GetString(collections.JobLastError) == "" {
		t.Fatalf("job after %d failures: %v", forms.ArchiveMaxAttempts, job.FieldsData())
	}
	if n, _ := w.Drain(context.Background()); n != 0 {
		t.Error("a failed job was tried again")
	}
	if rec, _ := env.App.FindRecordById(collections.Applications, draft.Id); len(rec.GetStringSlice(collections.ArchivePending)) != 0 ||
		rec.GetString(collections.AppStatus) != workflow.StatusSubmitted {
		t.Errorf("record after giving up: %v", rec.FieldsData())
	}
}

// TestArchiveQueueSurvivesRestart: the app closes with one job pending
// (no worker ran) and one claimed by a worker that never finished (a
// killed process); a new app on the same data dir stores both copies.
func TestArchiveQueueSurvivesRestart(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	draft := application(env, canteen)
	submit(t, env, draft.Id)
	// the notice of an accepted application, claimed and abandoned
	accepting := application(env, "划船社区僵尸车清理")
	if err := forceStatus(env, accepting, workflow.StatusForwarded); err != nil {
		t.Fatal(err)
	}
	queued(t, do(t, env, "PATCH", "/api/collections/applications/records/"+accepting.Id, wg, map[string]any{"status": "accepted"}), collections.AppNoticePDF)
	claimedJob := jobOf(t, env.App, accepting.Id, collections.AppNoticePDF)
	claimedJob.Set(collections.JobState, collections.JobClaimed)
	claimedJob.Set(collections.JobClaim, "dead-process")
	claimedJob.Set(collections.JobLeaseUntil, time.Now().Add(time.Hour).UTC())
	if err := env.App.Save(claimedJob); err != nil {
		t.Fatal(err)
	}
	dir := env.App.DataDir()
	if err := env.App.ResetBootstrapState(); err != nil { // the process stops
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	again := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env"})
	if err := again.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer again.ResetBootstrapState()
	if err := server.Register(again); err != nil {
		t.Fatal(err)
	}
	stop, err := forms.StartArchiveWorker(again)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, c := range []struct{ id, field, form string }{
		{draft.Id, collections.AppArchivePDF, "application"},
		{accepting.Id, collections.AppNoticePDF, "notice"},
	} {
		rec := waitForCopy(t, again, collections.Applications, c.id, c.field)
		if text := pdfText(t, readFile(t, again, rec, rec.GetString(c.field))); !strings.Contains(text, reservedCode(t, again, c.form, c.id)) {
			t.Errorf("the %s copy after the restart lacks its reserved code", c.form)
		}
	}
}

// forceStatus puts a demo application in status as the system would
// (arranging a test's starting point).
func forceStatus(env *testenv.Env, a *core.Record, status string) error {
	a.Set(collections.AppStatus, status)
	a.Set(collections.AppStreet, env.Org("DL").Id)
	a.Set(collections.AppSerial, "约申〔2026〕第8800号")
	a.Set(collections.AppSerialYear, 2026)
	a.Set(collections.AppSerialNo, 8800)
	return env.SaveAsSystem(a)
}

// TestArchiveClaimsAreTakenOnce: two workers on one app and a third on
// another app opened on the same data dir (another process) drain the
// same queue of 12 jobs at once: every job is rendered exactly once,
// claimed once (one attempt) and done.
func TestArchiveClaimsAreTakenOnce(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	draft := application(env, canteen)
	submit(t, env, draft.Id)
	original := jobOf(t, env.App, draft.Id, collections.AppArchivePDF)
	const jobs = 12
	for range jobs - 1 {
		c := core.NewRecord(original.Collection())
		for k, v := range original.FieldsData() {
			if k != collections.FieldID && k != collections.FieldCreated && k != collections.FieldUpdated {
				c.Set(k, v)
			}
		}
		if err := env.App.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	other := core.NewBaseApp(core.BaseAppConfig{DataDir: env.App.DataDir(), EncryptionEnv: "pb_test_env"})
	if err := other.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer other.ResetBootstrapState()
	var renders atomic.Int32
	counting := func(form string, data []byte) ([]byte, error) {
		renders.Add(1)
		return forms.RenderArchive(form, data)
	}
	var wg sync.WaitGroup
	tried := make([]int, 3)
	for i, app := range []core.App{env.App, env.App, other} {
		w := forms.NewArchiveWorker(app)
		w.SetRender(counting)
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.Drain(context.Background())
			if err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
			tried[i] = n
		}()
	}
	wg.Wait()
	if got := renders.Load(); got != jobs {
		t.Errorf("%d renders for %d jobs", got, jobs)
	}
	if tried[0]+tried[1]+tried[2] != jobs {
		t.Errorf("the workers tried %v jobs, want %d in all", tried, jobs)
	}
	all, err := env.App.FindRecordsByFilter(collections.ArchiveJobs, "record_id = {:id}", "", 0, 0, map[string]any{"id": draft.Id})
	if err != nil || len(all) != jobs {
		t.Fatalf("%d jobs (%v)", len(all), err)
	}
	for _, j := range all {
		if j.GetString(collections.JobState) != collections.JobDone || j.GetInt(collections.JobAttempts) != 1 {
			t.Errorf("job %s: %s after %d attempts (%s)", j.Id, j.GetString(collections.JobState), j.GetInt(collections.JobAttempts), j.GetString(collections.JobLastError))
		}
	}
	t.Logf("jobs per worker: %v", tried)
}

// TestFailedMoveQueuesNothing: a move rolled back (here with the other
// writes of an outer transaction, as a sync push applies its mutations)
// leaves no job, no reserved code and no pending mark; and a move whose
// job cannot be written (the queue is gone) is refused as a whole.
func TestFailedMoveQueuesNothing(t *testing.T) {
	t.Parallel()
	t.Run("rolled back", func(t *testing.T) {
		env := testenv.New(t)
		draft := application(env, canteen)
		err := env.App.RunInTransaction(func(tx core.App) error {
			rec, err := tx.FindRecordById(collections.Applications, draft.Id)
			if err != nil {
				return err
			}
			rec.Set(collections.AppStatus, workflow.StatusSubmitted)
			if err := tx.SaveWithContext(savectx.AsUser(context.Background(), env.User(staff2)), rec); err != nil {
				return err
			}
			if n, _ := tx.CountRecords(collections.ArchiveJobs, dbx.HashExp{"record_id": draft.Id}); n != 1 {
				t.Errorf("inside the move's transaction: %d jobs, want 1", n)
			}
			return errors.New("a later write of the batch fails")
		})
		if err == nil {
			t.Fatal("the transaction did not fail")
		}
		noTrace(t, env, draft.Id, workflow.StatusDraft)
	})
	t.Run("queue gone", func(t *testing.T) {
		env := testenv.New(t)
		c, err := env.App.FindCollectionByNameOrId(collections.ArchiveJobs)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.App.Delete(c); err != nil {
			t.Fatal(err)
		}
		draft := application(env, canteen)
		if res := env.Do("PATCH", "/api/collections/applications/records/"+draft.Id, staff2, map[string]any{"status": "submitted"}); res.Status < 400 {
			t.Fatalf("submit without a queue: %d %s", res.Status, res)
		}
		noTrace(t, env, draft.Id, workflow.StatusDraft)
	})
}

// noTrace wants the application still in status, with no archive job,
// print row, pending mark or submit event.
func noTrace(t *testing.T, env *testenv.Env, id, status string) {
	t.Helper()
	rec, _ := env.App.FindRecordById(collections.Applications, id)
	if rec.GetString(collections.AppStatus) != status || len(rec.GetStringSlice(collections.ArchivePending)) != 0 {
		t.Errorf("record after the failed move: %v", rec.FieldsData())
	}
	if n, err := env.App.CountRecords(collections.ArchiveJobs, dbx.HashExp{"record_id": id}); err == nil && n != 0 {
		t.Errorf("%d archive jobs left by the failed move", n)
	}
	if n, _ := env.App.CountRecords("form_prints", dbx.HashExp{"record_id": id, "archive": true}); n != 0 {
		t.Errorf("%d print rows left by the failed move", n)
	}
	if n, _ := env.App.CountRecords(collections.Events, dbx.NewExp("record_id = {:id} AND action = 'submit'", dbx.Params{"id": id})); n != 0 {
		t.Errorf("%d submit events left by the failed move", n)
	}
}

// TestServeStartsTheArchiveWorker: serving the app (a ServeEvent with a
// server, as `yuetan serve` triggers it) starts the worker, which stores a
// copy queued before the start; terminating stops it.
func TestServeStartsTheArchiveWorker(t *testing.T) {
	t.Parallel()
	app := testenv.NewApp(t)
	env := testenv.Wrap(t, app)
	draft := application(env, canteen)
	draft.Set(collections.AppStatus, workflow.StatusSubmitted)
	if err := app.SaveWithContext(savectx.AsUser(context.Background(), env.User(staff2)), draft); err != nil {
		t.Fatal(err)
	}
	if rec, _ := app.FindRecordById(collections.Applications, draft.Id); rec.GetString(collections.AppArchivePDF) != "" {
		t.Fatal("stored before any worker ran")
	}
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: router, Server: &http.Server{}}, func(*core.ServeEvent) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	waitForCopy(t, app, collections.Applications, draft.Id, collections.AppArchivePDF)
	done := make(chan error, 1)
	go func() { done <- app.OnTerminate().Trigger(&core.TerminateEvent{App: app}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("terminate did not stop the worker")
	}
}

// TestResubmissionQueuesAnotherCopy: an application returned and
// submitted again before the worker ran has two copies queued and stays
// pending until the second is stored; the stored copy is the second's.
func TestResubmissionQueuesAnotherCopy(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	draft := application(env, canteen)
	url := "/api/collections/applications/records/" + draft.Id
	submit(t, env, draft.Id)
	do(t, env, "PATCH", url, street2, map[string]any{"status": "draft", "decision_note": "请补充涉及户数"})
	queued(t, submit(t, env, draft.Id), collections.AppArchivePDF)
	jobs, _ := env.App.FindRecordsByFilter(collections.ArchiveJobs, "record_id = {:id}", "created", 0, 0, map[string]any{"id": draft.Id})
	if len(jobs) != 2 {
		t.Fatalf("%d jobs after two submissions", len(jobs))
	}
	// the first copy is stored while the second waits: the mark stays
	jobs[1].Set(collections.JobNextAt, time.Now().Add(time.Hour).UTC())
	if err := env.App.Save(jobs[1]); err != nil {
		t.Fatal(err)
	}
	w := forms.NewArchiveWorker(env.App)
	if n, err := w.Drain(context.Background()); n != 1 || err != nil {
		t.Fatalf("drain: %d jobs, %v", n, err)
	}
	if rec, _ := env.App.FindRecordById(collections.Applications, draft.Id); rec.GetString(collections.AppArchivePDF) == "" ||
		len(rec.GetStringSlice(collections.ArchivePending)) != 1 {
		t.Fatalf("after the first copy: archive_pdf %q, pending %v", rec.GetString(collections.AppArchivePDF), rec.GetStringSlice(collections.ArchivePending))
	}
	w.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	if n, err := w.Drain(context.Background()); n != 1 || err != nil {
		t.Fatalf("drain: %d jobs, %v", n, err)
	}
	rec, _ := env.App.FindRecordById(collections.Applications, draft.Id)
	if len(rec.GetStringSlice(collections.ArchivePending)) != 0 {
		t.Errorf("still pending after both copies: %v", rec.GetStringSlice(collections.ArchivePending))
	}
	if text := pdfText(t, readFile(t, env.App, rec, rec.GetString(collections.AppArchivePDF))); !strings.Contains(text, jobs[1].GetString(collections.JobCode)) {
		t.Error("the stored copy is not the resubmission's")
	}
}

// TestArchiveWorkerGivesWay: while requests keep every core busy the
// worker does not render (the job is still pending after half of
// ArchiveMaxDelay); after ArchiveMaxDelay it renders all the same. With a
// core free (fewer requests in flight than cores) it renders at once,
// beside them.
func TestArchiveWorkerGivesWay(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	draft := application(env, canteen)
	submit(t, env, draft.Id)
	w := forms.NewArchiveWorker(env.App)
	w.Busy(runtime.GOMAXPROCS(0))
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := w.Drain(context.Background())
		done <- err
	}()
	time.Sleep(forms.ArchiveMaxDelay / 2)
	if job := jobOf(t, env.App, draft.Id, collections.AppArchivePDF); job.GetString(collections.JobState) != collections.JobPending {
		t.Fatalf("rendered beside a request in flight: %v", job.FieldsData())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < forms.ArchiveMaxDelay {
		t.Errorf("rendered after %v, before ArchiveMaxDelay", waited)
	}
	waitForCopy(t, env.App, collections.Applications, draft.Id, collections.AppArchivePDF)
}

func TestArchiveWorkerRendersOnAFreeCore(t *testing.T) {
	t.Parallel()
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one core: every request keeps it busy")
	}
	env := testenv.New(t)
	draft := application(env, canteen)
	submit(t, env, draft.Id)
	w := forms.NewArchiveWorker(env.App)
	w.Busy(runtime.GOMAXPROCS(0) - 1)
	start := time.Now()
	if _, err := w.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited >= forms.ArchiveMaxDelay {
		t.Errorf("with a core free the worker waited %v", waited)
	}
	waitForCopy(t, env.App, collections.Applications, draft.Id, collections.AppArchivePDF)
}
