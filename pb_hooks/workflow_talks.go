package hooks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/samber/lo"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/savectx"
	"yuetan/workdays"
	"yuetan/workflow"
)

// parentApplication loads the application a talk or feedback belongs to.
func parentApplication(app core.App, rec *core.Record) (*core.Record, error) {
	id := rec.GetString("application")
	a, err := app.FindRecordById(collections.Applications, id)
	if err != nil {
		return nil, fieldError("application", "unknown_application", "所属约谈申请不存在。")
	}
	return a, nil
}

// moveApplication plans the application's status change caused by a talk
// or feedback save at now, with the fields it sets, and starts the new
// status's clocks.
func moveApplication(p *plan, appID, to string, set map[string]any, now time.Time) {
	p.effects = append(p.effects, func(tx core.App, _ *core.Record) error {
		a, err := tx.FindRecordById(collections.Applications, appID)
		if err != nil {
			return fmt.Errorf("application %s: %w", appID, err)
		}
		ackByActing(a, actorRole(p.actor), now)
		a.Set(collections.AppStatus, to)
		for k, v := range set {
			a.Set(k, v)
		}
		deadlines.StartClocks(deadlines.Calendar(tx), a, now)
		if err := tx.SaveWithContext(derived(context.Background()), a); err != nil {
			return fmt.Errorf("move application %s: %w", appID, err)
		}
		switch to {
		case workflow.StatusResolved:
			return followIssues(tx, a, collections.IssueResolved)
		}
		return nil
	})
}

func followIssues(tx core.App, app *core.Record, status string) error {
	for _, id := range app.GetStringSlice(collections.AppIssues) {
		if err := setIssue(tx, id, app.Id, status); err != nil {
			return err
		}
	}
	return nil
}

func checkTalkCreate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		return e.Next()
	}
	app, err := parentApplication(e.App, e.Record)
	if err != nil {
		return err
	}
	from := app.GetString(collections.AppStatus)
	t, err := workflow.CanTransition(from, workflow.StatusScheduled, workflow.ViaTalkCreate, WorkflowActor(a), SubjectOf(app))
	if err != nil {
		return refuse(collections.TalkApplication, err)
	}
	// the leader is the writer, the record fields empty (bindServerFields)
	p := &plan{application: app.Id, action: t.Action, from: from, to: t.To, actor: a, seen: []snapshot{snap(app)},
		note: fmt.Sprintf("%s，%s", e.Record.GetString(collections.TalkPlace), workflow.TalkFormLabels[e.Record.GetString(collections.TalkForm)])}
	moveApplication(p, app.Id, t.To, map[string]any{
		collections.AppScheduledAt: savectx.Now(e.Context),
		// a scheduled talk is due on its scheduled day
		collections.AppTalkDue: deadlines.EndOfDay(e.Record.GetDateTime(collections.TalkScheduledAt).Time()),
	}, savectx.Now(e.Context))
	setPlan(e.Record, p)
	return e.Next()
}

func checkTalkUpdate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		return e.Next()
	}
	rec := e.Record
	changed := collections.ChangedFields(rec)
	if len(changed) == 0 {
		return e.Next()
	}
	app, err := parentApplication(e.App, rec)
	if err != nil {
		return err
	}
	if rec.GetString(collections.TalkApplication) != rec.Original().GetString(collections.TalkApplication) {
		return fieldError(collections.TalkApplication, "immutable", "约谈记录不能改属其他申请。")
	}
	status := app.GetString(collections.AppStatus)
	actor := WorkflowActor(a)
	old := rec.Original()
	// who recorded the talk is the server's: it stays as the server set it
	rec.Set(collections.TalkLeader, old.Get(collections.TalkLeader))
	changed = collections.ChangedFields(rec)
	if len(changed) == 0 {
		return e.Next()
	}
	if old.GetString(collections.TalkOutcome) != "" || rec.GetString(collections.TalkOutcome) == "" {
		// not the recording of the talk: a plain edit
		if err := workflow.CanEdit(collections.Talks, status, changed, actor, SubjectOf(app)); err != nil {
			return refuse(changed[0], err)
		}
		p := &plan{seen: []snapshot{snap(old), snap(app)}}
		if status == workflow.StatusScheduled && slices.Contains(changed, collections.TalkScheduledAt) {
			// the talk's day moved: so does its clock
			due := deadlines.EndOfDay(rec.GetDateTime(collections.TalkScheduledAt).Time())
			p.effects = append(p.effects, func(tx core.App, _ *core.Record) error {
				a, err := tx.FindRecordById(collections.Applications, app.Id)
				if err != nil {
					return err
				}
				a.Set(collections.AppTalkDue, due)
				return tx.SaveWithContext(derived(context.Background()), a)
			})
		}
		setPlan(rec, p)
		return e.Next()
	}
	outcome := rec.GetString(collections.TalkOutcome)
	to := workflow.StatusResolved
	if outcome == workflow.OutcomeAssigned {
		to = workflow.StatusInHandling
	}
	t, err := workflow.CanTransition(status, to, workflow.ViaTalkUpdate, actor, SubjectOf(app))
	if err != nil {
		return refuse(collections.TalkOutcome, err)
	}
	if extra := lo.Without(changed, t.Fields...); len(extra) > 0 {
		return fieldError(extra[0], "fields_not_allowed", fmt.Sprintf("“%s”时不能同时修改：%s。", t.Label, strings.Join(extra, "、")))
	}
	now := savectx.Now(e.Context)
	if rec.GetDateTime(collections.TalkHeldAt).IsZero() {
		rec.Set(collections.TalkHeldAt, now)
	}
	if err := checkHeldAt(rec.GetDateTime(collections.TalkHeldAt).Time(), app, now); err != nil {
		return err
	}
	for _, f := range []string{collections.TalkRecord, collections.TalkResponse} {
		if strings.TrimSpace(rec.GetString(f)) == "" {
			return fieldError(f, "required", "请填写群众反映的主要问题和领导答复及处理意见。")
		}
	}
	set := map[string]any{}
	if outcome == workflow.OutcomeAssigned {
		if err := checkAssignment(e.App, rec, now); err != nil {
			return err
		}
		rec.Set(collections.TalkHandlingDue, deadlines.EndOfDay(rec.GetDateTime(collections.TalkHandlingDue).Time()))
		set[collections.AppHandlingUnit] = rec.GetString(collections.TalkHandlingUnit)
		set[collections.AppHandlingDue] = rec.GetDateTime(collections.TalkHandlingDue)
	} else {
		for _, f := range []string{collections.TalkHandlingUnit, collections.TalkResponsible, collections.TalkHandlingDue} {
			rec.Set(f, nil)
		}
		set[collections.AppResolvedAt] = now
	}
	p := &plan{application: app.Id, action: t.Action, from: status, to: to, actor: a, note: rec.GetString(collections.TalkResponse),
		seen: []snapshot{snap(old), snap(app)}}
	moveApplication(p, app.Id, to, set, now)
	setPlan(rec, p)
	return e.Next()
}

// heldAtSkew is how far in the future a talk's time may be: the tablet's
// or browser's clock may run a little ahead of the server's.
const heldAtSkew = 10 * time.Minute

// checkHeldAt checks the time a talk was held: not in the future and not
// before the day the leader was notified of the matter.
func checkHeldAt(held time.Time, app *core.Record, now time.Time) error {
	if held.After(now.Add(heldAtSkew)) {
		return fieldError(collections.TalkHeldAt, "held_in_future", "实际约谈时间不能晚于现在。")
	}
	notified := app.GetDateTime(collections.AppNotifiedAt).Time()
	if notified.IsZero() {
		notified = app.GetDateTime(collections.AppAcceptedAt).Time()
	}
	if !notified.IsZero() {
		d := notified.In(workdays.Shanghai)
		dayStart := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, workdays.Shanghai)
		if held.Before(dayStart) {
			return fieldError(collections.TalkHeldAt, "held_before_notice", fmt.Sprintf(
				"实际约谈时间不能早于交办通知送达之日（%s）。", workdays.DisplayDate(dayStart)))
		}
	}
	return nil
}

// checkAssignment checks an assigned talk names a department, a handler of
// it and a deadline after the talk.
func checkAssignment(app core.App, talk *core.Record, now time.Time) error {
	unitID := talk.GetString(collections.TalkHandlingUnit)
	unit, err := app.FindRecordById(collections.Orgs, unitID)
	if err != nil || unit.GetString(collections.OrgKind) != collections.OrgDepartment {
		return fieldError(collections.TalkHandlingUnit, "department_required", "交办解决须指定承办的职能部门。")
	}
	resp, err := app.FindRecordById(collections.Users, talk.GetString(collections.TalkResponsible))
	if err != nil || resp.GetString(collections.UserRole) != workflow.RoleHandler || resp.GetString(collections.UserOrg) != unitID {
		return fieldError(collections.TalkResponsible, "handler_required", "责任人须是承办单位的承办人。")
	}
	due := talk.GetDateTime(collections.TalkHandlingDue).Time()
	if due.IsZero() || !deadlines.EndOfDay(due).After(now) {
		return fieldError(collections.TalkHandlingDue, "due_required", "请填写晚于今天的办结时限。")
	}
	return nil
}
