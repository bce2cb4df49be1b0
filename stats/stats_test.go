package stats_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
)

// TestStatsAccess checks who may read the figures and what leaders see.
func TestStatsAccess(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	cases := []struct {
		who  string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"grid@yuetan.example", http.StatusForbidden},
		{"staff@yuetan.example", http.StatusForbidden},
		{"street@yuetan.example", http.StatusForbidden},
		{"handler@yuetan.example", http.StatusForbidden},
		{"wg@yuetan.example", http.StatusOK},
		{"sup@yuetan.example", http.StatusOK},
		{"secretary@yuetan.example", http.StatusOK},
		{demo.SuperuserEmail, http.StatusOK},
	}
	for _, c := range cases {
		if res := env.Do("GET", "/api/stats", c.who, nil); res.Status != c.want {
			t.Errorf("%q: status %d, want %d: %s", c.who, res.Status, c.want, res)
		}
	}
	all := env.Do("GET", "/api/stats", "sup@yuetan.example", nil).JSON(t)
	own := env.Do("GET", "/api/stats", "secretary@yuetan.example", nil).JSON(t)
	if own["applications"].(float64) >= all["applications"].(float64) || own["applications"].(float64) == 0 {
		t.Errorf("leader sees %v of %v applications", own["applications"], all["applications"])
	}
	if own["problems"].(float64) != 0 {
		t.Errorf("leader sees collection figures: %v", own["problems"])
	}
	for _, q := range []string{"from=2026-13-01", "from=2026-11-30&to=2026-11-01", "to=yesterday"} {
		res := env.Do("GET", "/api/stats?"+q, "sup@yuetan.example", nil)
		if res.Status != http.StatusBadRequest || res.JSON(t)["message"] == "" {
			t.Errorf("%s: status %d %s", q, res.Status, res)
		}
	}
}

// TestStatsFigures checks the figures tell the demo district's story: every
// count matches the demo's walked stories.
func TestStatsFigures(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	f := env.Do("GET", "/api/stats", "sup@yuetan.example", nil).JSON(t)
	num := func(path ...string) float64 {
		var v any = f
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		return v.(float64)
	}
	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"communities", num("communities"), 9},
		{"meetings", num("meetings"), 6},
		{"problems", num("problems"), 25}, // 26 recorded, one of them a duplicate
		{"suggestions", num("suggestions"), 8},
		{"applications", num("applications"), 15},
		{"accepted", num("accepted", "total"), 9},
		{"accepted = four teams + district chiefs", num("accepted", "four_teams") + num("accepted", "district_chief"), 9},
		{"four teams", num("accepted", "four_teams"), 4},
		{"declined", num("declined"), 1},
		{"resolved by the street", num("resolved", "street"), 1},
		{"on the spot", num("resolved", "on_spot"), 2},
		{"assigned", num("resolved", "assigned"), 4},
		{"closed", num("closed"), 3},
		{"replied", num("satisfaction", "replied"), 2},
		{"satisfaction rate", num("satisfaction", "rate"), 1},
		{"overdue now", num("overdue_now"), float64(len(f["overdue"].([]any)))},
		{"notices on time", num("on_time", "notice_due", "rate"), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if num("overdue_now") == 0 {
		t.Error("the demo has overdue matters; none reported")
	}
	streets := f["by_street"].([]any)
	total := 0.0
	for _, s := range streets {
		total += s.(map[string]any)["applications"].(float64)
	}
	if total != num("applications") {
		t.Errorf("by street sums to %v, want %v", total, num("applications"))
	}
}

// TestStatsTellTheReportsShape loads the case report's scale — 74
// communities, 193 accepted applications, 32 handled by four-teams leaders
// and 161 by district-managed chiefs — and checks the figures tell it.
func TestStatsTellTheReportsShape(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	before := env.Do("GET", "/api/stats", "sup@yuetan.example", nil).JSON(t)
	orgs, _ := env.App.FindCachedCollectionByNameOrId(collections.Orgs)
	apps, _ := env.App.FindCachedCollectionByNameOrId(collections.Applications)
	existing := int(before["communities"].(float64))
	var communities []string
	for i := existing; i < 74; i++ {
		o := core.NewRecord(orgs)
		o.Load(map[string]any{"name": fmt.Sprintf("第%d社区", i+1), "kind": "community", "parent": env.Org("ML").Id})
		if err := env.App.Save(o); err != nil {
			t.Fatal(err)
		}
		communities = append(communities, o.Id)
	}
	secretary, chief := env.User("secretary@yuetan.example").Id, env.User("chief@yuetan.example").Id
	for i := 0; i < 193; i++ {
		leader := chief
		if i < 32 {
			leader = secretary
		}
		a := core.NewRecord(apps)
		a.Load(map[string]any{"community": communities[i%len(communities)], "street": env.Org("ML").Id,
			"applicant_kind": "community", "subject": fmt.Sprintf("约谈事项%d", i+1), "category": "other_hot",
			"target_leader": leader, "assigned_leader": leader, "status": "notified", "accepted_at": time.Now(), "notified_at": time.Now()})
		if err := env.SaveAsSystem(a); err != nil {
			t.Fatal(err)
		}
	}
	after := env.Do("GET", "/api/stats", "sup@yuetan.example", nil).JSON(t)
	acc := func(f map[string]any, k string) float64 { return f["accepted"].(map[string]any)[k].(float64) }
	if after["communities"].(float64) != 74 {
		t.Errorf("communities %v, want 74", after["communities"])
	}
	for _, c := range []struct {
		key  string
		want float64
	}{{"total", 193}, {"four_teams", 32}, {"district_chief", 161}} {
		if got := acc(after, c.key) - acc(before, c.key); got != c.want {
			t.Errorf("accepted %s grew by %v, want %v", c.key, got, c.want)
		}
	}
	if got := after["applications"].(float64) - before["applications"].(float64); got != 193 {
		t.Errorf("applications grew by %v", got)
	}
}
