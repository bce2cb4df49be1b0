package demo_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/workdays"
	"yuetan/workflow"
)

// TestSeedIsIdempotentAndCoversEveryStage: a second seed adds nothing, the
// accounts are printed, and the demo has applications in most stages with
// their audit trails.
func TestSeedIsIdempotentAndCoversEveryStage(t *testing.T) {
	env := testenv.New(t) // already seeded once
	before := map[string]int64{}
	for _, c := range collections.All() {
		n, _ := env.App.CountRecords(c.Name)
		before[c.Name] = n
	}
	created, err := demo.Seed(env.App)
	if err != nil || created {
		t.Fatalf("second seed: created %v, %v", created, err)
	}
	var out bytes.Buffer
	if err := demo.PrintAccounts(&out, created); err != nil {
		t.Fatal(err)
	}
	for _, c := range collections.All() {
		if n, _ := env.App.CountRecords(c.Name); n != before[c.Name] {
			t.Errorf("%s: %d records after a second seed, had %d", c.Name, n, before[c.Name])
		}
	}
	for _, a := range demo.Accounts {
		if !strings.Contains(out.String(), a.Email) {
			t.Errorf("account %s not printed", a.Email)
		}
	}
	if !strings.Contains(out.String(), demo.Password) {
		t.Error("password not printed")
	}
	seen := map[string]bool{}
	apps, _ := env.App.FindAllRecords(collections.Applications)
	for _, a := range apps {
		seen[a.GetString(collections.AppStatus)] = true
		events, _ := env.App.FindRecordsByFilter(collections.Events, "application = {:a}", "", 0, 0, map[string]any{"a": a.Id})
		if len(events) == 0 {
			t.Errorf("application %s has no audit trail", a.GetString(collections.AppSubject))
		}
	}
	for _, s := range []string{workflow.StatusDraft, workflow.StatusSubmitted, workflow.StatusForwarded, workflow.StatusAccepted,
		workflow.StatusNotified, workflow.StatusScheduled, workflow.StatusInHandling, workflow.StatusFeedbackSubmitted,
		workflow.StatusReplied, workflow.StatusResolved, workflow.StatusDeclined, workflow.StatusClosed} {
		if !seen[s] {
			t.Errorf("no demo application in status %s", s)
		}
	}
	if len(before) == 0 || before[collections.Issues] < 24 {
		t.Errorf("demo has %d issues", before[collections.Issues])
	}
}

// TestDemoIsPlausible: the demo district's story holds up. Every move
// happens on a working day in office hours (Asia/Shanghai), in the order
// the transition table allows, never in the future; a talk is held at or
// after the time agreed and recorded after it was held; issues are
// collected before the application that takes them up; residents sign in
// office hours after the draft exists; and a duplicate issue is marked.
func TestDemoIsPlausible(t *testing.T) {
	env := testenv.New(t)
	cal := workdays.New()
	now := time.Now()
	office := func(what string, at time.Time) {
		t.Helper()
		l := at.In(workdays.Shanghai)
		mins := l.Hour()*60 + l.Minute()
		if !cal.IsWorkday(l) || mins < 9*60 || mins > 17*60+30 || (mins > 12*60 && mins < 13*60+30) {
			t.Errorf("%s at %s: not in office hours on a working day", what, l.Format("2006-01-02 Mon 15:04"))
		}
		if at.After(now) {
			t.Errorf("%s at %s: in the future", what, l.Format("2006-01-02 15:04"))
		}
	}
	allowed := map[string]bool{}
	for _, tr := range workflow.Table {
		allowed[tr.Action+"|"+tr.From+"|"+tr.To] = true
	}
	apps, _ := env.App.FindAllRecords(collections.Applications)
	for _, a := range apps {
		name := a.GetString(collections.AppSubject)
		events, _ := env.App.FindRecordsByFilter(collections.Events, "application = {:a}", "created", 0, 0, map[string]any{"a": a.Id})
		status := workflow.StatusNew
		var created time.Time
		for i, ev := range events {
			at := ev.GetDateTime(collections.FieldCreated).Time()
			office(name+" "+ev.GetString(collections.EvAction), at)
			if i == 0 {
				created = at
			}
			from, to := ev.GetString(collections.EvFromStatus), ev.GetString(collections.EvToStatus)
			if to == "" {
				continue
			}
			if from != status || !allowed[ev.GetString(collections.EvAction)+"|"+from+"|"+to] {
				t.Errorf("%s: %s %s → %s after %s: not a move the table allows", name, ev.GetString(collections.EvAction), from, to, status)
			}
			status = to
		}
		if status != a.GetString(collections.AppStatus) {
			t.Errorf("%s: the trail ends in %s, the application is %s", name, status, a.GetString(collections.AppStatus))
		}
		for _, id := range a.GetStringSlice(collections.AppIssues) {
			is, _ := env.App.FindRecordById(collections.Issues, id)
			if at := is.GetDateTime(collections.IssueCollectedAt).Time(); !at.Before(created) {
				t.Errorf("%s: its issue %s was collected %s, after the application was drafted %s", name, is.GetString(collections.IssueTitle), at, created)
			}
		}
		sigs, _ := env.App.FindRecordsByFilter(collections.Signatures, "application = {:a}", "", 0, 0, map[string]any{"a": a.Id})
		for _, sg := range sigs {
			at := sg.GetDateTime(collections.SigSignedAt).Time()
			office(name+" signature of "+sg.GetString(collections.SigName), at)
			if at.Before(created) {
				t.Errorf("%s: signed %s before the draft existed", name, at)
			}
		}
	}
	talks, _ := env.App.FindAllRecords(collections.Talks)
	for _, tk := range talks {
		sched, held := tk.GetDateTime(collections.TalkScheduledAt).Time(), tk.GetDateTime(collections.TalkHeldAt).Time()
		office("talk arranged for", sched)
		if !held.IsZero() {
			office("talk held", held)
			if held.Before(sched) {
				t.Errorf("a talk held %s before its agreed time %s", held, sched)
			}
		}
	}
	issues, _ := env.App.FindAllRecords(collections.Issues)
	dups := 0
	for _, is := range issues {
		office("issue "+is.GetString(collections.IssueTitle)+" collected", is.GetDateTime(collections.IssueCollectedAt).Time())
		if is.GetString(collections.IssueDuplicateOf) != "" {
			dups++
		}
	}
	if dups == 0 {
		t.Error("the demo has no duplicate issue")
	}
	meetings, _ := env.App.FindAllRecords(collections.Meetings)
	for _, m := range meetings {
		office("meeting "+m.GetString(collections.MeetingTitle), m.GetDateTime(collections.MeetingHeldOn).Time())
	}
}
