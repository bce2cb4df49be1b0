package deadlines

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/workdays"
	"yuetan/workflow"
)

// StartClocks starts the clocks of the status application rec has just
// entered, at now: it records when the stage began, computes the due date
// of every counted stage of the status (the dates a move names itself —
// the handling deadline, the talk's day — are the move's to set) and
// clears the acknowledgements (签收) the new stage asks for again.
func StartClocks(cal *workdays.Calendar, rec *core.Record, now time.Time) {
	status := rec.GetString(collections.AppStatus)
	rec.Set(workflow.StageAt, now)
	for _, s := range workflow.StagesIn(status) {
		if s.Stop != "" {
			rec.Set(s.Stop, nil)
		}
		if due := DueOf(cal, s, rec); !due.IsZero() {
			rec.Set(s.Field, due)
		}
	}
}

// DueOf computes stage s's due date on rec from its start, or zero for a
// stage whose date a move names (or with no start).
func DueOf(cal *workdays.Calendar, s workflow.Stage, rec *core.Record) time.Time {
	start := rec.GetDateTime(s.Start).Time()
	if start.IsZero() {
		start = rec.GetDateTime(workflow.StageAt).Time()
	}
	if start.IsZero() {
		return time.Time{}
	}
	switch s.Clock {
	case workflow.ClockWorkdays:
		return DueAfter(cal, start, s.Length())
	case workflow.ClockReview:
		if rec.GetBool(collections.AppUrgent) {
			return DueAfter(cal, start, s.Length())
		}
		return ReviewDue(cal, start, false)
	}
	return time.Time{}
}

// Running lists the deadlines running on application rec now.
func Running(rec *core.Record) []workflow.Deadline {
	var out []workflow.Deadline
	status := rec.GetString(collections.AppStatus)
	for _, s := range workflow.StagesIn(status) {
		if s.Running(status, rec.GetString) {
			out = append(out, workflow.Deadline{Application: rec.Id, Field: s.Field, Due: rec.GetDateTime(s.Field).Time()})
		}
	}
	return out
}

// Target is whom a supervision record about an application is aimed at.
type Target struct {
	User, Org, Role string
}

// HolderOf returns who holds stage s of application rec: the assigned
// leader, the handling unit and its responsible handler, the street, the
// community, or a district office by role.
func HolderOf(app core.App, rec *core.Record, s workflow.Stage) Target {
	t := Target{Role: s.Holder.Role}
	switch s.Holder.Scope {
	case workflow.ScopeAssignedLeader:
		t.User = rec.GetString(collections.AppAssignedLeader)
	case workflow.ScopeHandlingUnit:
		t.Org = rec.GetString(collections.AppHandlingUnit)
		if talk, err := app.FindFirstRecordByFilter(collections.Talks, "application = {:a} && outcome = 'assigned'",
			map[string]any{"a": rec.Id}); err == nil {
			t.User = talk.GetString(collections.TalkResponsible)
		}
	case workflow.ScopeStreet:
		t.Org = rec.GetString(collections.AppStreet)
	case workflow.ScopeCommunity:
		t.Org = rec.GetString(collections.AppCommunity)
	}
	return t
}

// MainStage returns the stage that ends with application rec's status.
func MainStage(rec *core.Record) (workflow.Stage, bool) {
	return workflow.StageOf(workflow.OpenDeadline(rec.GetString(collections.AppStatus)))
}
