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

func checkApplicationCreate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		if e.Record.GetString(collections.AppStatus) == "" {
			e.Record.Set(collections.AppStatus, workflow.StatusDraft)
		}
		return e.Next()
	}
	// the server-owned fields are cleared already (bindServerFields)
	e.Record.Set(collections.AppStatus, workflow.StatusDraft)
	actor := WorkflowActor(a)
	if _, err := workflow.CanTransition(workflow.StatusNew, workflow.StatusDraft, workflow.ViaAppCreate, actor, SubjectOf(e.Record)); err != nil {
		return refuse(collections.AppCommunity, err)
	}
	if err := checkApplicant(e.App, e.Record); err != nil {
		return err
	}
	if err := checkTargetLeader(e.App, e.Record.GetString(collections.AppTargetLeader), collections.AppTargetLeader); err != nil {
		return err
	}
	p := &plan{action: "create", to: workflow.StatusDraft, actor: a}
	if err := planIssueLinks(e.App, e.Record, p); err != nil {
		return err
	}
	setPlan(e.Record, p)
	return e.Next()
}

// checkApplicant checks the applying org is a community or cooperative and
// the applicant kind fits it.
func checkApplicant(app core.App, rec *core.Record) error {
	org, err := app.FindRecordById(collections.Orgs, rec.GetString(collections.AppCommunity))
	if err != nil {
		return fieldError(collections.AppCommunity, "unknown_org", "申请单位不存在。")
	}
	fit, ok := workflow.FitsOrg[org.GetString(collections.OrgKind)]
	if !ok {
		return fieldError(collections.AppCommunity, "not_an_applicant", "只有社区或股份经济合作社可以提出约谈申请。")
	}
	if !slices.Contains(fit.Kinds, rec.GetString(collections.AppApplicantKind)) {
		return fieldError(collections.AppApplicantKind, "applicant_kind_mismatch", fit.Message)
	}
	return nil
}

// checkTargetLeader checks id is a leader (a four-teams leader or a
// district-managed chief).
func checkTargetLeader(app core.App, id, field string) error {
	if id == "" {
		return fieldError(field, "leader_required", "请选择约谈对象：区四套班子领导或区管党政正职。")
	}
	u, err := app.FindRecordById(collections.Users, id)
	if err != nil || u.GetString(collections.UserRole) != workflow.RoleLeader || u.GetString(collections.UserLeaderRank) == "" {
		return fieldError(field, "not_a_leader", "约谈对象必须是区四套班子领导或区管党政正职。")
	}
	return nil
}

// planIssueLinks checks the application's issues belong to its community and
// to no other application, and plans linking (and unlinking) them.
func planIssueLinks(app core.App, rec *core.Record, p *plan) error {
	ids := rec.GetStringSlice(collections.AppIssues)
	var before []string
	if !rec.IsNew() {
		before = rec.Original().GetStringSlice(collections.AppIssues)
	}
	for _, id := range ids {
		is, err := app.FindRecordById(collections.Issues, id)
		if err != nil {
			return fieldError(collections.AppIssues, "unknown_issue", "关联的问题不存在："+id)
		}
		if is.GetString(collections.IssueCommunity) != rec.GetString(collections.AppCommunity) {
			return fieldError(collections.AppIssues, "issue_other_community", "只能关联本社区收集的问题："+is.GetString(collections.IssueTitle))
		}
		if linked := is.GetString(collections.IssueApplication); linked != "" && linked != rec.Id {
			return fieldError(collections.AppIssues, "issue_in_other_application", "问题已在另一份申请中（一事一案）："+is.GetString(collections.IssueTitle))
		}
	}
	added, removed := lo.Difference(ids, before)
	if len(added) == 0 && len(removed) == 0 {
		return nil
	}
	p.effects = append(p.effects, func(tx core.App, app *core.Record) error {
		for _, id := range added {
			if err := linkIssue(tx, id, app.Id); err != nil {
				return err
			}
		}
		for _, id := range removed {
			if err := setIssue(tx, id, "", collections.IssueOpen); err != nil {
				return err
			}
		}
		return nil
	})
	return nil
}

// linkIssue links issue id to the application, inside the write's
// transaction: an issue another application took meanwhile stays there
// (一事一案), and this write is refused.
func linkIssue(tx core.App, id, application string) error {
	is, err := tx.FindRecordById(collections.Issues, id)
	if err != nil {
		return fieldError(collections.AppIssues, "unknown_issue", "关联的问题不存在："+id)
	}
	if linked := is.GetString(collections.IssueApplication); linked != "" && linked != application {
		return fieldError(collections.AppIssues, "issue_in_other_application", "问题已在另一份申请中（一事一案）："+is.GetString(collections.IssueTitle))
	}
	return setIssue(tx, id, application, collections.IssueInApplication)
}

func setIssue(tx core.App, id, application, status string) error {
	is, err := tx.FindRecordById(collections.Issues, id)
	if err != nil {
		return fmt.Errorf("issue %s: %w", id, err)
	}
	is.Set(collections.IssueApplication, application)
	is.Set(collections.IssueStatus, status)
	if err := tx.SaveWithContext(derived(context.Background()), is); err != nil {
		return fmt.Errorf("update issue %s: %w", id, err)
	}
	return nil
}

// issuesFollow plans moving an application's issues to status.
func issuesFollow(p *plan, status string) {
	p.effects = append(p.effects, func(tx core.App, app *core.Record) error {
		for _, id := range app.GetStringSlice(collections.AppIssues) {
			if err := setIssue(tx, id, app.Id, status); err != nil {
				return err
			}
		}
		return nil
	})
}

func checkApplicationDelete(e *core.RecordEvent) error {
	a := actorOf(e)
	if !a.System && e.Record.GetString(collections.AppStatus) != workflow.StatusDraft {
		return fieldError(collections.AppStatus, "not_a_draft", "只有草稿状态的申请可以删除。")
	}
	p := &plan{seen: []snapshot{snap(e.Record)}}
	if ids := e.Record.GetStringSlice(collections.AppIssues); len(ids) > 0 {
		p.effects = append(p.effects, func(tx core.App, _ *core.Record) error {
			for _, id := range ids {
				if err := setIssue(tx, id, "", collections.IssueOpen); err != nil {
					return err
				}
			}
			return nil
		})
	}
	setPlan(e.Record, p)
	return e.Next()
}

func checkApplicationUpdate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		return e.Next()
	}
	rec := e.Record
	old := rec.Original()
	from, to := old.GetString(collections.AppStatus), rec.GetString(collections.AppStatus)
	changed := collections.ChangedFields(rec)
	if len(changed) == 0 {
		return e.Next()
	}
	actor := WorkflowActor(a)
	subject := SubjectOf(old)
	now := savectx.Now(e.Context)
	// a move's note is what this write sent, never a note an earlier move left
	note := ""
	if slices.Contains(changed, collections.AppDecisionNote) {
		note = rec.GetString(collections.AppDecisionNote)
	}
	p := &plan{from: from, to: to, actor: a, note: note, seen: []snapshot{snap(old)}}

	if from == to {
		// an in-place move (delegate, postpone) or a plain edit
		if t, ok, err := inPlaceMove(from, changed, rec, actor, subject); ok || err != nil {
			if err != nil {
				return refuse(changed[0], err)
			}
			if err := applyInPlace(e.App, rec, old, t, p, now); err != nil {
				return err
			}
			p.action = t.Action
			setPlan(rec, p)
			return e.Next()
		}
		if err := workflow.CanEdit(collections.Applications, from, changed, actor, subject); err != nil {
			return refuse(changed[0], err)
		}
		if from == workflow.StatusDraft {
			if err := checkApplicant(e.App, rec); err != nil {
				return err
			}
			if err := checkTargetLeader(e.App, rec.GetString(collections.AppTargetLeader), collections.AppTargetLeader); err != nil {
				return err
			}
		}
		if err := planIssueLinks(e.App, rec, p); err != nil {
			return err
		}
		setPlan(rec, p)
		return e.Next()
	}

	t, err := workflow.CanTransition(from, to, workflow.ViaAppUpdate, actor, subject)
	if err != nil {
		return refuse(collections.AppStatus, err)
	}
	allowed := append([]string{collections.AppStatus}, t.Fields...)
	if extra := lo.Without(changed, allowed...); len(extra) > 0 {
		return fieldError(extra[0], "fields_not_allowed", fmt.Sprintf("“%s”时不能同时修改：%s。", t.Label, strings.Join(extra, "、")))
	}
	if t.NoteRequired && strings.TrimSpace(note) == "" {
		return fieldError(collections.AppDecisionNote, "note_required", fmt.Sprintf("“%s”须填写处理意见。", t.Label))
	}
	if t.Action == "close" && old.GetBool(collections.AppDissatisfied) && strings.TrimSpace(note) == "" {
		return fieldError(collections.AppDecisionNote, "note_required", "约谈主体或督查回访不满意的事项，销号须写明理由。")
	}
	// the record's decision note is the latest move's (or none)
	rec.Set(collections.AppDecisionNote, note)
	p.action = t.Action
	cal := deadlines.Calendar(e.App)
	switch t.Action {
	case "submit":
		community, err := e.App.FindRecordById(collections.Orgs, rec.GetString(collections.AppCommunity))
		if err != nil {
			return fieldError(collections.AppCommunity, "unknown_org", "申请单位不存在。")
		}
		checks, err := Eligibility(e.App, rec)
		if err != nil {
			return err
		}
		if c, bad := workflow.Refusal(checks); bad {
			return fieldError(c.Field, c.Code, c.Message)
		}
		rec.Set(collections.AppStreet, community.GetString(collections.OrgParent))
		rec.Set(collections.AppSubmittedAt, now)
		rec.Set(collections.AppReturnedAt, nil)
		rec.Set(collections.AppReturnReason, "")
		setSerialBeforeWrite(rec, now)
		p.before = append(p.before, assignSerial)
	case "street_resolve":
		rec.Set(collections.AppResolvedAt, now)
		issuesFollow(p, collections.IssueResolved)
	case "forward":
		rec.Set(collections.AppForwardedAt, now)
	case "return":
		// 已退回, with the street's reason, until the community resubmits
		rec.Set(collections.AppReturnedAt, now)
		rec.Set(collections.AppReturnReason, note)
	case "redo":
		due := rec.GetDateTime(collections.AppHandlingDue).Time()
		if due.IsZero() || !deadlines.EndOfDay(due).After(now) || !slices.Contains(changed, collections.AppHandlingDue) {
			return fieldError(collections.AppHandlingDue, "due_required", "重办须填写新的办结时限，且须晚于今天。")
		}
		rec.Set(collections.AppHandlingDue, deadlines.EndOfDay(due))
		rec.Set(collections.AppDissatisfied, false)
		rec.Set(collections.AppFeedbackAt, nil) // the new feedback is what the new deadline measures
		rec.Set(collections.AppExtensionState, "")
		rec.Set(collections.AppExtensionDue, nil)
		rec.Set(collections.AppExtensionReason, "")
	case "accept":
		if rec.GetBool(collections.AppLitigation) {
			return fieldError(collections.AppLitigation, "litigation_or_petition",
				"涉法涉访事项不列入群众约谈，不能受理；请按一般来信处理（不予受理）并做好反馈。")
		}
		if rec.GetString(collections.AppAssignedLeader) == "" {
			rec.Set(collections.AppAssignedLeader, rec.GetString(collections.AppTargetLeader))
		}
		if err := checkTargetLeader(e.App, rec.GetString(collections.AppAssignedLeader), collections.AppAssignedLeader); err != nil {
			return err
		}
		rec.Set(collections.AppReviewedAt, now)
		rec.Set(collections.AppAcceptedAt, now)
	case "decline":
		rec.Set(collections.AppReviewedAt, now)
	case "notify":
		rec.Set(collections.AppNotifiedAt, now)
	case "close":
		rec.Set(collections.AppClosedAt, now)
		issuesFollow(p, collections.IssueClosed)
		p.effects = append(p.effects, func(tx core.App, app *core.Record) error {
			return writeSupervision(tx, app.Id, collections.SupClosed, "销号："+app.GetString(collections.AppDecisionNote), a)
		})
	}
	// every status entered starts its clocks (workflow.Stages)
	deadlines.StartClocks(cal, rec, now)
	setPlan(rec, p)
	return e.Next()
}

// inPlaceMove finds the in-place move (delegate, postpone, 签收, 延期)
// whose fields cover the change and whose values it sets, if the actor may
// make it; err says why not when the only such move's conditions fail.
func inPlaceMove(status string, changed []string, rec *core.Record, actor workflow.Actor, s workflow.Subject) (workflow.Transition, bool, error) {
	var whenErr error
	for _, t := range workflow.Table {
		if t.From != status || t.To != status || t.Via != workflow.ViaAppUpdate || !lo.Every(t.Fields, changed) ||
			!slices.Contains(t.Roles, actor.Role) || !workflow.InScope(t.Scope, actor, s) || !setsMatch(t, rec) {
			continue
		}
		if !t.Holds(s) {
			whenErr = &workflow.Error{Code: "condition_not_met", Message: t.Unless}
			continue
		}
		return t, true, nil
	}
	return workflow.Transition{}, false, whenErr
}

// setsMatch reports whether rec holds the values move t sets.
func setsMatch(t workflow.Transition, rec *core.Record) bool {
	for f, v := range t.Sets {
		if rec.GetString(f) != v {
			return false
		}
	}
	return true
}

// ackByActing records the acknowledgement (签收) of the stages of rec's
// status that role holds and has not acknowledged: acting on a matter is
// acknowledging it.
func ackByActing(rec *core.Record, role string, now time.Time) {
	for _, s := range workflow.StagesIn(rec.GetString(collections.AppStatus)) {
		if s.Stop != "" && s.Holder.Role == role && rec.GetDateTime(s.Stop).IsZero() {
			rec.Set(s.Stop, now)
		}
	}
}

func applyInPlace(app core.App, rec, old *core.Record, t workflow.Transition, p *plan, now time.Time) error {
	cal := deadlines.Calendar(app)
	switch t.Action {
	case "acknowledge":
		for _, s := range workflow.StagesIn(t.From) {
			if s.Stop != "" && slices.Contains(t.Fields, s.Stop) {
				// the time is the server's: the client only asks
				rec.Set(s.Stop, now)
				p.note = fmt.Sprintf("%s（期限 %s）", s.Label, workdays.FormatDate(old.GetDateTime(s.Field).Time()))
			}
		}
		return nil
	case "delegate":
		next := rec.GetString(collections.AppAssignedLeader)
		if next == old.GetString(collections.AppAssignedLeader) {
			return fieldError(collections.AppAssignedLeader, "same_leader", "请选择另一位领导。")
		}
		if err := checkTargetLeader(app, next, collections.AppAssignedLeader); err != nil {
			return fieldError(collections.AppAssignedLeader, "not_a_leader", "只能指定分管（联系）领导或职能部门党政正职接受约谈。")
		}
		// the designated leader acknowledges anew, on its own clock
		if s, ok := workflow.StageOf(workflow.DeadlineLeaderAck); ok {
			rec.Set(s.Stop, nil)
			rec.Set(s.Field, deadlines.DueAfter(cal, now, s.Length()))
		}
		return nil
	case "postpone":
		reason := strings.TrimSpace(rec.GetString(collections.AppPostponeReason))
		if reason == "" || reason == strings.TrimSpace(old.GetString(collections.AppPostponeReason)) {
			return fieldError(collections.AppPostponeReason, "reason_required", "延期须作出书面说明。")
		}
		due := rec.GetDateTime(collections.AppScheduleDue).Time()
		if due.IsZero() || !due.After(old.GetDateTime(collections.AppScheduleDue).Time()) {
			return fieldError(collections.AppScheduleDue, "only_later", "延期后的商定期限必须晚于原期限。")
		}
		rec.Set(collections.AppScheduleDue, deadlines.EndOfDay(due))
		p.note = reason
	case "request_extension":
		reason := strings.TrimSpace(rec.GetString(collections.AppExtensionReason))
		if reason == "" {
			return fieldError(collections.AppExtensionReason, "reason_required", "申请延期须写明理由。")
		}
		current := old.GetDateTime(collections.AppHandlingDue).Time()
		if !current.IsZero() && now.After(current) {
			return fieldError(collections.AppExtensionDue, "deadline_passed", fmt.Sprintf(
				"办结时限（%s）已过，延期须在期限届满前申请；请尽快办结并说明情况。", workdays.FormatDate(current)))
		}
		due := rec.GetDateTime(collections.AppExtensionDue).Time()
		if due.IsZero() || !deadlines.EndOfDay(due).After(current) {
			return fieldError(collections.AppExtensionDue, "only_later", fmt.Sprintf(
				"申请延期后的办结时限必须晚于原时限（%s）。", workdays.FormatDate(current)))
		}
		rec.Set(collections.AppExtensionDue, deadlines.EndOfDay(due))
		rec.Set(collections.AppExtensionReason, reason)
		rec.Set(collections.AppExtensionState, workflow.ExtensionPending)
		p.note = fmt.Sprintf("申请延期至 %s：%s", workdays.FormatDate(due), reason)
	case "approve_extension", "refuse_extension":
		note := strings.TrimSpace(rec.GetString(collections.AppDecisionNote))
		if t.NoteRequired && note == "" {
			return fieldError(collections.AppDecisionNote, "note_required", "不同意延期须写明意见。")
		}
		rec.Set(collections.AppDecisionNote, note)
		due := old.GetDateTime(collections.AppExtensionDue).Time()
		if t.Action == "approve_extension" {
			// the clock moves only on approval
			rec.Set(collections.AppHandlingDue, due)
			p.note = strings.TrimSpace(fmt.Sprintf("同意延期至 %s。%s", workdays.FormatDate(due), note))
		} else {
			p.note = fmt.Sprintf("不同意延期至 %s：%s", workdays.FormatDate(due), note)
		}
	}
	// acting on the matter acknowledges it
	ackByActing(rec, t.Roles[0], now)
	return nil
}

// Eligibility checks application rec against the submission's
// requirements (workflow.Eligibility): its fields, the kind of its org and
// its distinct co-signers (same name and address count once).
func Eligibility(app core.App, rec *core.Record) ([]workflow.Check, error) {
	d := workflow.Draft{Fields: map[string]any{}}
	for _, r := range workflow.Eligibility {
		d.Fields[r.Field] = rec.Get(r.Field)
	}
	if org, err := app.FindRecordById(collections.Orgs, rec.GetString(collections.AppCommunity)); err == nil {
		d.OrgKind = org.GetString(collections.OrgKind)
	}
	if rec.GetString(collections.AppApplicantKind) == collections.ApplicantResidents {
		var n struct{ N int }
		err := app.DB().NewQuery(
			"SELECT COUNT(DISTINCT trim(name) || '|' || trim(address)) AS n FROM signatures WHERE application = {:app}").
			Bind(map[string]any{"app": rec.Id}).One(&n)
		if err != nil {
			return nil, fmt.Errorf("count co-signers: %w", err)
		}
		d.CoSigners = n.N
	}
	return workflow.CheckEligibility(d), nil
}

// setSerialBeforeWrite sets the serial year; the number itself is taken
// inside the write's transaction (assignSerial), so numbers stay gap-free.
func setSerialBeforeWrite(rec *core.Record, now time.Time) {
	rec.Set(collections.AppSerialYear, now.In(workdays.Shanghai).Year())
}

// assignSerial gives a submitted application the next number of its year.
func assignSerial(tx core.App, rec *core.Record) error {
	year := rec.GetInt(collections.AppSerialYear)
	var row struct{ N int }
	if err := tx.DB().NewQuery("SELECT COALESCE(MAX(serial_no), 0) AS n FROM applications WHERE serial_year = {:y}").
		Bind(map[string]any{"y": year}).One(&row); err != nil {
		return fmt.Errorf("next serial: %w", err)
	}
	if rec.GetInt(collections.AppSerialNo) == 0 || rec.Original().GetInt(collections.AppSerialYear) != year {
		rec.Set(collections.AppSerialNo, row.N+1)
		rec.Set(collections.AppSerial, fmt.Sprintf("约申〔%d〕第%d号", year, row.N+1))
	}
	return nil
}
