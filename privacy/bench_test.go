package privacy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/privacy"
)

// linkIssues puts the seeded issues into applications of 50 (the most an
// application holds), so relations to many records are as wide as they get.
func linkIssues(b testing.TB, env *testenv.Env, n int) {
	b.Helper()
	var leader string
	if err := env.App.DB().NewQuery("SELECT id FROM users WHERE role = 'leader' LIMIT 1").Row(&leader); err != nil {
		b.Fatal(err)
	}
	err := env.App.RunInTransaction(func(tx core.App) error {
		for a := 0; a < n/50; a++ {
			ids := make([]string, 50)
			for i := range ids {
				ids[i] = fmt.Sprintf("bulk%011d", a*50+i)
			}
			raw, _ := json.Marshal(ids)
			id := fmt.Sprintf("bulkapp%08d", a)
			if _, err := tx.DB().NewQuery("INSERT INTO applications (id, community, applicant_kind, subject, category, target_leader, assigned_leader, issues, status) " +
				"VALUES ({:id}, (SELECT community FROM issues WHERE id = {:first}), 'community', '批量事项', 'other_hot', {:leader}, {:leader}, {:issues}, 'accepted')").
				Bind(map[string]any{"id": id, "first": ids[0], "leader": leader, "issues": string(raw)}).Execute(); err != nil {
				return err
			}
			if _, err := tx.DB().NewQuery("UPDATE issues SET application = {:id} WHERE id IN (SELECT value FROM json_each({:issues}))").
				Bind(map[string]any{"id": id, "issues": string(raw)}).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFilterBounds runs, over 20,000 issues in applications of 50, the
// widest filters the bounds still allow against a plain filter of the
// issues themselves, and the guard's own cost on the review's filter.
func BenchmarkFilterBounds(b *testing.B) {
	env := testenv.New(b)
	seedIssues(b, env, manyIssues, "")
	linkIssues(b, env, manyIssues)
	w := &world{env: env}
	runs := []struct {
		name, collection, filter string
	}{
		{"plain", "issues", `title ~ "zzz"`},
		{"first_step_multiple", "applications", `issues.title ?~ "zzz"`},
		{"first_step_back", "orgs", `issues_via_community.title ?~ "zzz"`},
		{"refused", "issues", `collected_by.issues_via_collected_by.title ?~ "zzz"`},
	}
	took := make([]time.Duration, len(runs))
	issues, _ := env.App.FindCachedCollectionByNameOrId(collections.Issues)
	info := &core.RequestInfo{Method: http.MethodGet, Auth: env.User(wg), Query: map[string]string{}}
	var check time.Duration
	for b.Loop() {
		for i, r := range runs {
			start := time.Now()
			o := w.list(wg, r.collection, url.Values{"filter": {r.filter}})
			took[i] += time.Since(start)
			if (o.Status == http.StatusOK) == (r.name == "refused") {
				b.Fatalf("%s: %v", r.name, o)
			}
		}
		start := time.Now()
		if err := privacy.Check(env.App, privacy.Query{Collection: issues, Rule: issues.ListRule, Info: info,
			Filters: []string{runs[3].filter}}); err == nil {
			b.Fatal("not refused")
		}
		check += time.Since(start)
	}
	for i, r := range runs[1:] {
		b.ReportMetric(float64(took[i+1])/float64(took[0]), r.name+"/plain")
	}
	b.ReportMetric(float64(check)/float64(took[0]), "check/plain")
}

// BenchmarkEnrichListed enriches 500 issues as staff, who see residents on
// their list rule's records (one query for the 500), against the working
// group, who see them on every record (no query).
func BenchmarkEnrichListed(b *testing.B) {
	env := testenv.New(b)
	seedIssues(b, env, 10*500, "")
	hc := env.Org("DL-HC").Id
	var ids []string
	if err := env.App.DB().NewQuery("SELECT id FROM issues WHERE community = {:c} LIMIT 500").Bind(map[string]any{"c": hc}).Column(&ids); err != nil {
		b.Fatal(err)
	}
	enrich := func(who string) time.Duration {
		recs, err := env.App.FindRecordsByIds(collections.Issues, ids)
		if err != nil {
			b.Fatal(err)
		}
		e := &core.RequestEvent{App: env.App}
		e.Request = httptest.NewRequest(http.MethodGet, "/", nil)
		e.Auth = env.User(who)
		start := time.Now()
		if err := apis.EnrichRecords(e, recs); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		if _, shown := recs[0].PublicExport()[collections.IssueResidentName]; !shown {
			b.Fatalf("%s: resident not shown", who)
		}
		return d
	}
	var listed, all time.Duration
	for b.Loop() {
		listed += enrich(staff)
		all += enrich(wg)
	}
	b.ReportMetric(float64(listed)/float64(all), "listed/all")
	b.ReportMetric(float64(listed.Microseconds())/float64(b.N), "listed_µs/500")
}
