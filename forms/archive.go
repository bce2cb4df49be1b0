package forms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/siteurl"
	"yuetan/workdays"
	"yuetan/workflow"
)

// archiveRule is a move whose form is stored on the record as its archive
// copy. moved tells cheaply, from the save, that it may be the move; a
// save by a user (which the workflow hooks checked) with the audit-trail
// row the workflow writes for the move confirms it, so the system's own
// saves (derived moves, fixtures, imports) never archive.
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

// bindArchive stores the archive copies once the moves are saved (after
// the commit: a failed move never leaves a copy, and a failed copy never
// undoes the move).
func bindArchive(app core.App) {
	for _, rule := range archiveRules {
		app.OnRecordAfterUpdateSuccess(rule.collection).BindFunc(func(e *core.RecordEvent) error {
			err := e.Next()
			if rule.moved(e.Record.Original(), e.Record) && confirmed(e, rule.actions) {
				archive(e, rule)
			}
			return err
		})
	}
}

// confirmed reports whether a user made the save and the audit trail holds
// the move. (Inside a transaction, such as the demo seed, this hook runs
// after the commit, when later moves may have followed: any row of the
// move counts, not only the latest.)
func confirmed(e *core.RecordEvent, actions []string) bool {
	if savectx.Of(e.Context, e.Record).System {
		return false
	}
	var row struct {
		N int `db:"n"`
	}
	err := e.App.DB().NewQuery(`SELECT COUNT(*) AS n FROM events
		WHERE record_collection = {:c} AND record_id = {:id} AND action IN ('` + strings.Join(actions, "','") + `')`).
		Bind(map[string]any{"c": e.Record.Collection().Name, "id": e.Record.Id}).One(&row)
	return err == nil && row.N > 0
}

// archive stores the archive copy of the move e saved, logging a failure.
func archive(e *core.RecordEvent, rule archiveRule) {
	actor := savectx.Of(e.Context, e.Record)
	at := savectx.Now(e.Context).In(workdays.Shanghai)
	ctx := context.Background()
	if e.Context != nil {
		ctx = context.WithoutCancel(e.Context)
	}
	base := siteurl.ForSave(e.App, e.Context, e.Record)
	if err := storeArchive(e.App, ctx, rule, e.Record.Id, producerOf(actor), at, base); err != nil {
		e.App.Logger().Error("forms: archive copy not stored; the move stands",
			"form", rule.form, "collection", rule.collection, "record", e.Record.Id, "error", err)
	}
}

// storeArchive renders rule's form for the record with id as it is stored
// now, attaches it to the record as the system and registers the print as
// produced by who made the move, in one transaction.
func storeArchive(app core.App, ctx context.Context, rule archiveRule, id string, by producer, at time.Time, base string) error {
	form, _ := formByName(rule.form)
	t, err := resolve(app, form, id)
	if err != nil {
		return err
	}
	if err := stageError(t); err != nil {
		return err
	}
	m, err := newMapper(app).mapTarget(t)
	if err != nil {
		return err
	}
	if err := stampUnique(app, m, base, at); err != nil {
		return err
	}
	b, err := m.pdf()
	if err != nil {
		return err
	}
	file, err := filesystem.NewFileFromBytes(b, rule.form+".pdf")
	if err != nil {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		// a fresh copy: the saved one still carries the move's plan
		rec, err := tx.FindRecordById(rule.collection, id)
		if err != nil {
			return err
		}
		rec.Set(rule.field, file)
		if err := tx.SaveWithContext(savectx.WithActor(ctx, savectx.System), rec); err != nil {
			return fmt.Errorf("save %s: %w", rule.field, err)
		}
		_, err = register(tx, m, by, true)
		return err
	})
}
