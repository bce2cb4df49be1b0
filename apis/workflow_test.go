package apis_test

import (
	"net/http"
	"testing"

	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// TestWorkflowRoute checks GET /api/workflow hands the web app the whole
// table, and /api/workflow/available/{id} answers workflow.Available for the
// caller on the applications they may view, 404 on the others.
func TestWorkflowRoute(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	f := env.Fixture()

	res := env.Do("GET", "/api/workflow", "", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /api/workflow: %d %s", res.Status, res)
	}
	doc := res.JSON(t)
	if n := len(doc["transitions"].([]any)); n != len(workflow.Table) {
		t.Fatalf("transitions: %d, want %d", n, len(workflow.Table))
	}
	if n := len(doc["edits"].([]any)); n != len(workflow.Edits) {
		t.Fatalf("edits: %d, want %d", n, len(workflow.Edits))
	}
	first := doc["transitions"].([]any)[1].(map[string]any)
	if first["action"] != "submit" || first["label"] != "报送街道" || first["scope"] != "community" || first["via"] != "applications.update" {
		t.Fatalf("second transition: %v", first)
	}
	if doc["deadlines"].(map[string]any)[workflow.StatusNotified] != "schedule_due" {
		t.Fatalf("deadlines: %v", doc["deadlines"])
	}

	own, other := f.Applications.Own.Id, f.Applications.Other.Id // in handling: 城管 / 住建
	draft := f.Drafts.Own.Id
	for _, c := range []struct {
		who, app string
		status   int
		actions  []string
	}{
		{"handler@yuetan.example", own, 200, []string{"acknowledge", "request_extension", "submit_feedback"}},
		{"handler@yuetan.example", other, 404, nil},
		{"secretary@yuetan.example", own, 200, []string{}},
		{"mayor@yuetan.example", own, 404, nil},
		{"staff@yuetan.example", draft, 200, []string{"submit"}},
		{"staff2@yuetan.example", draft, 404, nil},
		{"wg@yuetan.example", own, 200, []string{}},
		{"", own, 401, nil},
	} {
		res := env.Do("GET", "/api/workflow/available/"+c.app, c.who, nil)
		if res.Status != c.status {
			t.Errorf("%s on %s: status %d, want %d: %s", c.who, c.app, res.Status, c.status, res)
			continue
		}
		if c.status != 200 {
			continue
		}
		var got []string
		for _, m := range res.JSON(t)["moves"].([]any) {
			got = append(got, m.(map[string]any)["action"].(string))
		}
		if len(got) != len(c.actions) || (len(got) > 0 && got[0] != c.actions[0]) {
			t.Errorf("%s on %s: moves %v, want %v", c.who, c.app, got, c.actions)
		}
	}
}
