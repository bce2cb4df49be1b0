package hooks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/samber/lo"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/workflow"
)

func checkFeedbackCreate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		if e.Record.GetString(collections.FbLeaderDecision) == "" {
			e.Record.Set(collections.FbLeaderDecision, workflow.DecisionPending)
		}
		return e.Next()
	}
	app, err := parentApplication(e.App, e.Record)
	if err != nil {
		return err
	}
	from := app.GetString(collections.AppStatus)
	t, err := workflow.CanTransition(from, workflow.StatusFeedbackSubmitted, workflow.ViaFeedbackCreate, WorkflowActor(a), SubjectOf(app))
	if err != nil {
		return refuse(collections.FbApplication, err)
	}
	// the submitter is the writer, the decisions empty (bindServerFields)
	e.Record.Set(collections.FbUnit, actorOrg(a))
	e.Record.Set(collections.FbLeaderDecision, workflow.DecisionPending)
	talk, _ := e.App.FindFirstRecordByFilter(collections.Talks, "application = {:app} && outcome = 'assigned'", map[string]any{"app": app.Id})
	if talk != nil {
		e.Record.Set(collections.FbTalk, talk.Id)
	}
	if e.Record.GetDateTime(collections.FbCompletedOn).IsZero() {
		e.Record.Set(collections.FbCompletedOn, savectx.Now(e.Context))
	}
	p := &plan{application: app.Id, action: t.Action, from: from, to: t.To, actor: a, note: e.Record.GetString(collections.FbResult), seen: []snapshot{snap(app)}}
	set := map[string]any{}
	if app.GetDateTime(collections.AppFeedbackAt).IsZero() {
		// the first feedback is what the handling deadline measures
		set[collections.AppFeedbackAt] = savectx.Now(e.Context)
	}
	moveApplication(p, app.Id, t.To, set, savectx.Now(e.Context))
	setPlan(e.Record, p)
	return e.Next()
}

func checkFeedbackUpdate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		return e.Next()
	}
	rec := e.Record
	old := rec.Original()
	changed := collections.ChangedFields(rec)
	if len(changed) == 0 {
		return e.Next()
	}
	if rec.GetString(collections.FbApplication) != old.GetString(collections.FbApplication) {
		return fieldError(collections.FbApplication, "immutable", "反馈不能改属其他申请。")
	}
	app, err := parentApplication(e.App, rec)
	if err != nil {
		return err
	}
	status := app.GetString(collections.AppStatus)
	actor := WorkflowActor(a)
	now := savectx.Now(e.Context)
	var (
		to      string
		allowed []string
	)
	switch {
	case slices.Contains(changed, collections.FbLeaderDecision):
		if old.GetString(collections.FbLeaderDecision) != workflow.DecisionPending {
			return fieldError(collections.FbLeaderDecision, "already_decided", "这份反馈已经审核过。")
		}
		switch rec.GetString(collections.FbLeaderDecision) {
		case workflow.DecisionApproved:
			to = workflow.StatusFeedbackApproved
		case workflow.DecisionReturned:
			to = workflow.StatusInHandling
		default:
			return fieldError(collections.FbLeaderDecision, "invalid_decision", "审核意见只能是同意或退回。")
		}
		allowed = []string{collections.FbLeaderDecision, collections.FbLeaderComment}
		rec.Set(collections.FbDecidedAt, now)
	case slices.Contains(changed, collections.FbRepliedOn) || slices.Contains(changed, collections.FbSatisfaction):
		to = workflow.StatusReplied
		allowed = []string{collections.FbRepliedOn, collections.FbSatisfaction, collections.FbApplicantComment}
		if old.GetString(collections.FbLeaderDecision) != workflow.DecisionApproved {
			return fieldError(collections.FbRepliedOn, "not_approved", "反馈经领导审核同意后才能向约谈主体答复。")
		}
		if rec.GetString(collections.FbSatisfaction) == "" {
			return fieldError(collections.FbSatisfaction, "required", "请记录约谈主体的满意度。")
		}
		if rec.GetDateTime(collections.FbRepliedOn).IsZero() {
			rec.Set(collections.FbRepliedOn, now)
		}
	default:
		if err := workflow.CanEdit(collections.Feedback, status, changed, actor, SubjectOf(app)); err != nil {
			return refuse(changed[0], err)
		}
		if old.GetString(collections.FbLeaderDecision) != workflow.DecisionPending {
			return fieldError(changed[0], "already_decided", "已审核的反馈不能修改；退回的事项请重新提交反馈。")
		}
		setPlan(rec, &plan{seen: []snapshot{snap(old), snap(app)}})
		return e.Next()
	}
	t, err := workflow.CanTransition(status, to, workflow.ViaFeedbackUpdate, actor, SubjectOf(app))
	if err != nil {
		return refuse(changed[0], err)
	}
	if extra := lo.Without(changed, allowed...); len(extra) > 0 {
		return fieldError(extra[0], "fields_not_allowed", fmt.Sprintf("“%s”时不能同时修改：%s。", t.Label, strings.Join(extra, "、")))
	}
	note := rec.GetString(collections.FbLeaderComment)
	if t.NoteRequired && strings.TrimSpace(note) == "" {
		return fieldError(collections.FbLeaderComment, "note_required", "退回重新办理须写明意见。")
	}
	if to == workflow.StatusReplied {
		note = workflow.Satisfactions.Label(rec.GetString(collections.FbSatisfaction)) + " " + rec.GetString(collections.FbApplicantComment)
	}
	p := &plan{application: app.Id, action: t.Action, from: status, to: to, actor: a, note: strings.TrimSpace(note), seen: []snapshot{snap(old), snap(app)}}
	set := map[string]any{}
	if to == workflow.StatusReplied {
		set[collections.AppResolvedAt] = now
		// 不满意 is flagged on the application until 重办 or 销号 (with a reason)
		set[collections.AppDissatisfied] = rec.GetString(collections.FbSatisfaction) == workflow.SatisfactionDissatisfied
	}
	moveApplication(p, app.Id, to, set, now)
	if to == workflow.StatusReplied {
		p.effects = append(p.effects, func(tx core.App, _ *core.Record) error {
			a, err := tx.FindRecordById(collections.Applications, app.Id)
			if err != nil {
				return err
			}
			return followIssues(tx, a, collections.IssueResolved)
		})
	}
	setPlan(rec, p)
	return e.Next()
}
