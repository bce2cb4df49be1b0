package rollup_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/rollup"
	"yuetan/stats"
	"yuetan/workdays"
	"yuetan/workflow"
)

func openFigures(t testing.TB, pg string) *dbx.DB {
	t.Helper()
	db, err := rollup.OpenFigures(pg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ranges are the figure queries compared, all of the whole district (the
// roll-up's figures are the district's own report): this year to date,
// one month, everything.
func ranges(d *district, now time.Time) map[string]stats.Query {
	n := now.In(workdays.Shanghai)
	year := time.Date(n.Year(), 1, 1, 0, 0, 0, 0, workdays.Shanghai)
	month := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, workdays.Shanghai)
	return map[string]stats.Query{
		"year":  {From: year, To: now.Add(time.Second), District: true, Work: true},
		"month": {From: month, To: month.AddDate(0, 1, 0), District: true, Work: true},
		"all":   {From: time.Date(2000, 1, 1, 0, 0, 0, 0, workdays.Shanghai), To: now.AddDate(1, 0, 0), District: true, Work: true},
	}
}

// assertFiguresEqual compares, query by query, the district's own figures
// (stats.Compute on its SQLite database, what GET /api/stats answers) with
// the roll-up's for that district, as JSON: every count, rate, group and
// overdue item.
func assertFiguresEqual(t *testing.T, d *district, db *dbx.DB, now time.Time) {
	t.Helper()
	for name, q := range ranges(d, now) {
		want, err := stats.Compute(d.App, deadlines.Calendar(d.App), q, now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rollup.DistrictFigures(t.Context(), db, d.code, q, now)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if diffs := jsonDiff(wj, gj); len(diffs) > 0 {
			t.Errorf("%s: figures differ (/api/stats vs PostgreSQL): %s", name, strings.Join(diffs, "; "))
		}
		if want.Total == 0 && name != "month" {
			t.Errorf("%s: no applications: the comparison proves nothing", name)
		}
	}
}

// jsonDiff lists (at most 10) paths where two JSON documents differ.
func jsonDiff(a, b []byte) []string {
	var x, y any
	json.Unmarshal(a, &x)
	json.Unmarshal(b, &y)
	var out []string
	var walk func(path string, x, y any)
	walk = func(path string, x, y any) {
		if len(out) >= 10 {
			return
		}
		switch xv := x.(type) {
		case map[string]any:
			yv, ok := y.(map[string]any)
			if !ok {
				out = append(out, fmt.Sprintf("%s: %v vs %v", path, x, y))
				return
			}
			keys := map[string]bool{}
			for k := range xv {
				keys[k] = true
			}
			for k := range yv {
				keys[k] = true
			}
			for k := range keys {
				walk(path+"."+k, xv[k], yv[k])
			}
		case []any:
			yv, ok := y.([]any)
			if !ok || len(xv) != len(yv) {
				out = append(out, fmt.Sprintf("%s: %d items vs %v", path, len(xv), y))
				return
			}
			for i := range xv {
				walk(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i])
			}
		default:
			if fmt.Sprint(x) != fmt.Sprint(y) {
				out = append(out, fmt.Sprintf("%s: %v vs %v", path, x, y))
			}
		}
	}
	walk("", x, y)
	return out
}

// TestFiguresEqualStatsDemo: for the demo district the roll-up's figures
// are exactly /api/stats' — the route's JSON itself is compared too.
func TestFiguresEqualStatsDemo(t *testing.T) {
	pg := newDB(t)
	d := newDistrict(t, "330102")
	d.catchUp(pg, rollup.Options{})
	db := openFigures(t, pg)
	assertFiguresEqual(t, d, db, time.Now())

	res := d.Do("GET", "/api/stats", "sup@yuetan.example", nil)
	now := time.Now()
	q := ranges(d, now)["year"]
	got, err := rollup.DistrictFigures(t.Context(), db, d.code, q, now)
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := json.Marshal(got)
	var a, b map[string]any
	json.Unmarshal(res.Body, &a)
	json.Unmarshal(gj, &b)
	delete(a, "to") // the route's "to" is its own now
	delete(b, "to")
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	if diffs := jsonDiff(aj, bj); len(diffs) > 0 {
		t.Errorf("GET /api/stats vs roll-up: %s", strings.Join(diffs, "; "))
	}
}

// TestFiguresEqualStatsLarge: the same on a larger generated district —
// 600 applications in every status, with talks, feedback and deadlines met
// and missed — and a local calendar override, so the days-late count needs
// the district's own calendar.
func TestFiguresEqualStatsLarge(t *testing.T) {
	pg := newDB(t)
	d := newDistrict(t, "330102")
	now := time.Now()
	generate(t, d, 600, now, 1, 360*24*time.Hour)
	d.save(collections.CalendarDays, "", map[string]any{collections.CalendarDate: now.In(workdays.Shanghai).AddDate(0, 0, -3).Format("2006-01-02"),
		collections.CalendarWorkday: false, collections.CalendarName: "本地调休", collections.CalendarSource: "local"})
	d.catchUp(pg, rollup.Options{})
	assertFiguresEqual(t, d, openFigures(t, pg), now)
}

// generate adds n applications of d in random states created within span
// before now,
// with the talks and feedback their state implies, through PocketBase's
// save (every hook, the feed) as the system.
func generate(t testing.TB, d *district, n int, now time.Time, seed uint64, span time.Duration) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	communities := []string{d.Org("DL-HC").Id, d.Org("BH-DH").Id}
	streets := []string{d.Org("DL").Id, d.Org("BH").Id}
	leaders := []string{d.User("secretary@yuetan.example").Id, d.User("mayor@yuetan.example").Id, d.User("chief@yuetan.example").Id}
	units := []string{d.Org("JD-CG").Id, d.Org("JD-ZJ").Id}
	statuses := workflow.Statuses
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }
	err := d.App.RunInTransaction(func(tx core.App) error {
		saveAt := func(coll string, data map[string]any, at time.Time) string {
			c, err := tx.FindCachedCollectionByNameOrId(coll)
			if err != nil {
				t.Fatal(err)
			}
			rec := core.NewRecord(c)
			for k, v := range data {
				rec.Set(k, v)
			}
			if err := tx.SaveWithContext(system, rec); err != nil {
				t.Fatalf("generate %s: %v", coll, err)
			}
			// autodate fields take the save's time: date the record back
			if _, err := tx.DB().NewQuery("UPDATE " + coll + " SET created = {:t}, updated = {:t} WHERE id = {:id}").
				Bind(dbx.Params{"t": ts(at), "id": rec.Id}).Execute(); err != nil {
				t.Fatal(err)
			}
			return rec.Id
		}
		for i := 0; i < n; i++ {
			created := now.Add(-time.Duration(rng.Int64N(int64(span))))
			st := statuses[rng.IntN(len(statuses))]
			k := rng.IntN(len(communities))
			due := func(days int) string { return ts(created.Add(time.Duration(days) * 24 * time.Hour)) }
			done := func(days int) string {
				if rng.IntN(3) == 0 {
					return ""
				}
				return ts(created.Add(time.Duration(days+rng.IntN(5)-2) * 24 * time.Hour))
			}
			data := map[string]any{
				collections.AppCommunity: communities[k], collections.AppApplicantKind: collections.ApplicantCommunity,
				collections.AppSubject: fmt.Sprintf("生成事项 %d", i), collections.AppCategory: workflow.Categories[rng.IntN(len(workflow.Categories))],
				collections.AppTargetLeader: leaders[rng.IntN(len(leaders))], collections.AppStatus: st,
				collections.AppSerial: fmt.Sprintf("GEN-%d-%04d", seed, i), collections.AppTalkForm: "visit",
				collections.AppReviewDue: due(3), collections.AppNoticeDue: due(6), collections.AppScheduleDue: due(11), collections.AppHandlingDue: due(30),
				collections.AppReviewedAt: done(3), collections.AppNotifiedAt: done(6), collections.AppScheduledAt: done(11), collections.AppFeedbackAt: done(30),
			}
			if rng.IntN(4) > 0 {
				data[collections.AppStreet] = streets[k]
			}
			if st != workflow.StatusDraft && rng.IntN(3) > 0 {
				data[collections.AppAcceptedAt] = done(4)
				data[collections.AppAssignedLeader] = leaders[rng.IntN(len(leaders))]
				data[collections.AppHandlingUnit] = units[rng.IntN(len(units))]
			}
			if rng.IntN(2) == 0 {
				data[collections.AppResolvedAt] = done(20)
				if rng.IntN(2) == 0 {
					data[collections.AppForwardedAt] = done(2)
				}
			}
			app := saveAt(collections.Applications, data, created)
			// the audit trail the figures count (stats.Definitions): its
			// submission, its acceptance and its move into its status
			if st != workflow.StatusDraft {
				moves := [][2]string{{workflow.StatusSubmitted, ts(created)}}
				if at, _ := data[collections.AppAcceptedAt].(string); at != "" {
					moves = append(moves, [2]string{workflow.StatusAccepted, at})
				}
				if st != workflow.StatusSubmitted && st != workflow.StatusAccepted {
					moves = append(moves, [2]string{st, ts(created.Add(time.Duration(1+rng.IntN(20)) * time.Hour))})
				}
				for _, m := range moves {
					saveAt(collections.Events, map[string]any{collections.EvApplication: app, collections.EvAction: "generated",
						collections.EvToStatus: m[0], collections.EvActorName: "系统"}, created)
					if _, err := tx.DB().NewQuery("UPDATE events SET created = {:t} WHERE application = {:a} AND to_status = {:s}").
						Bind(dbx.Params{"t": m[1], "a": app, "s": m[0]}).Execute(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if rng.IntN(2) == 0 {
				saveAt(collections.Talks, map[string]any{collections.TalkApplication: app, collections.TalkScheduledAt: due(10),
					collections.TalkPlace: "会议室", collections.TalkForm: "visit",
					collections.TalkOutcome: []string{"", workflow.OutcomeOnSpot, workflow.OutcomeAssigned, workflow.OutcomeExplained}[rng.IntN(4)]}, created.Add(time.Hour))
			}
			if rng.IntN(2) == 0 {
				saveAt(collections.Feedback, map[string]any{collections.FbApplication: app, collections.FbUnit: units[0], collections.FbResult: "已办",
					collections.FbLeaderDecision: workflow.DecisionPending,
					collections.FbSatisfaction:   []string{"", "satisfied", "basically_satisfied", "dissatisfied"}[rng.IntN(4)]}, created.Add(2*time.Hour))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
