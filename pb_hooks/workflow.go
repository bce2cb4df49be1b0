package hooks

import (
	"context"
	"fmt"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/workflow"
)

// bindWorkflow binds the transition checks and their atomic side writes.
func bindWorkflow(app core.App) error {
	app.OnRecordCreate(collections.Applications).BindFunc(checkApplicationCreate)
	app.OnRecordUpdate(collections.Applications).BindFunc(checkApplicationUpdate)
	app.OnRecordDelete(collections.Applications).BindFunc(checkApplicationDelete)
	app.OnRecordCreate(collections.Talks).BindFunc(checkTalkCreate)
	app.OnRecordUpdate(collections.Talks).BindFunc(checkTalkUpdate)
	app.OnRecordCreate(collections.Feedback).BindFunc(checkFeedbackCreate)
	app.OnRecordUpdate(collections.Feedback).BindFunc(checkFeedbackUpdate)
	app.OnRecordUpdate(collections.Issues).BindFunc(checkIssueUpdate)
	app.OnRecordCreate(collections.Supervisions).BindFunc(checkSupervisionCreate)
	for _, c := range []string{collections.Applications, collections.Talks, collections.Feedback, collections.Supervisions} {
		app.OnRecordCreateExecute(c).BindFunc(executePlan)
		app.OnRecordUpdateExecute(c).BindFunc(executePlan)
		app.OnRecordDeleteExecute(c).BindFunc(executePlan)
	}
	return nil
}

// planKey is the record custom-data key under which the checking hook
// leaves what the save must also do, for the execute hook to do it in the
// same transaction.
const planKey = "@yuetan_plan"

// plan is what a checked save must write besides the record itself.
type plan struct {
	application string // the application the event is about
	action      string
	from, to    string
	note        string
	actor       savectx.Actor
	// seen are the stored records the checks decided on, as they read
	// them: inside the write's transaction each must still be so, or the
	// write is refused (two concurrent moves from one state: one wins).
	seen []snapshot
	// before run inside the transaction just before the record is written,
	// effects just after.
	before, effects []func(tx core.App, rec *core.Record) error
}

// snapshot is a stored record's values as a check read them.
type snapshot struct {
	collection, id string
	values         map[string]string
}

// snap takes rec's decisive values: every field but the timestamps,
// files and the archive copies' pending marks (archive copies and scans
// land after a move without changing what any check decides).
func snap(rec *core.Record) snapshot {
	s := snapshot{collection: rec.Collection().Name, id: rec.Id, values: map[string]string{}}
	for _, f := range rec.Collection().Fields {
		switch f.(type) {
		case *core.AutodateField, *core.FileField:
			continue
		}
		if f.GetName() == collections.ArchivePending {
			continue
		}
		s.values[f.GetName()] = fmt.Sprint(rec.GetRaw(f.GetName()))
	}
	return s
}

// stillSo checks, inside the transaction, that the record s was taken of
// has not changed since.
func (s snapshot) stillSo(tx core.App) error {
	now, err := tx.FindRecordById(s.collection, s.id)
	if err != nil {
		return fieldError(collections.FieldID, "gone", "要办理的记录已不存在，本次操作未执行。")
	}
	for name, was := range s.values {
		if fmt.Sprint(now.GetRaw(name)) == was {
			continue
		}
		if s.collection == collections.Applications {
			return fieldError(collections.AppStatus, "changed_meanwhile", fmt.Sprintf(
				"这份申请刚刚已被办理或修改（现为“%s”），本次操作未执行，请刷新后重试。", workflow.StatusLabels[now.GetString(collections.AppStatus)]))
		}
		return fieldError(name, "changed_meanwhile", "这条记录刚刚已被他人修改，本次操作未执行，请刷新后重试。")
	}
	return nil
}

func setPlan(rec *core.Record, p *plan) { rec.SetRaw(planKey, p) }

func getPlan(rec *core.Record) *plan {
	p, _ := rec.GetRaw(planKey).(*plan)
	return p
}

// derived marks saves that the workflow itself makes as a consequence of
// another checked save (a talk moving its application): they are trusted.
func derived(ctx context.Context) context.Context { return savectx.WithActor(ctx, savectx.System) }

// executePlan writes the record and everything its plan asks for in one
// transaction (REST saves are not transactional on their own).
func executePlan(e *core.RecordEvent) error {
	p := getPlan(e.Record)
	if p == nil {
		return e.Next()
	}
	return savectx.InTransaction(e, func(tx core.App) error {
		for _, s := range p.seen {
			if err := s.stillSo(tx); err != nil {
				return err
			}
		}
		for _, step := range p.before {
			if err := step(tx, e.Record); err != nil {
				return err
			}
		}
		if err := e.Next(); err != nil {
			return err
		}
		for _, effect := range p.effects {
			if err := effect(tx, e.Record); err != nil {
				return err
			}
		}
		if p.action == "" {
			return nil
		}
		appID := p.application
		if appID == "" {
			appID = e.Record.Id
		}
		return writeEvent(tx, appID, e.Record, p, savectx.Now(e.Context))
	})
}

// writeEvent records the move at the save's time (the wall clock, or the
// replayed date of a demo or test save).
func writeEvent(tx core.App, appID string, rec *core.Record, p *plan, at time.Time) error {
	c, err := tx.FindCachedCollectionByNameOrId(collections.Events)
	if err != nil {
		return fmt.Errorf("events collection: %w", err)
	}
	ev := core.NewRecord(c)
	ev.Set(collections.EvApplication, appID)
	ev.Set(collections.EvRecordCollection, rec.Collection().Name)
	ev.Set(collections.EvRecordID, rec.Id)
	ev.Set(collections.EvAction, p.action)
	ev.Set(collections.EvFromStatus, p.from)
	ev.Set(collections.EvToStatus, p.to)
	ev.Set(collections.EvNote, p.note)
	if created, err := types.ParseDateTime(at.UTC()); err == nil {
		ev.SetRaw(collections.FieldCreated, created)
	}
	switch {
	case p.actor.IsSuperuser():
		ev.Set(collections.EvActorName, "超级管理员 "+p.actor.Record.Email())
	case p.actor.Record != nil:
		ev.Set(collections.EvActor, p.actor.Record.Id)
		ev.Set(collections.EvActorName, p.actor.Record.GetString(collections.UserName))
	default:
		ev.Set(collections.EvActorName, "系统")
	}
	if err := tx.Save(ev); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return nil
}

func writeSupervision(tx core.App, appID, kind, note string, a savectx.Actor) error {
	c, err := tx.FindCachedCollectionByNameOrId(collections.Supervisions)
	if err != nil {
		return err
	}
	r := core.NewRecord(c)
	r.Set(collections.SupApplication, appID)
	r.Set(collections.SupKind, kind)
	r.Set(collections.SupNote, note)
	if a.Record != nil && !a.IsSuperuser() {
		r.Set(collections.SupCreatedBy, a.Record.Id)
	}
	if err := tx.SaveWithContext(derived(context.Background()), r); err != nil {
		return fmt.Errorf("write supervision: %w", err)
	}
	return nil
}

// WorkflowActor turns the saving actor into the workflow's view of it.
func WorkflowActor(a savectx.Actor) workflow.Actor {
	id := a.ID()
	if a.IsSuperuser() {
		id = ""
	}
	return workflow.Actor{ID: id, Role: actorRole(a), Org: actorOrg(a)}
}

// SubjectOf is what the workflow's scope checks need of an application.
func SubjectOf(app *core.Record) workflow.Subject {
	fields := map[string]string{}
	for _, f := range whenFields {
		fields[f] = app.GetString(f)
	}
	return workflow.Subject{
		Community:      app.GetString(collections.AppCommunity),
		Street:         app.GetString(collections.AppStreet),
		AssignedLeader: app.GetString(collections.AppAssignedLeader),
		HandlingUnit:   app.GetString(collections.AppHandlingUnit),
		Fields:         fields,
	}
}

var whenFields = workflow.WhenFields()

// refuse turns a workflow error into PocketBase's 400 shape on field.
func refuse(field string, err error) error {
	code := "workflow"
	if we, ok := err.(*workflow.Error); ok {
		code = we.Code
	}
	return validation.Errors{field: validation.NewError(code, err.Error())}
}

func fieldError(field, code, msg string) error {
	return validation.Errors{field: validation.NewError(code, msg)}
}
