package stats_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/internal/testenv"
	"yuetan/stats"
	"yuetan/workdays"
	"yuetan/workflow"
)

// TestPopulationCountsAllThatCounts checks that reading only a period's
// population of applications (open ones, and the others changed since
// shortly before the period) gives the figures reading every application
// gives: for the demo district with a grown history and an open matter
// untouched for two years, over periods this year, last year, two years
// back and all time, for the district and for a leader. Then a matter
// closed two years ago with its talk never scheduled: reading every
// application counts that stage late in every period since; the
// population's figures leave it out (it has no stage open in them) and
// count it in the period it moved in.
func TestPopulationCountsAllThatCounts(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Grow(3_000, 50)
	now := time.Now()
	twoYears := now.AddDate(-2, 0, 0).UTC()
	pbTime := func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000Z") }
	stale := firstApplication(t, env, workflow.StatusInHandling)
	setColumns(t, env, stale, dbx.Params{collections.AppHandlingDue: pbTime(twoYears), collections.FieldUpdated: pbTime(twoYears)})
	year := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, workdays.Shanghai)
	type period struct {
		name     string
		from, to time.Time
	}
	periods := []period{
		{"this year", year, now.AddDate(0, 0, 1)},
		{"last year", year.AddDate(-1, 0, 0), year},
		{"two years back", year.AddDate(-2, 0, 0), year.AddDate(-1, 0, 0)},
		{"all time", year.AddDate(-20, 0, 0), now.AddDate(0, 0, 1)},
	}
	leader := env.User("secretary@yuetan.example")
	viewers := []struct {
		name string
		q    stats.Query
	}{
		{"district", stats.Query{District: true, Work: true}},
		{"leader", stats.Query{Viewer: &core.RequestInfo{Auth: leader}}},
	}
	cal := deadlines.Calendar(env.App)
	figures := func(p period, q stats.Query, every bool) string {
		q.From, q.To = p.from, p.to
		compute := stats.Compute
		if every {
			compute = stats.ComputeEveryApplication
		}
		f, err := compute(env.App, cal, q, now)
		if err != nil {
			t.Fatal(err)
		}
		if p.name == "all time" && q.District && f.Total < 300 {
			t.Fatalf("all time: %d applications counted, want the history's", f.Total)
		}
		return figuresJSON(t, f)
	}
	before := map[string]string{}
	for _, p := range periods {
		for _, v := range viewers {
			got, want := figures(p, v.q, false), figures(p, v.q, true)
			if got != want {
				t.Errorf("%s, %s: figures differ\n got %s\nwant %s", p.name, v.name, got, want)
			}
			before[p.name+v.name] = got
		}
	}
	// the abandoned stage: closed two years ago, its talk never scheduled
	at := twoYears.Add(-24 * time.Hour)
	_, err := env.App.DB().Insert(collections.Applications, dbx.Params{
		"id": "abandoned000001", collections.AppCommunity: env.Org("DL-HC").Id, collections.AppStreet: env.Org("DL").Id,
		collections.AppApplicantKind: collections.ApplicantCommunity, collections.AppSubject: "搁置的审核",
		collections.AppCategory: workflow.Categories[0], collections.AppTargetLeader: leader.Id, collections.AppAssignedLeader: leader.Id,
		collections.AppStatus: workflow.StatusClosed, collections.AppScheduleDue: pbTime(at),
		collections.FieldCreated: pbTime(at.Add(-time.Hour)), collections.FieldUpdated: pbTime(twoYears),
	}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{workflow.StatusSubmitted, workflow.StatusClosed} {
		_, err := env.App.DB().Insert(collections.Events, dbx.Params{
			"id": "abandoned" + to[:6], collections.EvApplication: "abandoned000001", collections.EvAction: "status",
			collections.EvToStatus: to, collections.FieldCreated: pbTime(twoYears), collections.FieldUpdated: pbTime(twoYears),
		}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range periods[:2] {
		district := viewers[0].q
		if got := figures(p, district, false); got != before[p.name+"district"] {
			t.Errorf("%s: a matter closed before the period changed its figures\n got %s\nwas %s", p.name, got, before[p.name+"district"])
		}
		if every := figures(p, district, true); every == before[p.name+"district"] {
			t.Errorf("%s: reading every application did not count the abandoned stage: the test proves nothing", p.name)
		}
	}
	if got := figures(periods[2], viewers[0].q, false); got == before[periods[2].name+"district"] {
		t.Errorf("two years back: the matter that moved then is not counted")
	}
}

func firstApplication(t *testing.T, env *testenv.Env, status string) string {
	t.Helper()
	var id string
	err := env.App.DB().NewQuery("SELECT id FROM applications WHERE status = {:s} AND id NOT LIKE 'ga%' ORDER BY id LIMIT 1").
		Bind(dbx.Params{"s": status}).Row(&id)
	if err != nil {
		t.Fatalf("an application %s: %v", status, err)
	}
	return id
}

func setColumns(t *testing.T, env *testenv.Env, id string, cols dbx.Params) {
	t.Helper()
	if _, err := env.App.DB().Update(collections.Applications, cols, dbx.HashExp{"id": id}).Execute(); err != nil {
		t.Fatal(err)
	}
}

func figuresJSON(t *testing.T, f *stats.Figures) string {
	t.Helper()
	f.AsOf = ""
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
