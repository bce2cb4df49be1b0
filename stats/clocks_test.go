package stats_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/internal/testenv"
	"yuetan/stats"
	"yuetan/workflow"
)

// TestFiguresFollowTheDeadlineTable: the on-time rate of 签收 (the
// response rate), an overdue stage the old four never covered (the
// leader's approval), the open 不满意 matters and the extensions by
// outcome are counted from the deadline table's columns.
func TestFiguresFollowTheDeadlineTable(t *testing.T) {
	env := testenv.New(t)
	apps, err := env.App.FindCachedCollectionByNameOrId(collections.Applications)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	save := func(subject, status string, fields map[string]any) *core.Record {
		r := core.NewRecord(apps)
		r.Load(map[string]any{
			collections.AppCommunity: env.Org("DL-HC").Id, collections.AppStreet: env.Org("DL").Id,
			collections.AppApplicantKind: collections.ApplicantCommunity, collections.AppSubject: subject,
			collections.AppCategory: workflow.CategoryOtherHot, collections.AppTargetLeader: env.User("secretary@yuetan.example").Id,
			collections.AppAssignedLeader: env.User("secretary@yuetan.example").Id, collections.AppStatus: status,
		})
		r.Load(fields)
		if err := env.SaveAsSystem(r); err != nil {
			t.Fatal(err)
		}
		// submitted (the figures count only what was): its audit row
		if _, err := env.App.DB().Insert(collections.Events, map[string]any{"id": "sub" + r.Id, "application": r.Id,
			"action": "submit", "to_status": workflow.StatusSubmitted, "actor_name": "系统",
			"created": now.AddDate(0, 0, -20).UTC().Format("2006-01-02 15:04:05.000Z")}).Execute(); err != nil {
			t.Fatal(err)
		}
		return r
	}
	compute := func() *stats.Figures {
		f, err := stats.Compute(env.App, deadlines.Calendar(env.App), stats.Query{From: now.AddDate(-1, 0, 0), To: now.AddDate(0, 0, 1), District: true}, now)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := compute() // the demo district's own matters
	due := deadlines.EndOfDay(now.AddDate(0, 0, -5))
	save("按时签收", workflow.StatusScheduled, map[string]any{collections.AppLeaderAckDue: due, collections.AppLeaderAckAt: due.Add(-time.Hour)})
	save("逾期签收", workflow.StatusScheduled, map[string]any{collections.AppLeaderAckDue: due, collections.AppLeaderAckAt: due.Add(time.Hour)})
	late := save("审核反馈超期", workflow.StatusFeedbackSubmitted, map[string]any{collections.AppApprovalDue: due})
	save("不满意待重办", workflow.StatusReplied, map[string]any{collections.AppDissatisfied: true, collections.AppCloseDue: deadlines.EndOfDay(now.AddDate(0, 0, 9))})
	save("延期待批", workflow.StatusInHandling, map[string]any{collections.AppExtensionState: workflow.ExtensionPending, collections.AppHandlingDue: deadlines.EndOfDay(now.AddDate(0, 0, 9))})
	save("延期已批", workflow.StatusInHandling, map[string]any{collections.AppExtensionState: workflow.ExtensionApproved, collections.AppHandlingDue: deadlines.EndOfDay(now.AddDate(0, 0, 9))})

	f := compute()
	if r, b := f.OnTime[workflow.DeadlineLeaderAck], base.OnTime[workflow.DeadlineLeaderAck]; r.Done != b.Done+2 || r.OnTime != b.OnTime+1 {
		t.Errorf("签收 on time %+v (before %+v), want 1 of 2 more", r, b)
	}
	found := false
	for _, o := range f.Overdue {
		if o.Application == late.Id {
			found = o.Deadline == workflow.DeadlineApproval
		}
	}
	if !found || f.OverdueNow != base.OverdueNow+1 {
		t.Errorf("overdue %+v (%d), want the leader's approval of %s only", f.Overdue, f.OverdueNow, late.Id)
	}
	if f.DissatisfiedOpen != base.DissatisfiedOpen+1 || f.Extensions.Pending != base.Extensions.Pending+1 ||
		f.Extensions.Approved != base.Extensions.Approved+1 || f.Extensions.Refused != base.Extensions.Refused {
		t.Errorf("不满意 %d, extensions %+v (before %d, %+v)", f.DissatisfiedOpen, f.Extensions, base.DissatisfiedOpen, base.Extensions)
	}
}
