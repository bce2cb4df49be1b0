package demo_test

import (
	"bytes"
	"strings"
	"testing"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
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
