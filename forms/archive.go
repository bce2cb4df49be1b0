package forms

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"yuetan/collections"
	"yuetan/internal/drainloop"
	"yuetan/savectx"
	"yuetan/siteurl"
	"yuetan/workdays"
	"yuetan/workflow"
)

// archiveRule is a move whose form is stored on the record as its archive
// copy. moved tells cheaply, from the save, that it may be the move; a
// save by a user (which the workflow hooks checked) with the audit-trail
// row the workflow writes for the move confirms it, so the system's own
// saves (derived moves, fixtures, imports, the worker's) never archive.
type archiveRule struct {
	collection string
	form       string
	field      string
	actions    []string // events.action of the move
	moved      func(old, now *core.Record) bool
}

func changedTo(field, value string) func(old, now *core.Record) bool {
	return func(old, now *core.Record) bool {
		return old.GetString(field) != value && now.GetString(field) == value
	}
}

var archiveRules = []archiveRule{
	// submission: the application form (《群众约谈登记申报表》)
	{collections.Applications, "application", collections.AppArchivePDF, []string{"submit"},
		changedTo(collections.AppStatus, workflow.StatusSubmitted)},
	// acceptance: the assignment notice (《群众约谈交办通知单》)
	{collections.Applications, "notice", collections.AppNoticePDF, []string{"accept"},
		changedTo(collections.AppStatus, workflow.StatusAccepted)},
	// the talk recorded: the talk record (《群众约谈情况登记表》)
	{collections.Talks, "talk", collections.TalkArchivePDF, []string{"resolve_on_spot", "assign"},
		func(old, now *core.Record) bool {
			return old.GetString(collections.TalkOutcome) == "" && now.GetString(collections.TalkOutcome) != ""
		}},
	// the leader approves the feedback: the feedback form (《群众约谈事项办理情况反馈表》)
	{collections.Feedback, "feedback", collections.FbArchivePDF, []string{"approve_feedback"},
		changedTo(collections.FbLeaderDecision, workflow.DecisionApproved)},
}

// queuedKey is the record custom-data key a save that queued an archive
// copy carries, so that its after-commit hook wakes the worker.
const queuedKey = "@yuetan_archive_queued"

// ArchiveHookID, followed by the collection's name, is the id of the
// save hook that queues the archive copies (a benchmark unbinds it to
// measure moves that archive nothing).
const ArchiveHookID = "yuetan.forms.archive."

// bindArchive queues the archive copies in the moves' own transactions:
// the move, its print row (the verification code the copy will carry) and
// the job commit or fail together; the worker renders and stores the PDF
// afterwards (archive_queue.go), so a failed copy never undoes the move.
func bindArchive(app core.App) {
	byCollection := map[string][]archiveRule{}
	for _, rule := range archiveRules {
		byCollection[rule.collection] = append(byCollection[rule.collection], rule)
	}
	for coll, rules := range byCollection {
		// before the workflow's execute hook, so that its writes (the
		// record, the audit trail) are done when e.Next() returns
		app.OnRecordUpdateExecute(coll).Bind(&hook.Handler[*core.RecordEvent]{
			Id:       ArchiveHookID + coll,
			Priority: -100,
			Func:     func(e *core.RecordEvent) error { return queueArchive(e, rules) },
		})
		app.OnRecordAfterUpdateSuccess(coll).BindFunc(func(e *core.RecordEvent) error {
			if queued, _ := e.Record.GetRaw(queuedKey).(bool); queued {
				e.Record.SetRaw(queuedKey, nil)
				wakeArchiveWorker(e.App)
			}
			return e.Next()
		})
	}
}

// queueArchive saves e's record and, for each of rules the save makes,
// marks the copy pending on the record and queues it, in one transaction.
func queueArchive(e *core.RecordEvent, rules []archiveRule) error {
	actor := savectx.Of(e.Context, e.Record)
	if actor.System {
		return e.Next()
	}
	var moves []archiveRule
	for _, rule := range rules {
		if rule.moved(e.Record.Original(), e.Record) {
			moves = append(moves, rule)
		}
	}
	if len(moves) == 0 {
		return e.Next()
	}
	before := e.Record.GetStringSlice(collections.ArchivePending)
	pending := slices.Clone(before)
	for _, rule := range moves {
		if !slices.Contains(pending, rule.field) {
			pending = append(pending, rule.field)
		}
	}
	// written with the move: the copy is pending from the moment the move is visible
	e.Record.Set(collections.ArchivePending, pending)
	at := savectx.Now(e.Context).In(workdays.Shanghai)
	base := siteurl.ForSave(e.App, e.Context, e.Record)
	return savectx.InTransaction(e, func(tx core.App) error {
		if err := e.Next(); err != nil {
			return err
		}
		kept := slices.Clone(before)
		for _, rule := range moves {
			if !confirmed(tx, e.Record, rule.actions) {
				continue
			}
			if !slices.Contains(kept, rule.field) {
				kept = append(kept, rule.field)
			}
			if err := enqueue(tx, rule, e.Record.Id, producerOf(actor), at, base); err != nil {
				return fmt.Errorf("forms: queue the %s archive copy: %w", rule.form, err)
			}
			e.Record.SetRaw(queuedKey, true)
		}
		if len(kept) == len(pending) {
			return nil
		}
		// a save that looked like a move and was none: no copy is coming
		e.Record.Set(collections.ArchivePending, kept)
		return writePending(tx, e.Record)
	})
}

// writePending stores rec's archive_pending as it is now, and nothing
// else of rec (inside the save that wrote the rest).
func writePending(tx core.App, rec *core.Record) error {
	f, ok := rec.Collection().Fields.GetByName(collections.ArchivePending).(core.DriverValuer)
	if !ok {
		return fmt.Errorf("forms: %s has no %s", rec.Collection().Name, collections.ArchivePending)
	}
	v, err := f.DriverValue(rec)
	if err != nil {
		return err
	}
	_, err = tx.DB().Update(rec.Collection().Name, map[string]any{collections.ArchivePending: v}, dbxHash(collections.FieldID, rec.Id)).Execute()
	return err
}

// confirmed reports whether the audit trail holds the move on rec (any
// row of it counts: inside an outer transaction, such as the demo seed's,
// a record may have made the move before).
func confirmed(tx core.App, rec *core.Record, actions []string) bool {
	var row struct {
		N int `db:"n"`
	}
	err := tx.DB().NewQuery(`SELECT COUNT(*) AS n FROM events
		WHERE record_collection = {:c} AND record_id = {:id} AND action IN ('` + strings.Join(actions, "','") + `')`).
		Bind(map[string]any{"c": rec.Collection().Name, "id": rec.Id}).One(&row)
	return err == nil && row.N > 0
}

// enqueue maps rule's form for the record with id as the move left it,
// reserves its verification code (the print row, registered as produced
// by who made the move) and writes the job holding the mapped form: the
// copy the worker renders later is the form as of the move.
func enqueue(tx core.App, rule archiveRule, id string, by producer, at time.Time, base string) error {
	form, _ := formByName(rule.form)
	t, err := resolve(tx, form, id)
	if err != nil {
		return err
	}
	if err := stageError(t); err != nil {
		return err
	}
	m, err := newMapper(tx).mapTarget(t)
	if err != nil {
		return err
	}
	if err := stampUnique(tx, m, base, at); err != nil {
		return err
	}
	if _, err := register(tx, m, by, true); err != nil {
		return err
	}
	data, err := json.Marshal(m.data)
	if err != nil {
		return err
	}
	c, err := tx.FindCachedCollectionByNameOrId(collections.ArchiveJobs)
	if err != nil {
		return err
	}
	job := core.NewRecord(c)
	job.Set(collections.JobApplication, t.app.Id)
	job.Set(collections.JobRecordCollection, rule.collection)
	job.Set(collections.JobRecordID, id)
	job.Set(collections.JobForm, rule.form)
	job.Set(collections.JobField, rule.field)
	job.Set(collections.JobCode, m.meta.VerifyCode)
	job.Set(collections.JobData, json.RawMessage(data))
	job.Set(collections.JobState, collections.JobPending)
	job.Set(collections.JobNextAt, drainloop.At(time.Now())) // due now, whatever date the save replays
	return tx.SaveWithContext(savectx.AsSystem(context.Background()), job)
}
