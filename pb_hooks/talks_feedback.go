package hooks

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/workdays"
	"yuetan/workflow"
)

// ReviewDay is the working group's monthly review day (YUETAN_REVIEW_DAY, default the 5th).
func ReviewDay() int {
	if d, err := strconv.Atoi(os.Getenv("YUETAN_REVIEW_DAY")); err == nil && d >= 1 && d <= 28 {
		return d
	}
	return 5
}

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
// or feedback save, with the fields it sets.
func moveApplication(p *plan, appID, to string, set map[string]any) {
	p.effects = append(p.effects, func(tx core.App, _ *core.Record) error {
		a, err := tx.FindRecordById(collections.Applications, appID)
		if err != nil {
			return fmt.Errorf("application %s: %w", appID, err)
		}
		a.Set(collections.AppStatus, to)
		for k, v := range set {
			a.Set(k, v)
		}
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

var talkWorkflowFields = []string{
	collections.TalkLeader, collections.TalkOutcome, collections.TalkHeldAt,
	collections.TalkHandlingUnit, collections.TalkResponsible, collections.TalkHandlingDue,
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
	t, err := workflow.CanTransition(from, workflow.StatusScheduled, workflow.ViaTalkCreate, wfActor(a), subjectOf(app))
	if err != nil {
		return refuse(collections.TalkApplication, err)
	}
	for _, f := range talkWorkflowFields {
		e.Record.Set(f, nil)
	}
	e.Record.Set(collections.TalkLeader, a.ID())
	p := &plan{application: app.Id, action: t.Action, from: from, to: t.To, actor: a, seen: []snapshot{snap(app)},
		note: fmt.Sprintf("%s，%s", e.Record.GetString(collections.TalkPlace), workflow.TalkFormLabels[e.Record.GetString(collections.TalkForm)])}
	moveApplication(p, app.Id, t.To, map[string]any{collections.AppScheduledAt: savectx.Now(e.Context)})
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
	actor := wfActor(a)
	old := rec.Original()
	// who recorded the talk is the server's: it stays as the server set it
	rec.Set(collections.TalkLeader, old.Get(collections.TalkLeader))
	changed = collections.ChangedFields(rec)
	if len(changed) == 0 {
		return e.Next()
	}
	if old.GetString(collections.TalkOutcome) != "" || rec.GetString(collections.TalkOutcome) == "" {
		// not the recording of the talk: a plain edit
		if err := workflow.CanEdit(collections.Talks, status, changed, actor, subjectOf(app)); err != nil {
			return refuse(changed[0], err)
		}
		setPlan(rec, &plan{seen: []snapshot{snap(old), snap(app)}})
		return e.Next()
	}
	outcome := rec.GetString(collections.TalkOutcome)
	to := workflow.StatusResolved
	if outcome == workflow.OutcomeAssigned {
		to = workflow.StatusInHandling
	}
	t, err := workflow.CanTransition(status, to, workflow.ViaTalkUpdate, actor, subjectOf(app))
	if err != nil {
		return refuse(collections.TalkOutcome, err)
	}
	if extra := without(changed, t.Fields); len(extra) > 0 {
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
		rec.Set(collections.TalkHandlingDue, endOfDay(rec.GetDateTime(collections.TalkHandlingDue).Time()))
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
	moveApplication(p, app.Id, to, set)
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
				"实际约谈时间不能早于交办通知送达之日（%s）。", dayStart.Format("2006年1月2日")))
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
	if due.IsZero() || !endOfDay(due).After(now) {
		return fieldError(collections.TalkHandlingDue, "due_required", "请填写晚于今天的办结时限。")
	}
	return nil
}

var feedbackServerFields = []string{
	collections.FbUnit, collections.FbSubmittedBy, collections.FbLeaderDecision, collections.FbLeaderComment,
	collections.FbDecidedAt, collections.FbRepliedOn, collections.FbSatisfaction, collections.FbApplicantComment,
}

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
	t, err := workflow.CanTransition(from, workflow.StatusFeedbackSubmitted, workflow.ViaFeedbackCreate, wfActor(a), subjectOf(app))
	if err != nil {
		return refuse(collections.FbApplication, err)
	}
	for _, f := range feedbackServerFields {
		e.Record.Set(f, nil)
	}
	e.Record.Set(collections.FbUnit, actorOrg(a))
	e.Record.Set(collections.FbSubmittedBy, a.ID())
	e.Record.Set(collections.FbLeaderDecision, workflow.DecisionPending)
	talk, _ := e.App.FindFirstRecordByFilter(collections.Talks, "application = {:app} && outcome = 'assigned'", map[string]any{"app": app.Id})
	if talk != nil {
		e.Record.Set(collections.FbTalk, talk.Id)
	} else {
		e.Record.Set(collections.FbTalk, nil)
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
	moveApplication(p, app.Id, t.To, set)
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
	actor := wfActor(a)
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
		if err := workflow.CanEdit(collections.Feedback, status, changed, actor, subjectOf(app)); err != nil {
			return refuse(changed[0], err)
		}
		if old.GetString(collections.FbLeaderDecision) != workflow.DecisionPending {
			return fieldError(changed[0], "already_decided", "已审核的反馈不能修改；退回的事项请重新提交反馈。")
		}
		setPlan(rec, &plan{seen: []snapshot{snap(old), snap(app)}})
		return e.Next()
	}
	t, err := workflow.CanTransition(status, to, workflow.ViaFeedbackUpdate, actor, subjectOf(app))
	if err != nil {
		return refuse(changed[0], err)
	}
	if extra := without(changed, allowed); len(extra) > 0 {
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
	}
	moveApplication(p, app.Id, to, set)
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

// checkIssueUpdate keeps an issue's link to its application under the
// workflow's control: only unlinked issues may be closed or reopened by hand.
func checkIssueUpdate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		return e.Next()
	}
	old := e.Record.Original()
	if old.GetString(collections.IssueStatus) == e.Record.GetString(collections.IssueStatus) {
		return e.Next()
	}
	if old.GetString(collections.IssueApplication) != "" {
		return fieldError(collections.IssueStatus, "follows_application", "已纳入约谈申请的问题，其状态随申请办理进度变化，不能手工修改。")
	}
	if e.Record.GetString(collections.IssueStatus) == collections.IssueInApplication {
		return fieldError(collections.IssueStatus, "use_application", "请在约谈申请中关联问题，而不是直接修改状态。")
	}
	return e.Next()
}
