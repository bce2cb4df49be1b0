package tabletsync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/savectx"
	"yuetan/tabletsync"
	"yuetan/tabletsync/wire"
	"yuetan/workflow"
)

// probes are one user per role, as in collections/access_test.go.
var probes = []struct{ role, email string }{
	{workflow.RoleGridWorker, gridEmail},
	{workflow.RoleCommunityStaff, staffEmail},
	{workflow.RoleStreetReviewer, streetEmail},
	{workflow.RoleWorkingGroup, wgEmail},
	{workflow.RoleLeader, leaderEmail},
	{workflow.RoleHandler, handlerEmail},
	{workflow.RoleSupervisor, supEmail},
	{"superuser", demo.SuperuserEmail},
}

// listAll returns what the list API shows email of a collection, by id.
func listAll(t *testing.T, env *testenv.Env, collection, email string) map[string]map[string]any {
	return listFiltered(t, env, collection, email, "")
}

// listFiltered returns what the list API shows email of a collection with
// filter, by id.
func listFiltered(t *testing.T, env *testenv.Env, collection, email, filter string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for page := 1; ; page++ {
		res := env.Do("GET", fmt.Sprintf("/api/collections/%s/records?perPage=500&page=%d&skipTotal=1&filter=%s", collection, page, url.QueryEscape(filter)), email, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("list %s as %s: %s", collection, email, res)
		}
		var body struct {
			Items []map[string]any `json:"items"`
		}
		json.Unmarshal(res.Body, &body)
		for _, it := range body.Items {
			out[it["id"].(string)] = it
		}
		if len(body.Items) < 500 {
			return out
		}
	}
}

// TestPullScopeMatchesListAPI pulls everything as every role and compares
// it with what the list API shows the same user: the same (collection, id)
// set, the same records, no hidden field. Of orgs and users (the
// directories, tabletsync/directory.go) a pull hands out exactly what the
// list API shows the user with the directory's filter, and what the other
// pulled records reference (a superuser: everything).
func TestPullScopeMatchesListAPI(t *testing.T) { bothWays(t, testPullScopeMatchesListAPI) }

func testPullScopeMatchesListAPI(t *testing.T) {
	env := testenv.New(t)
	env.Fixture()
	for _, p := range probes {
		t.Run(p.role, func(t *testing.T) {
			pulled := replica{}
			pullAll(t, env, p.email, "", 0, pulled)
			listed := map[string]map[string]any{}
			needed := map[string]bool{} // of the directories
			for _, e := range tabletsync.Table {
				for id, rec := range listAll(t, env, e.Collection, p.email) {
					listed[e.Collection+"/"+id] = rec
				}
				if e.Directory != "" && p.role != "superuser" {
					for id := range listFiltered(t, env, e.Collection, p.email, forUser(t, env, e.Directory, p.email)) {
						needed[e.Collection+"/"+id] = true
					}
				}
			}
			for k := range references(t, env, pulled) {
				needed[k] = true
			}
			var missing, extra []string
			for k := range listed {
				if pulled[k] == nil && (p.role == "superuser" || !directory(strings.Split(k, "/")[0]) || needed[k]) {
					missing = append(missing, k)
				}
			}
			for k := range pulled {
				if p.role != "superuser" && directory(strings.Split(k, "/")[0]) && !needed[k] {
					extra = append(extra, k)
				}
			}
			for k := range pulled {
				if listed[k] == nil {
					extra = append(extra, k)
				}
			}
			if len(missing)+len(extra) > 0 {
				t.Fatalf("pull vs list API: missing %v, extra %v", missing, extra)
			}
			for k, rec := range pulled {
				coll := strings.Split(k, "/")[0]
				switch coll {
				case collections.Users:
					for f := range rec {
						if !slices.Contains(collections.UserPublicFields, f) && f != "collectionId" && f != "collectionName" {
							t.Fatalf("pulled user %s carries %s", k, f)
						}
					}
				case collections.Issues:
					_, name := rec[collections.IssueResidentName]
					_, phone := rec[collections.IssueResidentPhone]
					hidden := p.role == workflow.RoleLeader || p.role == workflow.RoleHandler
					if hidden && (name || phone) {
						t.Fatalf("%s pulled residents' details of %s", p.role, k)
					}
					if !hidden && !(name && phone) {
						t.Fatalf("%s lacks residents' details of %s", p.role, k)
					}
					fallthrough
				default:
					if !reflect.DeepEqual(rec, listed[k]) {
						t.Fatalf("%s differs from the list API:\npull %v\nlist %v", k, rec, listed[k])
					}
				}
			}
			dirs := 0
			for k := range pulled {
				if directory(strings.Split(k, "/")[0]) {
					dirs++
				}
			}
			t.Logf("%s: %d records (%d orgs and users of the list API's %d)", p.role, len(pulled), dirs,
				len(listAll(t, env, collections.Orgs, p.email))+len(listAll(t, env, collections.Users, p.email)))
		})
	}
	// guests get nothing
	if res := call(t, env, http.MethodGet, "/api/sync/pull", "", nil, schemaNow, ""); res.Status != http.StatusUnauthorized {
		t.Fatalf("guest pull: %s", res)
	}
}

// forUser writes the caller's values into a directory filter (the list
// API lets only superusers filter by @request).
func forUser(t *testing.T, env *testenv.Env, filter, email string) string {
	t.Helper()
	u := env.User(email)
	if u == nil {
		return filter
	}
	org, parent, grand := u.GetString(collections.UserOrg), "", ""
	if o, err := env.App.FindRecordById(collections.Orgs, org); err == nil {
		parent = o.GetString(collections.OrgParent)
		if p, err := env.App.FindRecordById(collections.Orgs, parent); err == nil {
			grand = p.GetString(collections.OrgParent)
		}
	}
	return strings.NewReplacer("@request.auth.org.parent.parent", fmt.Sprintf("%q", grand), "@request.auth.org.parent", fmt.Sprintf("%q", parent),
		"@request.auth.org", fmt.Sprintf("%q", org), "@request.auth.id", fmt.Sprintf("%q", u.Id)).Replace(filter)
}

// references returns the orgs and users the records of r reference
// ("collection/id"), and what those reference, as the schema's relation
// fields say.
func references(t *testing.T, env *testenv.Env, r replica) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	targets := map[string]string{}
	for _, name := range []string{collections.Orgs, collections.Users} {
		c, err := env.App.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		targets[c.Id] = name
	}
	for k, rec := range r {
		c, err := env.App.FindCollectionByNameOrId(strings.Split(k, "/")[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.Fields {
			rel, ok := f.(*core.RelationField)
			if !ok || targets[rel.CollectionId] == "" {
				continue
			}
			var ids []string
			switch v := rec[rel.Name].(type) {
			case string:
				ids = []string{v}
			case []any:
				for _, x := range v {
					ids = append(ids, fmt.Sprint(x))
				}
			}
			for _, id := range ids {
				if id != "" {
					out[targets[rel.CollectionId]+"/"+id] = true
				}
			}
		}
	}
	return out
}

// TestPullLeavingScope moves records out of users' scopes: the users who
// held them get deletes; those who gain them get upserts.
func TestPullLeavingScope(t *testing.T) { bothWays(t, testPullLeavingScope) }

func testPullLeavingScope(t *testing.T) {
	env := testenv.New(t)
	f := env.Fixture()
	tablets := map[string]replica{}
	cursors := map[string]string{}
	for _, email := range []string{gridEmail, grid2Email, leaderEmail, "mayor@yuetan.example", handlerEmail} {
		tablets[email] = replica{}
		cursors[email], _ = pullAll(t, env, email, "", 0, tablets[email])
	}
	sync := func() {
		for email := range tablets {
			cursors[email], _ = pullAll(t, env, email, cursors[email], 0, tablets[email])
		}
	}
	issue := "issues/" + f.Issues.Own.Id
	if tablets[gridEmail][issue] == nil || tablets[grid2Email][issue] != nil {
		t.Fatal("before the move: wrong holders")
	}
	// the issue moves to 东海花园社区 (a superuser corrects it in the dashboard)
	if r := env.Do("PATCH", "/api/collections/issues/records/"+f.Issues.Own.Id, demo.SuperuserEmail,
		map[string]any{"community": env.Org("BH-DH").Id}); r.Status != http.StatusOK {
		t.Fatalf("move issue: %s", r)
	}
	sync()
	if tablets[gridEmail][issue] != nil {
		t.Fatal("the old community still holds the moved issue")
	}
	if tablets[grid2Email][issue] == nil {
		t.Fatal("the new community did not get the moved issue")
	}

	// the matter is reassigned to another leader and handling unit: the
	// old leader and unit lose the application and everything under it
	held := func(email string, keys ...string) []string {
		var out []string
		for _, k := range keys {
			if tablets[email][k] != nil {
				out = append(out, k)
			}
		}
		return out
	}
	under := []string{"applications/" + f.Applications.Own.Id, "talks/" + f.Talks.Own.Id, "feedback/" + f.Feedback.Own.Id}
	if got := held(leaderEmail, under...); len(got) != 3 {
		t.Fatalf("leader holds %v before the reassignment", got)
	}
	if got := held(handlerEmail, under...); len(got) != 3 {
		t.Fatalf("handler holds %v before the reassignment", got)
	}
	app, _ := env.App.FindRecordById(collections.Applications, f.Applications.Own.Id)
	mayor := env.User("mayor@yuetan.example").Id
	app.Set(collections.AppTargetLeader, mayor)
	app.Set(collections.AppAssignedLeader, mayor)
	app.Set(collections.AppHandlingUnit, env.Org("JD-ZJ").Id)
	if err := env.App.SaveWithContext(savectx.WithActor(context.Background(), savectx.System), app); err != nil {
		t.Fatal(err)
	}
	talk, _ := env.App.FindRecordById(collections.Talks, f.Talks.Own.Id)
	talk.Set(collections.TalkLeader, mayor)
	talk.Set(collections.TalkHandlingUnit, env.Org("JD-ZJ").Id)
	if err := env.App.SaveWithContext(savectx.WithActor(context.Background(), savectx.System), talk); err != nil {
		t.Fatal(err)
	}
	fb, _ := env.App.FindRecordById(collections.Feedback, f.Feedback.Own.Id)
	fb.Set(collections.FbUnit, env.Org("JD-ZJ").Id)
	if err := env.App.SaveWithContext(savectx.WithActor(context.Background(), savectx.System), fb); err != nil {
		t.Fatal(err)
	}
	sync()
	if got := held(leaderEmail, under...); len(got) != 0 {
		t.Fatalf("old leader still holds %v", got)
	}
	if got := held(handlerEmail, under...); len(got) != 0 {
		t.Fatalf("old unit still holds %v", got)
	}
	if got := held("mayor@yuetan.example", under...); len(got) != 3 {
		t.Fatalf("new leader holds %v", got)
	}
	// a pull after the fact hands the moved records to nobody who never had
	// them (orgs and users once handed out stay: the directory's names a
	// tablet showed, public to every user)
	for email, r := range tablets {
		fresh := replica{}
		pullAll(t, env, email, "", 0, fresh)
		kept := maps.Clone(r)
		maps.DeleteFunc(kept, func(k string, _ map[string]any) bool { return directory(strings.Split(k, "/")[0]) && fresh[k] == nil })
		if !reflect.DeepEqual(keys(fresh), keys(kept)) {
			t.Fatalf("%s: incremental replica differs from a fresh one", email)
		}
	}
}

func keys(r replica) []string {
	out := make([]string, 0, len(r))
	for k := range r {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestPullResumedInitialSync stops a paged initial sync at every page,
// drops a response now and then (a tablet losing signal), writes in
// between, and checks the tablet ends up with what a fresh sync gets.
func TestPullResumedInitialSync(t *testing.T) { bothWays(t, testPullResumedInitialSync) }

func testPullResumedInitialSync(t *testing.T) {
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	var muts []map[string]any
	for i := 0; i < 120; i++ {
		muts = append(muts, createIssue(hc, fmt.Sprintf("续传问题%03d", i)))
	}
	push(t, env, gridEmail, "tab-bulk", muts...)

	r := replica{}
	cursor := ""
	pages := 0
	for {
		page := pullPage(t, env, staffEmail, cursor, 17)
		pages++
		if pages%3 == 0 {
			// the response is lost: the tablet asks again with its old cursor
			again := pullPage(t, env, staffEmail, cursor, 17)
			if len(again.Changes) != len(page.Changes) || again.Cursor != page.Cursor {
				t.Fatalf("a repeated page differs: %d/%d changes", len(again.Changes), len(page.Changes))
			}
			page = again
		}
		for _, c := range page.Changes {
			if c.Op == wire.OpUpsert {
				r[c.Collection+"/"+c.ID] = c.Record
			} else {
				delete(r, c.Collection+"/"+c.ID)
			}
		}
		if pages == 4 {
			// the server keeps changing meanwhile: an edit, a delete, a new issue
			first := muts[0]["record"].(string)
			if res := env.Do("PATCH", "/api/collections/issues/records/"+first, staffEmail, map[string]any{"title": "续传中修改"}); res.Status != http.StatusOK {
				t.Fatal(res)
			}
			if res := env.Do("DELETE", "/api/collections/issues/records/"+muts[1]["record"].(string), staffEmail, nil); res.Status != http.StatusNoContent {
				t.Fatal(res)
			}
			push(t, env, gridEmail, "tab-bulk", createIssue(hc, "续传中新增"))
		}
		cursor = page.Cursor
		if !page.More {
			break
		}
	}
	if pages < 8 {
		t.Fatalf("only %d pages", pages)
	}
	fresh := replica{}
	pullAll(t, env, staffEmail, "", 0, fresh)
	if !reflect.DeepEqual(keys(fresh), keys(r)) {
		t.Fatalf("resumed sync holds %d records, a fresh one %d", len(r), len(fresh))
	}
	if r["issues/"+muts[0]["record"].(string)]["title"] != "续传中修改" {
		t.Fatal("the edit made during the sync is missing")
	}
}

// TestPullCursorAndSchema checks the pull's refusals.
func TestPullCursorAndSchema(t *testing.T) {
	env := testenv.New(t)
	page := pullPage(t, env, gridEmail, "", 5)
	for _, c := range []string{"abc", "' OR 1=1 --", "AQGtAm2dccZ", strings.Repeat("A", 70), "%00", page.Cursor + "x"} {
		res := call(t, env, http.MethodGet, "/api/sync/pull?cursor="+url.QueryEscape(c), gridEmail, nil, schemaNow, "")
		if res.Status != http.StatusBadRequest || !hasHanTest(res.String()) {
			t.Errorf("cursor %q: %s", c, res)
		}
	}
	// another user's cursor is refused
	if res := call(t, env, http.MethodGet, "/api/sync/pull?cursor="+page.Cursor, staffEmail, nil, schemaNow, ""); res.Status != http.StatusBadRequest {
		t.Errorf("someone else's cursor: %s", res)
	}
	for _, l := range []string{"0", "1001", "-1", "abc"} {
		if res := call(t, env, http.MethodGet, "/api/sync/pull?limit="+l, gridEmail, nil, schemaNow, ""); res.Status != http.StatusBadRequest {
			t.Errorf("limit %s: %s", l, res)
		}
	}
	// schema: missing or too old is 426, too new 400
	for _, s := range []string{"", "0", "x"} {
		res := call(t, env, http.MethodGet, "/api/sync/pull", gridEmail, nil, s, "")
		if res.Status != http.StatusUpgradeRequired || !strings.Contains(res.String(), "升级") {
			t.Errorf("schema %q: %s", s, res)
		}
		res = call(t, env, http.MethodPost, "/api/sync/push", gridEmail, map[string]any{"client": "x", "mutations": []any{}}, s, "")
		if res.Status != http.StatusUpgradeRequired {
			t.Errorf("push schema %q: %s", s, res)
		}
	}
	if res := call(t, env, http.MethodGet, "/api/sync/pull", gridEmail, nil, "99", ""); res.Status != http.StatusBadRequest {
		t.Errorf("schema too new: %s", res)
	}
	// the user's role or org changes: the session must start over (409)
	u := env.User(gridEmail)
	u.Set(collections.UserOrg, env.Org("BH-DH").Id)
	if err := env.App.Save(u); err != nil {
		t.Fatal(err)
	}
	res := call(t, env, http.MethodGet, "/api/sync/pull?cursor="+page.Cursor, gridEmail, nil, schemaNow, "")
	if res.Status != http.StatusConflict || !strings.Contains(res.String(), "resync_required") {
		t.Fatalf("scope change: %s", res)
	}
}

// bothWays runs a pull test with the feed walk, then with initial syncs
// served from snapshot lists, then with pages read from the caller's scope.
func bothWays(t *testing.T, test func(t *testing.T)) {
	t.Run("walk", test)
	t.Run("snapshot", func(t *testing.T) {
		defer tabletsync.WithSnapshots(1)()
		test(t)
	})
	t.Run("scoped", func(t *testing.T) {
		defer tabletsync.WithScopedPages()()
		test(t)
	})
}
