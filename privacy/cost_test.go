package privacy_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/internal/testenv"
)

// manyIssues is the scale at which the review's filter ran into
// PocketBase's 30 s query timeout.
const manyIssues = 20000

// seedIssues inserts n issues straight into SQLite (the hooks are not what
// is measured here), spread over the demo's communities and collected by
// its 18 users in turn; every 1000th title holds "zzz". It returns how
// many were collected by collector.
func seedIssues(t testing.TB, env *testenv.Env, n int, collector string) int {
	t.Helper()
	var communities, users []string
	if err := env.App.DB().NewQuery("SELECT id FROM orgs WHERE kind = 'community' ORDER BY id").Column(&communities); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB().NewQuery("SELECT id FROM users ORDER BY id").Column(&users); err != nil {
		t.Fatal(err)
	}
	mine := 0
	err := env.App.RunInTransaction(func(tx core.App) error {
		const batch = 500
		for start := 0; start < n; start += batch {
			var rows []string
			params := dbx.Params{}
			for i := start; i < start+batch && i < n; i++ {
				title := fmt.Sprintf("批量问题%d", i)
				if i%1000 == 0 {
					title += "zzz"
				}
				by := users[i%len(users)]
				if by == collector {
					mine++
				}
				p := fmt.Sprintf("p%d", i)
				rows = append(rows, fmt.Sprintf("({:%s_id}, {:%s_c}, 'problem', {:%s_t}, 'door_to_door', {:%s_by}, 'open', {:%s_at}, {:%s_at})", p, p, p, p, p, p))
				params[p+"_id"] = fmt.Sprintf("bulk%011d", i)
				params[p+"_c"] = communities[i%len(communities)]
				params[p+"_t"] = title
				params[p+"_by"] = by
				params[p+"_at"] = "2026-11-01 08:00:00.000Z"
			}
			_, err := tx.DB().NewQuery("INSERT INTO issues (id, community, kind, title, source, collected_by, status, created, updated) VALUES " +
				strings.Join(rows, ",")).Bind(params).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return mine
}

// queryLog records the SQL the app's database runs.
type queryLog struct {
	mu   gosync.Mutex
	sqls []string
}

func logQueries(env *testenv.Env) *queryLog {
	l := &queryLog{}
	db := env.App.ConcurrentDB().(*dbx.DB)
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, q string, _ *sql.Rows, _ error) {
		l.mu.Lock()
		l.sqls = append(l.sqls, q)
		l.mu.Unlock()
	}
	return l
}

// since returns the statements logged after the first n that mention table.
func (l *queryLog) since(n int, table string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, q := range l.sqls[n:] {
		if strings.Contains(q, "`"+table+"`") {
			out = append(out, q)
		}
	}
	return out
}

func (l *queryLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sqls)
}

// TestCostlyFiltersRefusedBeforeTheyRun checks, with 20,000 issues, that a
// filter or sort whose relations multiply the rows is refused with a 400
// before any query on issues runs (the review's filter ran 30 s; 16 at
// once 31–32 s each), and that ordinary filters over the same rows answer.
func TestCostlyFiltersRefusedBeforeTheyRun(t *testing.T) {
	env := testenv.New(t)
	grid := env.User("grid@yuetan.example")
	mine := seedIssues(t, env, manyIssues, grid.Id)
	log := logQueries(env)
	w := &world{env: env}

	costly := []struct{ param, value string }{
		{"filter", `collected_by.issues_via_collected_by.title ?~ "zzz"`}, // the review's
		{"sort", `collected_by.issues_via_collected_by.title`},
		{"filter", `community.issues_via_community.title ?~ "zzz"`}, // forward then back: every issue × its community's
		{"filter", `meeting.issues_via_meeting.title ?~ "zzz"`},
		{"filter", `applications_via_issues.subject ?~ "zzz"`}, // a back-relation through a multiple relation: no index
		{"filter", `collected_by.org.users_via_org.name ?= "王小燕"`},
		{"filter", `application.issues.title ?~ "zzz" && application.issues:each ?= ""`}, // two multiplying joins
		{"filter", `application.community.parent.parent.name = "区"`},                     // four relations deep
	}
	for _, c := range costly {
		before := log.len()
		start := time.Now()
		o := w.list(wg, "issues", url.Values{c.param: {c.value}})
		took := time.Since(start)
		if o.Status != http.StatusBadRequest || o.Code != "too_costly" {
			t.Errorf("%s=%s: %v (after %v), want a 400 too_costly", c.param, c.value, o, took)
		}
		if ran := log.since(before, "issues"); len(ran) > 0 {
			t.Errorf("%s=%s: %d queries on issues ran before the refusal (after %v): %.200s", c.param, c.value, len(ran), took, ran[0])
		}
		t.Logf("refused %s=%s in %v", c.param, c.value, took)
	}

	// 16 at once, as the review sent them
	before := log.len()
	var wgp gosync.WaitGroup
	results := make([]observation, 16)
	start := time.Now()
	for i := range results {
		wgp.Add(1)
		go func() {
			defer wgp.Done()
			results[i] = w.list(wg, "issues", url.Values{"filter": {costly[0].value}})
		}()
	}
	wgp.Wait()
	t.Logf("16 at once refused in %v", time.Since(start))
	for i, o := range results {
		if o.Status != http.StatusBadRequest || o.Code != "too_costly" {
			t.Errorf("parallel %d: %v", i, o)
		}
	}
	if ran := log.since(before, "issues"); len(ran) > 0 {
		t.Errorf("parallel: %d queries on issues ran", len(ran))
	}

	// ordinary filters over the same 20,000 issues still answer, and right
	ordinary := []struct {
		who, value string
		total      int
	}{
		{wg, `title ~ "zzz"`, manyIssues / 1000},
		{wg, `collected_by = "` + grid.Id + `" && title ~ "批量问题"`, mine},
		{wg, `collected_by.name = "王小燕" && title ~ "批量问题"`, mine},
		{wg, `community.parent.name = "东柳街道" && title ~ "批量问题" && community.code = "DL-HC"`, -1},
		{"grid@yuetan.example", `title ~ "批量问题"`, -1},
	}
	for _, c := range ordinary {
		start := time.Now()
		o := w.list(c.who, "issues", url.Values{"filter": {c.value}, "perPage": {"1"}})
		if o.Status != http.StatusOK || (c.total >= 0 && o.Total != c.total) || o.Total == 0 {
			t.Errorf("%s %s: %v, want total %d", c.who, c.value, o, c.total)
		}
		t.Logf("answered %s (total %d) in %v", c.value, o.Total, time.Since(start))
	}
}
