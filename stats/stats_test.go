package stats_test

import (
	"net/http"
	"testing"

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
		{"applications (drafts never submitted are none)", num("applications"), 13},
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
		// nine notices delivered on time, and one accepted matter whose notice
		// is past its deadline and not delivered
		{"notices on time", num("on_time", "notice_due", "on_time"), 8},
		{"notices due", num("on_time", "notice_due", "done"), 9},
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
