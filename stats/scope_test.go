package stats_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// listedApplications lists every application email may list over REST.
func listedApplications(t *testing.T, env *testenv.Env, email string) []map[string]any {
	t.Helper()
	res := env.Do("GET", "/api/collections/applications/records?perPage=500&fields=id,status,accepted_at,submitted_at", email, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("%s lists applications: %d %s", email, res.Status, res)
	}
	body := res.JSON(t)
	if body["totalPages"].(float64) > 1 {
		t.Fatalf("%s: more applications than one page", email)
	}
	var out []map[string]any
	for _, it := range body["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// TestStatsCountOnlyWhatTheListRuleShows asks for the figures as every
// demo account and checks them against what that account may read over
// REST: every application in the overdue list opens (GET → 200), and the
// totals, the counts in progress by status and the accepted, declined and closed
// counts equal what the list API gives it. A leader named only as the
// target of drafts, submitted, forwarded, declined or street-resolved
// matters counts none of them.
func TestStatsCountOnlyWhatTheListRuleShows(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	// a matter forwarded to the working group ten days ago and not yet
	// accepted: overdue for review, naming 周明远 only as its target
	w := walker{t, env, env.App}
	waiting := w.draft("staff@yuetan.example", "DL-HC", "secretary@yuetan.example", "待审核的超期事项", time.Now().AddDate(0, 0, -12))
	waiting = w.move("staff@yuetan.example", waiting, time.Now().AddDate(0, 0, -11), map[string]any{collections.AppStatus: workflow.StatusSubmitted})
	waiting = w.move("street@yuetan.example", waiting, time.Now().AddDate(0, 0, -10), map[string]any{collections.AppStatus: workflow.StatusForwarded,
		collections.AppUrgent: true, collections.AppDecisionNote: "街道内部意见：建议先行协调"})
	if sup := env.Do("GET", "/api/stats", "sup@yuetan.example", nil).String(); !strings.Contains(sup, waiting.Id) {
		t.Fatalf("the waiting matter is not overdue in the district's figures: %s", sup)
	}
	callers := []string{demo.SuperuserEmail}
	for _, a := range demo.Accounts {
		callers = append(callers, a.Email)
	}
	readers := 0
	for _, email := range callers {
		res := env.Do("GET", "/api/stats?from=2000-01-01&to=2100-12-31", email, nil)
		if res.Status == http.StatusForbidden {
			continue
		}
		if res.Status != http.StatusOK {
			t.Fatalf("%s: stats %d %s", email, res.Status, res)
		}
		readers++
		f := res.JSON(t)
		overdue, _ := f["overdue"].([]any) // null when nothing is overdue
		for _, o := range overdue {
			id := o.(map[string]any)["application"].(string)
			if v := env.Do("GET", "/api/collections/applications/records/"+id, email, nil); v.Status != http.StatusOK {
				t.Errorf("%s: overdue application %s (%s) in the figures answers %d over REST",
					email, id, o.(map[string]any)["status"], v.Status)
			}
		}
		// the same figures counted from what the list API gives
		listed := listedApplications(t, env, email)
		want := map[string]float64{}
		for _, a := range listed {
			status := a["status"].(string)
			if a["submitted_at"] == "" {
				continue // a draft never submitted is no application
			}
			want["applications"]++
			if workflow.Open(status) && status != workflow.StatusDraft {
				want["in_progress."+status]++
			}
			if a["accepted_at"] != "" {
				want["accepted"]++
			}
			switch status {
			case workflow.StatusDeclined, workflow.StatusClosed:
				want[status]++
			}
		}
		got := map[string]any{"applications": f["applications"], "accepted": f["accepted"].(map[string]any)["total"],
			workflow.StatusDeclined: f["declined"], workflow.StatusClosed: f["closed"]}
		for _, s := range workflow.Statuses {
			got["in_progress."+s] = f["in_progress"].(map[string]any)[s]
		}
		for name, g := range got {
			if g == nil {
				g = 0.0
			}
			if g != want[name] {
				t.Errorf("%s: %s is %v in the figures, %v over REST", email, name, g, want[name])
			}
		}
	}
	if readers < 4 {
		t.Fatalf("only %d accounts read figures", readers)
	}
}
