package collections_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// The probing users: one per role, each "own" scope being 划船社区 / 东柳街道 /
// 周明远 / 区城管局 (see testenv.Fixture).
var probes = []struct{ role, email string }{
	{"guest", ""},
	{workflow.RoleGridWorker, "grid@yuetan.example"},
	{workflow.RoleCommunityStaff, "staff@yuetan.example"},
	{workflow.RoleStreetReviewer, "street@yuetan.example"},
	{workflow.RoleWorkingGroup, "wg@yuetan.example"},
	{workflow.RoleLeader, "secretary@yuetan.example"},
	{workflow.RoleHandler, "handler@yuetan.example"},
	{workflow.RoleSupervisor, "sup@yuetan.example"},
	{"superuser", demo.SuperuserEmail},
}

// cell is what one role may do with one collection: which fixture records
// it lists ("-" none, "O" own only, "B" both) and the HTTP status of
// create, update and delete on the own and the other record (0: not probed).
type cell struct {
	list                   string
	create, update, delete [2]int
}

// probe says how to exercise one collection.
type probe struct {
	collection string
	records    func(f *testenv.Fixture) testenv.Scope
	create     func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any
	update     map[string]any
	cells      map[string]cell // by role
}

const (
	ok   = http.StatusOK
	gone = http.StatusNoContent
	bad  = http.StatusBadRequest
	nf   = http.StatusNotFound
	fb   = http.StatusForbidden
)

var (
	denyAll     = cell{"-", [2]int{bad, bad}, [2]int{nf, nf}, [2]int{nf, nf}}
	readAllOnly = cell{"B", [2]int{bad, bad}, [2]int{nf, nf}, [2]int{nf, nf}}
	readOwnOnly = cell{"O", [2]int{bad, bad}, [2]int{nf, nf}, [2]int{nf, nf}}
	// talks and feedback are never deleted through the API
	noDelete  = func(c cell) cell { c.delete = [2]int{fb, fb}; return c }
	adminOnly = func(list string) cell { return cell{list, [2]int{fb, fb}, [2]int{fb, fb}, [2]int{fb, fb}} }
)

func scopeOrg(e *testenv.Env, own bool) string {
	if own {
		return e.Org("DL-HC").Id
	}
	return e.Org("BH-DH").Id
}

func probesTable() []probe {
	return []probe{
		{
			collection: collections.Orgs,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Orgs },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				return map[string]any{"name": "新社区", "kind": "community", "parent": e.Org("DL").Id}
			},
			update: map[string]any{"name": "改名社区"},
			cells: map[string]cell{
				"guest": adminOnly("-"), workflow.RoleGridWorker: adminOnly("B"), workflow.RoleCommunityStaff: adminOnly("B"),
				workflow.RoleStreetReviewer: adminOnly("B"), workflow.RoleWorkingGroup: adminOnly("B"), workflow.RoleLeader: adminOnly("B"),
				workflow.RoleHandler: adminOnly("B"), workflow.RoleSupervisor: adminOnly("B"),
				"superuser": {"B", [2]int{ok, ok}, [2]int{ok, ok}, [2]int{0, 0}},
			},
		},
		{
			collection: collections.Users,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Users },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				suffix := "a"
				if !own {
					suffix = "b"
				}
				return map[string]any{"email": "new" + suffix + "@yuetan.example", "password": "12345678abc", "passwordConfirm": "12345678abc",
					"name": "新用户", "role": "grid_worker", "org": scopeOrg(e, own)}
			},
			update: map[string]any{"title": "新职务"},
			cells: map[string]cell{
				"guest":                     {"-", [2]int{fb, fb}, [2]int{nf, nf}, [2]int{fb, fb}},
				workflow.RoleGridWorker:     {"B", [2]int{fb, fb}, [2]int{ok, nf}, [2]int{fb, fb}}, // own = the grid worker herself
				workflow.RoleCommunityStaff: {"B", [2]int{fb, fb}, [2]int{nf, nf}, [2]int{fb, fb}},
				workflow.RoleStreetReviewer: {"B", [2]int{fb, fb}, [2]int{nf, nf}, [2]int{fb, fb}},
				workflow.RoleWorkingGroup:   {"B", [2]int{fb, fb}, [2]int{nf, nf}, [2]int{fb, fb}},
				workflow.RoleLeader:         {"B", [2]int{fb, fb}, [2]int{nf, nf}, [2]int{fb, fb}},
				workflow.RoleHandler:        {"B", [2]int{fb, fb}, [2]int{nf, nf}, [2]int{fb, fb}},
				workflow.RoleSupervisor:     {"B", [2]int{fb, fb}, [2]int{nf, nf}, [2]int{fb, fb}},
				"superuser":                 {"B", [2]int{ok, ok}, [2]int{ok, ok}, [2]int{0, 0}},
			},
		},
		{
			collection: collections.CalendarDays,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.CalendarDays },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				date := "2027-01-04"
				if !own {
					date = "2027-01-05"
				}
				return map[string]any{"date": date, "workday": false, "name": "测试调整"}
			},
			update: map[string]any{"name": "国庆节（测试）"},
			cells: map[string]cell{
				"guest": adminOnly("B"), workflow.RoleGridWorker: adminOnly("B"), workflow.RoleCommunityStaff: adminOnly("B"),
				workflow.RoleStreetReviewer: adminOnly("B"), workflow.RoleWorkingGroup: adminOnly("B"), workflow.RoleLeader: adminOnly("B"),
				workflow.RoleHandler: adminOnly("B"), workflow.RoleSupervisor: adminOnly("B"),
				"superuser": {"B", [2]int{ok, ok}, [2]int{ok, ok}, [2]int{gone, 0}},
			},
		},
		{
			collection: collections.Meetings,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Meetings },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				return map[string]any{"community": scopeOrg(e, own), "kind": "xiaoxiang", "held_on": "2026-11-20 10:00:00.000Z", "title": "小巷公议会"}
			},
			update: map[string]any{"notes": "补充记录"},
			cells: map[string]cell{
				"guest":                     denyAll,
				workflow.RoleGridWorker:     {"O", [2]int{ok, bad}, [2]int{ok, nf}, [2]int{gone, nf}},
				workflow.RoleCommunityStaff: {"O", [2]int{ok, bad}, [2]int{ok, nf}, [2]int{gone, nf}},
				workflow.RoleStreetReviewer: readOwnOnly,
				workflow.RoleWorkingGroup:   readAllOnly,
				workflow.RoleLeader:         denyAll,
				workflow.RoleHandler:        denyAll,
				workflow.RoleSupervisor:     readAllOnly,
				"superuser":                 {"B", [2]int{ok, ok}, [2]int{ok, ok}, [2]int{gone, gone}},
			},
		},
		{
			collection: collections.Issues,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Issues },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				return map[string]any{"community": scopeOrg(e, own), "kind": "problem", "title": "新问题", "source": "door_to_door"}
			},
			update: map[string]any{"description": "补充说明"},
			cells: map[string]cell{
				"guest":                     denyAll,
				workflow.RoleGridWorker:     {"O", [2]int{ok, bad}, [2]int{ok, nf}, [2]int{nf, nf}}, // linked issues are not deletable
				workflow.RoleCommunityStaff: {"O", [2]int{ok, bad}, [2]int{ok, nf}, [2]int{nf, nf}},
				workflow.RoleStreetReviewer: readOwnOnly,
				workflow.RoleWorkingGroup:   readAllOnly,
				workflow.RoleLeader:         readOwnOnly,
				workflow.RoleHandler:        readOwnOnly,
				workflow.RoleSupervisor:     readAllOnly,
				"superuser":                 {"B", [2]int{ok, ok}, [2]int{ok, ok}, [2]int{gone, gone}},
			},
		},
		{
			collection: collections.Applications,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Applications },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				return map[string]any{"community": scopeOrg(e, own), "applicant_kind": "community", "subject": "新申请",
					"category": "community_building", "target_leader": e.User("secretary@yuetan.example").Id, "talk_form": "visit"}
			},
			// probed on the in_handling applications: no plain edit is allowed there.
			update: map[string]any{"contact_phone": "13800000099"},
			cells: map[string]cell{
				"guest":                     denyAll,
				workflow.RoleGridWorker:     denyAll,
				workflow.RoleCommunityStaff: {"O", [2]int{ok, bad}, [2]int{bad, nf}, [2]int{nf, nf}},
				workflow.RoleStreetReviewer: {"O", [2]int{bad, bad}, [2]int{bad, nf}, [2]int{nf, nf}},
				workflow.RoleWorkingGroup:   {"B", [2]int{bad, bad}, [2]int{bad, bad}, [2]int{nf, nf}},
				workflow.RoleLeader:         {"O", [2]int{bad, bad}, [2]int{bad, nf}, [2]int{nf, nf}},
				workflow.RoleHandler:        {"O", [2]int{bad, bad}, [2]int{bad, nf}, [2]int{nf, nf}}, // 签收 and 延期 are its updates
				workflow.RoleSupervisor:     {"B", [2]int{bad, bad}, [2]int{bad, bad}, [2]int{nf, nf}},
				// superusers act as the working group, which does not write applications
				"superuser": {"B", [2]int{bad, bad}, [2]int{bad, bad}, [2]int{0, 0}},
			},
		},
		{
			collection: collections.Applications + " (drafts)",
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Drafts },
			update:     map[string]any{"description": "补充情况说明"},
			cells: map[string]cell{
				"guest":                     denyAll,
				workflow.RoleGridWorker:     readOwnOnly,
				workflow.RoleCommunityStaff: {"O", [2]int{}, [2]int{ok, nf}, [2]int{gone, nf}},
				workflow.RoleStreetReviewer: denyAll,
				workflow.RoleWorkingGroup:   {"B", [2]int{}, [2]int{bad, bad}, [2]int{nf, nf}},
				workflow.RoleLeader:         denyAll,
				workflow.RoleHandler:        denyAll,
				workflow.RoleSupervisor:     {"B", [2]int{}, [2]int{bad, bad}, [2]int{nf, nf}},
				"superuser":                 {"B", [2]int{}, [2]int{bad, bad}, [2]int{gone, gone}},
			},
		},
		{
			collection: collections.Signatures,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Signatures },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				app := f.Drafts.Own.Id
				if !own {
					app = f.Drafts.Other.Id
				}
				return map[string]any{"application": app, "name": "新居民", "address": "1幢101室", "phone": "13711112222"}
			},
			update: map[string]any{"address": "1幢102室"},
			cells: map[string]cell{
				"guest":                     denyAll,
				workflow.RoleGridWorker:     {"O", [2]int{ok, bad}, [2]int{ok, nf}, [2]int{gone, nf}},
				workflow.RoleCommunityStaff: {"O", [2]int{ok, bad}, [2]int{ok, nf}, [2]int{gone, nf}},
				workflow.RoleStreetReviewer: denyAll, // drafts have not reached the street
				workflow.RoleWorkingGroup:   readAllOnly,
				workflow.RoleLeader:         denyAll,
				workflow.RoleHandler:        denyAll,
				workflow.RoleSupervisor:     readAllOnly,
				"superuser":                 {"B", [2]int{ok, ok}, [2]int{ok, ok}, [2]int{gone, gone}},
			},
		},
		{
			collection: collections.Talks,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Talks },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				app := f.Applications.Own.Id
				if !own {
					app = f.Applications.Other.Id
				}
				return map[string]any{"application": app, "scheduled_at": "2026-12-01 02:00:00.000Z", "place": "区委会议室", "form": "invite"}
			},
			update: map[string]any{"participants": "社区居民代表5人"},
			cells: map[string]cell{
				"guest":                     noDelete(denyAll),
				workflow.RoleGridWorker:     noDelete(denyAll),
				workflow.RoleCommunityStaff: noDelete(readOwnOnly),
				workflow.RoleStreetReviewer: noDelete(readOwnOnly),
				workflow.RoleWorkingGroup:   noDelete(readAllOnly),
				// the matter is already in handling: a second talk is refused by the workflow
				workflow.RoleLeader:     {"O", [2]int{bad, bad}, [2]int{ok, nf}, [2]int{fb, fb}},
				workflow.RoleHandler:    noDelete(readOwnOnly),
				workflow.RoleSupervisor: noDelete(readAllOnly),
				"superuser":             {"B", [2]int{bad, bad}, [2]int{bad, bad}, [2]int{0, 0}},
			},
		},
		{
			collection: collections.Feedback,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Feedback },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				app, talk := f.Applications.Own.Id, f.Talks.Own.Id
				if !own {
					app, talk = f.Applications.Other.Id, f.Talks.Other.Id
				}
				return map[string]any{"application": app, "talk": talk, "result": "已完成整改", "measures": "清理僵尸车6辆"}
			},
			update: map[string]any{"measures": "补充措施"},
			cells: map[string]cell{
				"guest":                     noDelete(denyAll),
				workflow.RoleGridWorker:     noDelete(denyAll),
				workflow.RoleCommunityStaff: {"O", [2]int{bad, bad}, [2]int{bad, nf}, [2]int{fb, fb}},
				workflow.RoleStreetReviewer: {"O", [2]int{bad, bad}, [2]int{nf, nf}, [2]int{fb, fb}},
				workflow.RoleWorkingGroup:   {"B", [2]int{bad, bad}, [2]int{bad, bad}, [2]int{fb, fb}},
				workflow.RoleLeader:         {"O", [2]int{bad, bad}, [2]int{bad, nf}, [2]int{fb, fb}},
				workflow.RoleHandler:        {"O", [2]int{ok, bad}, [2]int{ok, nf}, [2]int{fb, fb}},
				workflow.RoleSupervisor:     {"B", [2]int{bad, bad}, [2]int{nf, nf}, [2]int{fb, fb}},
				"superuser":                 {"B", [2]int{bad, bad}, [2]int{bad, bad}, [2]int{0, 0}},
			},
		},
		{
			collection: collections.Supervisions,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Supervisions },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				app := f.Applications.Own.Id
				if !own {
					app = f.Applications.Other.Id
				}
				return map[string]any{"application": app, "kind": "criticism", "note": "办理进度滞后，予以批评"}
			},
			update: map[string]any{"note": "改写"},
			cells: map[string]cell{
				"guest":                     {"-", [2]int{bad, bad}, [2]int{fb, fb}, [2]int{fb, fb}},
				workflow.RoleGridWorker:     {"-", [2]int{bad, bad}, [2]int{fb, fb}, [2]int{fb, fb}},
				workflow.RoleCommunityStaff: {"-", [2]int{bad, bad}, [2]int{fb, fb}, [2]int{fb, fb}},
				workflow.RoleStreetReviewer: {"-", [2]int{bad, bad}, [2]int{fb, fb}, [2]int{fb, fb}},
				workflow.RoleWorkingGroup:   {"B", [2]int{bad, bad}, [2]int{fb, fb}, [2]int{fb, fb}},
				workflow.RoleLeader:         {"O", [2]int{bad, bad}, [2]int{fb, fb}, [2]int{fb, fb}},
				workflow.RoleHandler:        {"O", [2]int{bad, bad}, [2]int{fb, fb}, [2]int{fb, fb}},
				workflow.RoleSupervisor:     {"B", [2]int{ok, ok}, [2]int{fb, fb}, [2]int{fb, fb}},
				"superuser":                 {"B", [2]int{ok, ok}, [2]int{ok, ok}, [2]int{gone, gone}},
			},
		},
		{
			collection: collections.Events,
			records:    func(f *testenv.Fixture) testenv.Scope { return f.Events },
			create: func(e *testenv.Env, f *testenv.Fixture, own bool) map[string]any {
				return map[string]any{"application": f.Applications.Own.Id, "action": "forged"}
			},
			update: map[string]any{"note": "篡改"},
			cells: map[string]cell{
				"guest": adminOnly("-"), workflow.RoleGridWorker: adminOnly("-"), workflow.RoleCommunityStaff: adminOnly("O"),
				workflow.RoleStreetReviewer: adminOnly("O"), workflow.RoleWorkingGroup: adminOnly("B"), workflow.RoleLeader: adminOnly("O"),
				workflow.RoleHandler: adminOnly("O"), workflow.RoleSupervisor: adminOnly("B"),
				"superuser": {"B", [2]int{ok, ok}, [2]int{ok, ok}, [2]int{gone, gone}},
			},
		},
	}
}

func collectionName(p probe) string { return strings.Fields(p.collection)[0] }

// TestAccessMatrix probes every role × collection × list/view/create/update/delete
// on a record inside and a record outside the role's scope.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	table := probesTable()
	for _, who := range probes {
		t.Run(who.role, func(t *testing.T) {
			env := testenv.New(t)
			f := env.Fixture()
			// deletes run last, children first, so earlier probes see every record
			var deletes []func()
			for _, p := range table {
				c, ok := p.cells[who.role]
				if !ok {
					t.Fatalf("%s: no cell for %s", p.collection, who.role)
				}
				name := collectionName(p)
				recs := p.records(f)
				base := "/api/collections/" + name + "/records"
				sides := []struct {
					label string
					rec   *core.Record
					own   bool
				}{{"own", recs.Own, true}, {"other", recs.Other, false}}

				// list
				res := env.Do("GET", base+"?perPage=500", who.email, nil)
				if res.Status != http.StatusOK {
					t.Errorf("%s list: status %d %s", p.collection, res.Status, res)
					continue
				}
				ids := listedIDs(t, res)
				for _, s := range sides {
					want := c.list == "B" || (c.list == "O" && s.own)
					if got := slices.Contains(ids, s.rec.Id); got != want {
						t.Errorf("%s list %s: listed=%v, want %v", p.collection, s.label, got, want)
					}
					// view follows the list rule
					wantView := http.StatusNotFound
					if want {
						wantView = http.StatusOK
					}
					if v := env.Do("GET", base+"/"+s.rec.Id, who.email, nil); v.Status != wantView {
						t.Errorf("%s view %s: status %d, want %d: %s", p.collection, s.label, v.Status, wantView, v)
					}
				}
				// create
				if p.create != nil {
					for i, s := range sides {
						if c.create[i] == 0 {
							continue
						}
						r := env.Do("POST", base, who.email, p.create(env, f, s.own))
						if r.Status != c.create[i] {
							t.Errorf("%s create %s: status %d, want %d: %s", p.collection, s.label, r.Status, c.create[i], r)
						}
					}
				}
				// update
				for i, s := range sides {
					if c.update[i] == 0 {
						continue
					}
					before := s.rec.Fresh()
					r := env.Do("PATCH", base+"/"+s.rec.Id, who.email, p.update)
					if r.Status != c.update[i] {
						t.Errorf("%s update %s: status %d, want %d: %s", p.collection, s.label, r.Status, c.update[i], r)
					}
					if r.Status != http.StatusOK {
						assertUnchanged(t, env, p.collection, before)
					}
				}
				for i, s := range sides {
					if c.delete[i] == 0 {
						continue
					}
					p, s, want := p, s, c.delete[i]
					deletes = append([]func(){func() {
						r := env.Do("DELETE", base+"/"+s.rec.Id, who.email, nil)
						if r.Status != want {
							t.Errorf("%s delete %s: status %d, want %d: %s", p.collection, s.label, r.Status, want, r)
						}
						_, err := env.App.FindRecordById(name, s.rec.Id)
						if exists := err == nil; exists == (want == http.StatusNoContent) {
							t.Errorf("%s delete %s: record exists=%v after status %d", p.collection, s.label, exists, r.Status)
						}
					}}, deletes...)
				}
			}
			for _, d := range deletes {
				d()
			}
		})
	}
}

func listedIDs(t *testing.T, res testenv.Response) []string {
	t.Helper()
	items, _ := res.JSON(t)["items"].([]any)
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, fmt.Sprint(it.(map[string]any)["id"]))
	}
	return ids
}

// assertUnchanged checks a refused write left the stored record as it was.
func assertUnchanged(t *testing.T, env *testenv.Env, label string, before *core.Record) {
	t.Helper()
	after, err := env.App.FindRecordById(before.Collection().Name, before.Id)
	if err != nil {
		t.Errorf("%s: record gone after refused write: %v", label, err)
		return
	}
	for _, f := range before.Collection().Fields {
		n := f.GetName()
		if n == collections.FieldUpdated {
			continue
		}
		if fmt.Sprint(before.Get(n)) != fmt.Sprint(after.Get(n)) {
			t.Errorf("%s: field %s changed by a refused write: %v → %v", label, n, before.Get(n), after.Get(n))
		}
	}
}

// TestResidentDetailsVisibility checks who sees residents' names and phones
// on the issues they may read.
func TestResidentDetailsVisibility(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	f := env.Fixture()
	want := map[string]bool{
		workflow.RoleGridWorker: true, workflow.RoleCommunityStaff: true, workflow.RoleStreetReviewer: true,
		workflow.RoleWorkingGroup: true, workflow.RoleSupervisor: true, "superuser": true,
		workflow.RoleLeader: false, workflow.RoleHandler: false,
	}
	for _, who := range probes {
		if who.role == "guest" {
			continue
		}
		res := env.Do("GET", "/api/collections/issues/records/"+f.Issues.Own.Id, who.email, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: view status %d", who.role, res.Status)
		}
		body := res.JSON(t)
		_, hasName := body[collections.IssueResidentName]
		_, hasPhone := body[collections.IssueResidentPhone]
		if hasName != want[who.role] || hasPhone != want[who.role] {
			t.Errorf("%s: resident name shown=%v phone shown=%v, want %v", who.role, hasName, hasPhone, want[who.role])
		}
		// the hidden field cannot be probed through a filter either
		probe := env.Do("GET", `/api/collections/issues/records?filter=`+urlQuery(`resident_phone~"139"`), who.email, nil)
		if want[who.role] != (probe.Status == http.StatusOK) {
			t.Errorf("%s: filter on resident_phone status %d", who.role, probe.Status)
		}
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer(" ", "%20", `"`, "%22", "~", "%7E").Replace(s)
}

// TestUsersCannotChangeOwnRole checks no user changes their own role, org or
// rank, on REST and on a save made as them (the sync path).
func TestUsersCannotChangeOwnRole(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	cases := []struct {
		email string
		body  map[string]any
	}{
		{"grid@yuetan.example", map[string]any{"role": "working_group"}},
		{"grid@yuetan.example", map[string]any{"org": env.Org("BH-DH").Id}},
		{"chief@yuetan.example", map[string]any{"leader_rank": "four_teams"}},
		{"staff@yuetan.example", map[string]any{"role": "supervisor", "title": "x"}},
	}
	for _, c := range cases {
		u := env.User(c.email)
		res := env.Do("PATCH", "/api/collections/users/records/"+u.Id, c.email, c.body)
		if res.Status == http.StatusOK {
			t.Errorf("%s changed own %v: %s", c.email, c.body, res)
		}
		assertUnchanged(t, env, c.email, u)
	}
	// a user may still edit their own title and phone
	u := env.User("grid@yuetan.example")
	if res := env.Do("PATCH", "/api/collections/users/records/"+u.Id, "grid@yuetan.example",
		map[string]any{"title": "第一网格网格员", "phone": "13811112222"}); res.Status != http.StatusOK {
		t.Fatalf("own profile edit: %d %s", res.Status, res)
	}
	// leaders need a rank, others must not have one
	su := demo.SuperuserEmail
	if res := env.Do("PATCH", "/api/collections/users/records/"+u.Id, su, map[string]any{"leader_rank": "four_teams"}); res.Status != http.StatusBadRequest {
		t.Errorf("rank on a grid worker: status %d", res.Status)
	}
	if res := env.Do("PATCH", "/api/collections/users/records/"+u.Id, su, map[string]any{"role": "leader"}); res.Status != http.StatusBadRequest {
		t.Errorf("leader without rank: status %d", res.Status)
	}
}
