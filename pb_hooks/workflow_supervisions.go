package hooks

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/savectx"
	"yuetan/workdays"
	"yuetan/workflow"
)

// aimedKinds are the supervision records aimed at whoever holds the
// matter: they land in the holder's queue (and the inbox).
var aimedKinds = []string{collections.SupReminder, collections.SupOverdue, collections.SupCriticism, collections.SupAccountability}

// checkSupervisionCreate checks a supervisor's record and sets what the
// server decides: whom it is aimed at (the holder of the matter's stage),
// the status it was written in; a reminder needs a matter someone still
// holds, and a second identical reminder on the same day must be
// confirmed (repeat), decided inside the write's transaction so that of
// two at once exactly one goes through unconfirmed.
func checkSupervisionCreate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		return e.Next()
	}
	rec := e.Record
	for _, f := range []string{collections.SupTargetUser, collections.SupTargetOrg, collections.SupTargetRole, collections.SupStatus,
		collections.SupDeadline, collections.SupDueOn} {
		rec.Set(f, "")
	}
	kind := rec.GetString(collections.SupKind)
	appID := rec.GetString(collections.SupApplication)
	if kind == collections.SupBulletin {
		return e.Next()
	}
	if appID == "" {
		return fieldError(collections.SupApplication, "application_required", "请指明督办的约谈事项。")
	}
	app, err := e.App.FindRecordById(collections.Applications, appID)
	if err != nil {
		return fieldError(collections.SupApplication, "unknown_application", "所督办的约谈事项不存在。")
	}
	status := app.GetString(collections.AppStatus)
	rec.Set(collections.SupStatus, status)
	now := savectx.Now(e.Context)
	if created, err := types.ParseDateTime(now.UTC()); err == nil {
		rec.SetRaw(collections.FieldCreated, created) // the same-day check counts by it
	}
	p := &plan{seen: []snapshot{snap(app)}}
	switch kind {
	case collections.SupFollowUp:
		if rec.GetString(collections.SupSatisfaction) == "" {
			return fieldError(collections.SupSatisfaction, "required", "请记录回访的满意度。")
		}
		if status != workflow.StatusReplied && status != workflow.StatusClosed {
			return fieldError(collections.SupApplication, "not_replied", "事项答复约谈主体后才能回访。")
		}
		if status == workflow.StatusReplied && rec.GetString(collections.SupSatisfaction) == workflow.SatisfactionDissatisfied {
			// the office's own finding flags the matter for 重办 as the applicant's would
			p.effects = append(p.effects, func(tx core.App, _ *core.Record) error {
				a, err := tx.FindRecordById(collections.Applications, appID)
				if err != nil {
					return err
				}
				a.Set(collections.AppDissatisfied, true)
				return tx.SaveWithContext(derived(context.Background()), a)
			})
		}
		setPlan(rec, p)
		return e.Next()
	case collections.SupClosed:
		return fieldError(collections.SupKind, "close_by_move", "销号请在事项页面办理“销号”，不能直接新增销号记录。")
	}
	rec.Set(collections.SupSatisfaction, "")
	stage, ok := deadlines.MainStage(app)
	if !ok || stage.Holder.Role == workflow.RoleSupervisor {
		if kind == collections.SupReminder {
			return fieldError(collections.SupApplication, "nothing_to_remind", fmt.Sprintf(
				"事项处于“%s”状态，没有待办理的责任人，不能督办提醒。", workflow.StatusLabels[status]))
		}
	} else {
		t := deadlines.HolderOf(e.App, app, stage)
		rec.Set(collections.SupTargetUser, t.User)
		rec.Set(collections.SupTargetOrg, t.Org)
		rec.Set(collections.SupTargetRole, t.Role)
	}
	if kind == collections.SupReminder && !rec.GetBool(collections.SupRepeat) {
		p.before = append(p.before, func(tx core.App, _ *core.Record) error {
			return refuseSameDay(tx, appID, kind, now)
		})
	}
	setPlan(rec, p)
	return e.Next()
}

// refuseSameDay refuses a reminder when one was already sent by hand on
// the matter today (Asia/Shanghai), saying who sent it and when.
func refuseSameDay(tx core.App, appID, kind string, now time.Time) error {
	d := now.In(workdays.Shanghai)
	dayStart := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, workdays.Shanghai).UTC()
	prev, err := tx.FindFirstRecordByFilter(collections.Supervisions,
		"application = {:a} && kind = {:k} && deadline = '' && created >= {:from} && created < {:to}",
		map[string]any{"a": appID, "k": kind, "from": dayStart.Format("2006-01-02 15:04:05.000Z"),
			"to": dayStart.Add(24 * time.Hour).Format("2006-01-02 15:04:05.000Z")})
	if err != nil || prev == nil {
		return nil
	}
	who := "督查"
	if u, err := tx.FindRecordById(collections.Users, prev.GetString(collections.SupCreatedBy)); err == nil {
		who = u.GetString(collections.UserName)
	}
	return fieldError(collections.SupRepeat, "duplicate_today", fmt.Sprintf(
		"今天 %s %s 已就此事项发出过督办提醒。确定要再次提醒吗？确认后将再次发出。",
		prev.GetDateTime(collections.FieldCreated).Time().In(workdays.Shanghai).Format("15:04"), who))
}
