package tabletsync_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/savectx"
	"yuetan/tabletsync"
	"yuetan/tabletsync/client"
)

// Every benchmark here reports ratios against a baseline measured in the
// same process run (absolute times depend on the machine):
//
//	go test -run '^$' -bench . -benchtime 10x ./tabletsync
//
// BenchmarkPullLatency10kVs1M generates a million issues (about a minute)
// and BenchmarkTablets600 builds and runs the server binary with 600
// simulated tablets (about two minutes).

// BenchmarkPushVsBatch creates the same issues (1, 10 and 100 a push)
// through the sync push, through PocketBase's /api/batch (one create
// request each, one transaction) and, as the floor, through one prepared
// INSERT of the same column values into the issues table in one
// transaction (database/sql on PocketBase's own connection, no hooks, no
// feed, no HTTP), as the same grid worker, rotating which goes first.
// push_vs_raw_x is the median over the rounds of push time / raw insert
// time in the round (the issue's goal: ≤ 15; a round's three run back to
// back, so a shared machine's drift cancels); push_speedup_x = batch
// time / push time, likewise.
func BenchmarkPushVsBatch(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) { benchPush(b, n) })
	}
}

func benchPush(b *testing.B, n int) {
	env := testenv.New(b)
	hc := env.Org("DL-HC").Id
	var pushT, batchT, rawT time.Duration
	var vsRaw, speedup []float64
	iter := 0
	mutations := func() ([]map[string]any, []byte) {
		muts := make([]map[string]any, n)
		for i := range muts {
			muts[i] = createIssue(hc, fmt.Sprintf("压测问题 %d-%d", iter, i))
		}
		body, _ := json.Marshal(map[string]any{"client": "bench", "mutations": muts})
		return muts, body
	}
	push := func(body []byte) {
		res := call(b, env, http.MethodPost, "/api/sync/push", gridEmail, body, schemaNow, "")
		if res.Status != http.StatusOK || strings.Count(string(res.Body), `"status":"applied"`) != n {
			b.Fatalf("push: %.500s", res.Body)
		}
	}
	// the floor's rows: what a push stored, under new ids
	warm, warmBody := mutations()
	push(warmBody)
	cols, template := storedRows(b, env, "issues", warm)
	sqlDB := env.App.NonconcurrentDB().(*dbx.DB).DB()
	insert := "INSERT INTO issues (" + strings.Join(cols, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(cols)-1) + ")"
	idCol, titleCol := slices.Index(cols, "id"), slices.Index(cols, collections.IssueTitle)
	for b.Loop() {
		muts, pushBody := mutations()
		reqs := make([]map[string]any, n)
		rows := make([][]any, n)
		for i := range muts {
			body := muts[i]["data"].(map[string]any)
			reqs[i] = map[string]any{"method": "POST", "url": "/api/collections/issues/records", "body": body}
			rows[i] = slices.Clone(template[i])
			rows[i][idCol], rows[i][titleCol] = newID(), body[collections.IssueTitle]
		}
		batchBody, _ := json.Marshal(map[string]any{"requests": reqs})
		runs := []func(){
			func() {
				start := time.Now()
				push(pushBody)
				pushT += time.Since(start)
			},
			func() {
				start := time.Now()
				res := call(b, env, http.MethodPost, "/api/batch", gridEmail, batchBody, "", "")
				batchT += time.Since(start)
				if res.Status != http.StatusOK {
					b.Fatalf("batch: %.500s", res.Body)
				}
			},
			func() {
				start := time.Now()
				rawInsert(b, sqlDB, insert, rows)
				rawT += time.Since(start)
			},
		}
		p0, b0, r0 := pushT, batchT, rawT
		for k := range runs {
			runs[(iter+k)%len(runs)]()
		}
		vsRaw = append(vsRaw, float64(pushT-p0)/float64(rawT-r0))
		speedup = append(speedup, float64(batchT-b0)/float64(pushT-p0))
		iter++
	}
	b.ReportMetric(medianOf(vsRaw), "push_vs_raw_x")
	b.ReportMetric(medianOf(speedup), "push_speedup_x")
	b.ReportMetric(float64(pushT.Microseconds())/float64(iter*n), "push_µs/record")
	b.ReportMetric(float64(batchT.Microseconds())/float64(iter*n), "batch_µs/record")
	b.ReportMetric(float64(rawT.Microseconds())/float64(iter*n), "raw_µs/record")
}

// storedRows reads the rows the create mutations stored, in their order:
// the column names and each row's values as SQLite returns them.
func storedRows(b *testing.B, env *testenv.Env, table string, muts []map[string]any) ([]string, [][]any) {
	b.Helper()
	db := env.App.NonconcurrentDB().(*dbx.DB).DB()
	var cols []string
	out := make([][]any, len(muts))
	for i, m := range muts {
		rows, err := db.Query("SELECT * FROM "+table+" WHERE id = ?", m["record"])
		if err != nil {
			b.Fatal(err)
		}
		if cols, err = rows.Columns(); err != nil {
			b.Fatal(err)
		}
		if !rows.Next() {
			b.Fatalf("%s %s not stored", table, m["record"])
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for k := range vals {
			ptrs[k] = &vals[k]
		}
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		rows.Close()
		out[i] = vals
	}
	return cols, out
}

// rawInsert runs one prepared INSERT for each row in one transaction.
func rawInsert(b *testing.B, db *sql.DB, insert string, rows [][]any) {
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(insert)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range rows {
		if _, err := stmt.Exec(r...); err != nil {
			b.Fatal(err)
		}
	}
	if err := stmt.Close(); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// genIssues inserts n issues spread over the applicant orgs with one SQL
// statement (a recursive CTE) and their feed rows with another, the way
// the sync migration backfills; it returns the ids in community.
func genIssues(b *testing.B, env *testenv.Env, n int, community string, want int) []string {
	b.Helper()
	codes := []string{"DL-HC", "DL-DLF", "DL-GF", "BH-DH", "BH-HL", "BH-GF", "ML-ML", "ML-HF", "ML-GF"}
	var cases strings.Builder
	params := dbx.Params{"n": n, "now": time.Now().UTC().Format("2006-01-02 15:04:05.000Z")}
	for i, c := range codes {
		fmt.Fprintf(&cases, " WHEN %d THEN {:c%d}", i, i)
		params["c"+strconv.Itoa(i)] = env.Org(c).Id
	}
	start := time.Now()
	_, err := env.App.DB().NewQuery(`WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < {:n})
		INSERT INTO issues (id, community, grid, kind, title, description, address, source, status, collected_at, created, updated)
		SELECT printf('g%014d', k), CASE k % 9` + cases.String() + ` END, 'gen', 'problem', '生成的问题 ' || k,
			'压测用的问题描述，长度与真实记录相当：小区低洼地积水，居民希望改造。', (k % 40) || '幢', 'door_to_door', 'open', {:now}, {:now}, {:now}
		FROM seq`).Bind(params).Execute()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := env.App.DB().NewQuery(`INSERT INTO _sync_changes (collection, record, op)
		SELECT 'issues', id, 'upsert' FROM issues WHERE grid = 'gen' ORDER BY id`).Execute(); err != nil {
		b.Fatal(err)
	}
	var ids []string
	err = env.App.DB().Select("id").From("issues").
		Where(dbx.HashExp{"grid": "gen", "community": community}).Limit(int64(want)).Column(&ids)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d issues in %v", n, time.Since(start).Round(time.Millisecond))
	return ids
}

// pullRaw pulls from cursor until more is false, decoding records as raw
// JSON (as the list baseline does), and returns the records (but orgs and
// users: a pull hands out their directories, not the whole list, see
// TestPullScopeMatchesListAPI) and the cursor.
func pullRaw(b *testing.B, env *testenv.Env, email, cursor string) (int, string) {
	n := 0
	for {
		res := call(b, env, http.MethodGet, "/api/sync/pull?limit=500&cursor="+cursor, email, nil, schemaNow, "")
		var page struct {
			Changes []struct {
				Collection string          `json:"collection"`
				Op         string          `json:"op"`
				Record     json.RawMessage `json:"record"`
			} `json:"changes"`
			Cursor string `json:"cursor"`
			More   bool   `json:"more"`
		}
		if res.Status != http.StatusOK || json.Unmarshal(res.Body, &page) != nil {
			b.Fatalf("pull: %s", res)
		}
		for _, c := range page.Changes {
			if !directory(c.Collection) {
				n++
			}
		}
		if cursor = page.Cursor; !page.More {
			return n, cursor
		}
	}
}

// listRaw reads what email may list of every synced collection (but orgs
// and users, as pullRaw) the way the JS SDK's getFullList does
// (perPage=500, skipTotal=1, page after page), with an optional filter.
func listRaw(b *testing.B, env *testenv.Env, email, filter string) int {
	n := 0
	for _, e := range tabletsync.Table {
		if e.Directory != "" {
			continue
		}
		for page := 1; ; page++ {
			url := fmt.Sprintf("/api/collections/%s/records?perPage=500&page=%d&skipTotal=1", e.Collection, page)
			if filter != "" {
				url += "&filter=" + neturl.QueryEscape(filter)
			}
			res := env.Do("GET", url, email, nil)
			var body struct {
				Items []json.RawMessage `json:"items"`
			}
			if res.Status != http.StatusOK || json.Unmarshal(res.Body, &body) != nil {
				b.Fatalf("list: %s", res)
			}
			n += len(body.Items)
			if len(body.Items) < 500 {
				break
			}
		}
	}
	return n
}

// BenchmarkPullVsList compares the sync pull with the list API reading the
// same records (27,000 generated issues over nine communities, plus the
// demo district), as the JS SDK's getFullList would (per collection,
// perPage=500, skipTotal=1), alternating which goes first:
//
//   - changes_x: 500 records changed in a community (and 500 elsewhere)
//     since the last sync; pull from the cursor vs the list API filtered on
//     updated >= the last sync (the list API's only way to read them).
//   - full_district_x: a supervisor's initial sync of everything (the list
//     API pages with OFFSET; the pull walks the feed by seq).
//   - full_community_x: a community staff member's initial sync of her
//     community (3,139 records).
//
// Each ratio is list time / pull time.
func BenchmarkPullVsList(b *testing.B) {
	env := testenv.New(b)
	own := genIssues(b, env, 27000, env.Org("DL-HC").Id, 27000)
	others := []string{}
	if err := env.App.DB().Select("id").From("issues").Where(dbx.HashExp{"grid": "gen"}).
		AndWhere(dbx.Not(dbx.HashExp{"community": env.Org("DL-HC").Id})).Limit(5000).Column(&others); err != nil {
		b.Fatal(err)
	}
	_, staffCursor := pullRaw(b, env, staffEmail, "")
	ctx := savectx.WithActor(context.Background(), savectx.System)
	var (
		tPull, tList [3]time.Duration
		nPull, nList [3]int
		next         int
		iter         int
	)
	timed := func(d *time.Duration, f func()) {
		start := time.Now()
		f()
		*d += time.Since(start)
	}
	for b.Loop() {
		// the day's changes
		since := time.Now().UTC().Add(-time.Millisecond).Format("2006-01-02 15:04:05.000Z")
		for i := 0; i < 500; i++ {
			for _, id := range []string{own[next%len(own)], others[next%len(others)]} {
				rec, err := env.App.FindRecordById(collections.Issues, id)
				if err != nil {
					b.Fatal(err)
				}
				rec.Set(collections.IssueAddress, fmt.Sprintf("第%d次修改", next))
				if err := env.App.SaveWithContext(ctx, rec); err != nil {
					b.Fatal(err)
				}
			}
			next++
		}
		runs := []func(){
			func() {
				timed(&tPull[0], func() { nPull[0], staffCursor = pullRaw(b, env, staffEmail, staffCursor) })
			},
			func() {
				timed(&tList[0], func() { nList[0] = listRaw(b, env, staffEmail, `updated >= "`+since+`"`) })
			},
			func() { timed(&tPull[1], func() { nPull[1], _ = pullRaw(b, env, supEmail, "") }) },
			func() { timed(&tList[1], func() { nList[1] = listRaw(b, env, supEmail, "") }) },
			func() { timed(&tPull[2], func() { nPull[2], _ = pullRaw(b, env, staffEmail, "") }) },
			func() { timed(&tList[2], func() { nList[2] = listRaw(b, env, staffEmail, "") }) },
		}
		for k := 0; k < 3; k++ {
			if iter%2 == 0 {
				runs[2*k]()
				runs[2*k+1]()
			} else {
				runs[2*k+1]()
				runs[2*k]()
			}
		}
		iter++
	}
	for k, name := range []string{"changes", "full_district", "full_community"} {
		if nPull[k] != nList[k] {
			b.Fatalf("%s: pull read %d records, the list API %d", name, nPull[k], nList[k])
		}
		b.ReportMetric(float64(tList[k])/float64(tPull[k]), name+"_x")
		b.ReportMetric(float64(nPull[k]), name+"_records")
		b.ReportMetric(float64(tPull[k].Milliseconds())/float64(iter), name+"_pull_ms")
		b.ReportMetric(float64(tList[k].Milliseconds())/float64(iter), name+"_list_ms")
	}
}

// latencyEnv is a database with n generated issues and a staff member's
// pull session at the head of the feed.
type latencyEnv struct {
	env     *testenv.Env
	session int64
	pool    []string
	next    int
}

func newLatencyEnv(b *testing.B, n int) *latencyEnv {
	env := testenv.New(b)
	staff := env.User(staffEmail)
	pool := genIssues(b, env, n, env.Org("DL-HC").Id, 1000)
	res, err := env.App.DB().Insert("_sync_sessions", dbx.Params{"user": staff.Id, "scope": tabletsync.ScopeKey(env.App, staff)}).Execute()
	if err != nil {
		b.Fatal(err)
	}
	id, _ := res.LastInsertId()
	l := &latencyEnv{env: env, session: id, pool: pool}
	// a first round hands the session the orgs and users the issues
	// reference (an initial sync would have): the timed rounds carry the
	// 100 changes alone
	l.round(b, false)
	return l
}

// round makes 100 new changes (edits of issues the staff member sees, saved
// with every hook) and times a pull of them from the cursor before them.
func (l *latencyEnv) round(b *testing.B, exact bool) time.Duration {
	cursor := tabletsync.CursorAt(l.env.App, l.session, int64(maxSeq(b, l.env)))
	ctx := savectx.WithActor(context.Background(), savectx.System)
	for i := 0; i < 100; i++ {
		rec, err := l.env.App.FindRecordById(collections.Issues, l.pool[l.next%len(l.pool)])
		if err != nil {
			b.Fatal(err)
		}
		l.next++
		rec.Set(collections.IssueDescription, fmt.Sprintf("第 %d 次修改", l.next))
		if err := l.env.App.SaveWithContext(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	page := pullPage(b, l.env, staffEmail, cursor, 500)
	d := time.Since(start)
	if (exact && len(page.Changes) != 100) || len(page.Changes) < 100 || page.More {
		b.Fatalf("pull after 100 changes: %d changes, more=%v", len(page.Changes), page.More)
	}
	return d
}

// BenchmarkPullLatency10kVs1M times a pull of 100 new changes with 10,000
// and with 1,000,000 issues in the database, alternating.
// latency_1M_vs_10k_x = median pull time with 1M / median with 10k (1.0
// means the cost follows the changes, not the table).
func BenchmarkPullLatency10kVs1M(b *testing.B) {
	small := newLatencyEnv(b, 10_000)
	large := newLatencyEnv(b, 1_000_000)
	var ts, tl []time.Duration
	iter := 0
	for b.Loop() {
		if iter%2 == 0 {
			ts = append(ts, small.round(b, true))
			tl = append(tl, large.round(b, true))
		} else {
			tl = append(tl, large.round(b, true))
			ts = append(ts, small.round(b, true))
		}
		iter++
	}
	ms, ml := median(ts), median(tl)
	b.ReportMetric(float64(ml)/float64(ms), "latency_1M_vs_10k_x")
	b.ReportMetric(float64(ms.Microseconds())/1000, "pull100_ms_10k")
	b.ReportMetric(float64(ml.Microseconds())/1000, "pull100_ms_1M")
}

func medianOf(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// rss reads a process's resident memory and its peak, in MB.
func rss(b *testing.B, pid int) (now, peak float64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			now = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return now, peak
}

// withoutRateLimits turns the server's rate limits off: the simulated
// district's 600 tablets sign in and push from one address, which the
// limits (on, by migration, since the benchmark was written) would hold
// to 30 sign-ins and 120 pushes a minute.
func withoutRateLimits(b *testing.B, server string) {
	b.Helper()
	post := func(method, path, token string, body any) []byte {
		raw, err := json.Marshal(body)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequest(method, server+path, strings.NewReader(string(raw)))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("%s %s: %d %s %v", method, path, res.StatusCode, out, err)
		}
		return out
	}
	var auth struct {
		Token string `json:"token"`
	}
	raw := post(http.MethodPost, "/api/collections/_superusers/auth-with-password", "",
		map[string]string{"identity": demo.SuperuserEmail, "password": demo.Password})
	if err := json.Unmarshal(raw, &auth); err != nil {
		b.Fatal(err)
	}
	post(http.MethodPatch, "/api/settings", auth.Token, map[string]any{"rateLimits": map[string]any{"enabled": false}})
}

// BenchmarkTablets600 runs the server binary and 600 simulated tablets in
// 75 communities (eight a community, as in a district of about seventy):
// each pulls its scope, collects about 30 mutations offline, then syncs,
// the syncs spread over 30 seconds (an evening). The baseline is one
// tablet doing the same on the idle server first. Reported: p50/p99 push
// latency, p99 under load vs idle, and the server's peak resident memory
// (from /proc) vs its memory when idle.
func BenchmarkTablets600(b *testing.B) {
	dir := b.TempDir()
	srv := startServer(b, dir)
	withoutRateLimits(b, srv.URL())
	idleRSS, _ := rss(b, srv.pid())
	ctx := context.Background()
	opts := client.SimOptions{Server: srv.URL(), Tablets: 1, Mutations: 30, Dir: b.TempDir(), Password: demo.Password,
		Communities: 75, Superuser: demo.SuperuserEmail, SuperuserPassword: demo.Password}
	base, err := client.Simulate(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	var last client.SimReport
	for b.Loop() {
		opts.Tablets, opts.Spread, opts.Dir = 600, 30*time.Second, b.TempDir()
		if last, err = client.Simulate(ctx, opts); err != nil {
			b.Fatal(err)
		}
		if last.Applied != last.Mutations {
			b.Fatalf("%d of %d mutations applied (%+v)", last.Applied, last.Mutations, last)
		}
	}
	_, peak := rss(b, srv.pid())
	b.ReportMetric(float64(last.Percentile(50).Microseconds())/1000, "push_p50_ms")
	b.ReportMetric(float64(last.Percentile(99).Microseconds())/1000, "push_p99_ms")
	b.ReportMetric(float64(last.Percentile(99))/float64(base.Percentile(99)), "p99_vs_idle_x")
	b.ReportMetric(peak, "peak_rss_MB")
	b.ReportMetric(peak/idleRSS, "peak_vs_idle_rss_x")
	b.ReportMetric(float64(last.Mutations)/last.Elapsed.Seconds(), "mutations/s")
}
