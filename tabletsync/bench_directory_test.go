package tabletsync_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// grownDistrict is the demo district grown by copies of its shape: each
// copy adds three streets under the district, three communities under
// each, and a grid worker and a community staff member in every
// community; the issues are spread evenly over every community (the
// demo's nine and the copies').
type grownDistrict struct {
	env   *testenv.Env
	staff []string // the copies' community staff, one a community
}

// growDistrict builds a grown district with copies copies and perCommunity
// issues in every community. Orgs, users and issues are written with SQL
// (with their feed rows, as the sync migration backfills): saving a
// thousand users would hash a thousand passwords.
func growDistrict(b *testing.B, copies, perCommunity int) *grownDistrict {
	b.Helper()
	env := testenv.New(b)
	db := env.App.DB()
	exec := func(q string, p dbx.Params) {
		b.Helper()
		if _, err := db.NewQuery(q).Bind(p).Execute(); err != nil {
			b.Fatalf("%.80s: %v", q, err)
		}
	}
	district := env.Org("DL").GetString(collections.OrgParent)
	staff := env.User(staffEmail)
	now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	d := &grownDistrict{env: env}
	exec("CREATE TABLE gen_communities (k INTEGER PRIMARY KEY, id TEXT NOT NULL)", nil)
	for _, code := range []string{"DL-HC", "DL-DLF", "DL-GF", "BH-DH", "BH-HL", "BH-GF", "ML-ML", "ML-HF", "ML-GF"} {
		exec("INSERT INTO gen_communities (id) VALUES ({:id})", dbx.Params{"id": env.Org(code).Id})
	}
	org := func(id, name, kind, parent string) {
		exec(`INSERT INTO orgs (id, name, kind, parent, code, created, updated) VALUES ({:id}, {:name}, {:kind}, {:parent}, {:id}, {:now}, {:now})`,
			dbx.Params{"id": id, "name": name, "kind": kind, "parent": parent, "now": now})
	}
	user := func(id, name, role, org string) string {
		email := id + "@gen.example"
		exec(`INSERT INTO users (id, email, emailVisibility, verified, password, tokenKey, name, role, org, title, created, updated)
			VALUES ({:id}, {:email}, 0, 1, {:pw}, {:tk}, {:name}, {:role}, {:org}, {:name}, {:now}, {:now})`,
			dbx.Params{"id": id, "email": email, "pw": staff.GetString("password"), "tk": "tk" + id, "name": name, "role": role, "org": org, "now": now})
		return email
	}
	for c := 0; c < copies; c++ {
		for s := 0; s < 3; s++ {
			street := fmt.Sprintf("gs%06d%07d", c, s)
			org(street, fmt.Sprintf("生成街道 %d-%d", c, s), collections.OrgStreet, district)
			for m := 0; m < 3; m++ {
				comm := fmt.Sprintf("gc%06d%03d%03d", c, s, m)
				org(comm, fmt.Sprintf("生成社区 %d-%d-%d", c, s, m), collections.OrgCommunity, street)
				exec("INSERT INTO gen_communities (id) VALUES ({:id})", dbx.Params{"id": comm})
				user(fmt.Sprintf("gg%06d%03d%03d", c, s, m), "生成网格员", workflow.RoleGridWorker, comm)
				d.staff = append(d.staff, user(fmt.Sprintf("gu%06d%03d%03d", c, s, m), "生成社区干部", workflow.RoleCommunityStaff, comm))
			}
		}
	}
	var communities int
	if err := db.NewQuery("SELECT COUNT(*) FROM gen_communities").Row(&communities); err != nil {
		b.Fatal(err)
	}
	n := communities * perCommunity
	exec(`WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < {:n})
		INSERT INTO issues (id, community, grid, kind, title, description, address, source, status, collected_at, created, updated)
		SELECT printf('g%014d', k), (SELECT id FROM gen_communities WHERE gen_communities.k = seq.k % {:c} + 1), 'gen', 'problem', '生成的问题 ' || k,
			'压测用的问题描述，长度与真实记录相当：小区低洼地积水，居民希望改造。', (k % 40) || '幢', 'door_to_door', 'open', {:now}, {:now}, {:now}
		FROM seq`, dbx.Params{"n": n, "c": communities, "now": now})
	exec(`INSERT INTO _sync_changes (collection, record, op)
		SELECT 'orgs', id, 'upsert' FROM orgs WHERE name LIKE '生成%' UNION ALL
		SELECT 'users', id, 'upsert' FROM users WHERE email LIKE '%@gen.example' UNION ALL
		SELECT 'issues', id, 'upsert' FROM issues WHERE grid = 'gen'`, nil)
	exec("DROP TABLE gen_communities", nil)
	b.Logf("district grown by %d copies: %d communities, %d issues", copies, communities, n)
	return d
}

// initialSync runs one full initial sync as email and returns how many
// records it carried and how many of them were orgs and users.
func initialSync(b *testing.B, env *testenv.Env, email string) (records, directory int) {
	b.Helper()
	cursor := ""
	for {
		res := call(b, env, http.MethodGet, "/api/sync/pull?limit=500&cursor="+cursor, email, nil, schemaNow, "")
		var page struct {
			Changes []struct {
				Collection string `json:"collection"`
			} `json:"changes"`
			Cursor string `json:"cursor"`
			More   bool   `json:"more"`
		}
		if res.Status != http.StatusOK || json.Unmarshal(res.Body, &page) != nil {
			b.Fatalf("pull: %.300s", res)
		}
		for _, c := range page.Changes {
			records++
			if c.Collection == collections.Orgs || c.Collection == collections.Users {
				directory++
			}
		}
		if cursor = page.Cursor; !page.More {
			return records, directory
		}
	}
}

// staffCommunity is the demo community staff member's org.
func staffCommunity(b *testing.B, env *testenv.Env) string {
	return env.User(staffEmail).GetString(collections.UserOrg)
}

// everyone counts the orgs and users (what every tablet got before the
// directories).
func everyone(b *testing.B, env *testenv.Env) int {
	var n int
	if err := env.App.DB().NewQuery("SELECT (SELECT COUNT(*) FROM orgs) + (SELECT COUNT(*) FROM users)").Row(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkInitialSync10kVs1M times a community staff member's initial
// sync (a fresh session) in the demo district with 10,000 issues and in
// the district grown a hundredfold by copies of its shape (1,000,000
// issues over 900 communities, 1,188 more orgs and 1,782 more users): the
// same 1,111 issues of her community either way, alternating.
// records_1M_vs_10k_x and time_1M_vs_10k_x are 1.0 when the sync carries
// what the tablet needs, not the district; floor_1M_vs_10k_x is the same
// ratio for reading her community's issue rows (with their feed rows)
// straight from SQLite; all_orgs_users_* is what the sync carried of orgs
// and users before the directories (every one).
func BenchmarkInitialSync10kVs1M(b *testing.B) {
	small := growDistrict(b, 0, 10_000/9)
	large := growDistrict(b, 99, 10_000/9)
	var ts, tl, fs, fl []time.Duration
	var rs, rl, ds, dl int
	iter := 0
	run := func(env *testenv.Env, times *[]time.Duration, records, dir *int) {
		start := time.Now()
		*records, *dir = initialSync(b, env, staffEmail)
		*times = append(*times, time.Since(start))
	}
	// the floor: reading her community's issue rows, and their feed rows,
	// straight from SQLite (rows spread through a table 100 times larger
	// cost more to reach)
	community := staffCommunity(b, small.env)
	floor := func(env *testenv.Env, times *[]time.Duration) {
		start := time.Now()
		var rows []struct {
			ID  string `db:"id"`
			Seq int64  `db:"seq"`
		}
		if err := env.App.DB().NewQuery(`SELECT i.*, c.seq FROM issues i JOIN _sync_changes c ON c.collection = 'issues' AND c.record = i.id
			WHERE i.community = {:c}`).Bind(dbx.Params{"c": community}).All(&rows); err != nil || len(rows) == 0 {
			b.Fatalf("floor: %d rows, %v", len(rows), err)
		}
		*times = append(*times, time.Since(start))
	}
	for b.Loop() {
		if iter%2 == 0 {
			run(small.env, &ts, &rs, &ds)
			run(large.env, &tl, &rl, &dl)
			floor(small.env, &fs)
			floor(large.env, &fl)
		} else {
			run(large.env, &tl, &rl, &dl)
			run(small.env, &ts, &rs, &ds)
			floor(large.env, &fl)
			floor(small.env, &fs)
		}
		iter++
	}
	ms, ml := median(ts), median(tl)
	b.ReportMetric(float64(median(fl))/float64(median(fs)), "floor_1M_vs_10k_x")
	b.ReportMetric(float64(rl)/float64(rs), "records_1M_vs_10k_x")
	b.ReportMetric(float64(ml)/float64(ms), "time_1M_vs_10k_x")
	b.ReportMetric(float64(rs), "records_10k")
	b.ReportMetric(float64(rl), "records_1M")
	b.ReportMetric(float64(ds), "orgs_users_10k")
	b.ReportMetric(float64(dl), "orgs_users_1M")
	b.ReportMetric(float64(everyone(b, small.env)), "all_orgs_users_10k")
	b.ReportMetric(float64(everyone(b, large.env)), "all_orgs_users_1M")
	b.ReportMetric(float64(ms.Microseconds())/1000, "sync_ms_10k")
	b.ReportMetric(float64(ml.Microseconds())/1000, "sync_ms_1M")
}

// BenchmarkInitialSyncFleet runs the initial syncs of a whole fleet, one
// tablet in every community of a district grown by 4 copies (36 tablets)
// and of one grown by 8 (72 tablets: the district grows with its
// tablets), 100 issues a community, alternating. fleet_2N_vs_N_records_x
// and fleet_2N_vs_N_time_x are 2.0 when the fleet's cost is linear in its
// tablets (every tablet handed every org and user: about 2.9 for the
// records here, and quadratic as the district grows).
func BenchmarkInitialSyncFleet(b *testing.B) {
	n := growDistrict(b, 4, 100)
	n2 := growDistrict(b, 8, 100)
	var tn, t2n time.Duration
	var rn, r2n, dn, d2n int
	fleet := func(d *grownDistrict, t *time.Duration, total, dirs *int) {
		start := time.Now()
		*total, *dirs = 0, 0
		for _, email := range d.staff {
			r, dir := initialSync(b, d.env, email)
			*total += r
			*dirs += dir
		}
		*t += time.Since(start)
	}
	iter := 0
	for b.Loop() {
		if iter%2 == 0 {
			fleet(n, &tn, &rn, &dn)
			fleet(n2, &t2n, &r2n, &d2n)
		} else {
			fleet(n2, &t2n, &r2n, &d2n)
			fleet(n, &tn, &rn, &dn)
		}
		iter++
	}
	// what the fleet carried when every tablet got every org and user
	all := func(d *grownDistrict, total, dirs int) int { return total - dirs + len(d.staff)*everyone(b, d.env) }
	b.ReportMetric(float64(r2n)/float64(rn), "fleet_2N_vs_N_records_x")
	b.ReportMetric(float64(all(n2, r2n, d2n))/float64(all(n, rn, dn)), "fleet_2N_vs_N_records_x_every_org_user")
	b.ReportMetric(float64(dn)/float64(len(n.staff)), "orgs_users_per_tablet_N")
	b.ReportMetric(float64(d2n)/float64(len(n2.staff)), "orgs_users_per_tablet_2N")
	b.ReportMetric(float64(t2n)/float64(tn), "fleet_2N_vs_N_time_x")
	b.ReportMetric(float64(rn)/float64(len(n.staff)), "records_per_tablet_N")
	b.ReportMetric(float64(r2n)/float64(len(n2.staff)), "records_per_tablet_2N")
	b.ReportMetric(float64(everyone(b, n.env)), "all_orgs_users_N")
	b.ReportMetric(float64(everyone(b, n2.env)), "all_orgs_users_2N")
	b.ReportMetric(float64(tn.Milliseconds())/float64(iter), "fleet_ms_N")
	b.ReportMetric(float64(t2n.Milliseconds())/float64(iter), "fleet_ms_2N")
}
