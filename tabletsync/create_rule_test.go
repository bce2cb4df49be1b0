package tabletsync_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/tabletsync"
	"yuetan/workflow"
)

// TestCanCreateAgreesWithREST: the push's create check (canCreate, a copy
// of PocketBase's) lets through exactly what PocketBase's REST create lets
// past its create rule, for a user of every role and the superuser × every
// pushable collection, with bodies copied from the demo records (varied
// in what each create rule reads, and pointed at the caller's own org and
// id). REST is stopped right after its rule check, by a hook first in line
// on OnRecordCreateRequest: the workflow hooks and validation that come
// after do not blur the comparison, and nothing is written.
func TestCanCreateAgreesWithREST(t *testing.T) {
	env := testenv.New(t)
	const passed = http.StatusTeapot
	env.App.OnRecordCreateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id: "test.createRulePassed", Priority: -1 << 20,
		Func: func(e *core.RecordRequestEvent) error {
			return router.NewApiError(passed, "create rule passed", nil)
		},
	})

	callers := []string{demo.SuperuserEmail}
	var users []*core.Record
	if err := env.App.RecordQuery(collections.Users).OrderBy("email").All(&users); err != nil {
		t.Fatal(err)
	}
	roles := map[string]bool{}
	for _, u := range users {
		if role := u.GetString(collections.UserRole); !roles[role] {
			roles[role] = true
			callers = append(callers, u.Email())
		}
	}
	if len(roles) < 6 {
		t.Fatalf("only %d roles among the demo users", len(roles))
	}

	// co-signatures go on a residents' draft of the caller's community: the
	// demo's drafts have all moved on, so each community gets one
	src, err := env.App.FindFirstRecordByData(collections.Applications, collections.AppApplicantKind, collections.ApplicantResidents)
	if err != nil {
		t.Fatal(err)
	}
	drafted := map[string]bool{}
	for _, u := range users {
		org := u.GetString(collections.UserOrg)
		if r := u.GetString(collections.UserRole); drafted[org] || (r != workflow.RoleGridWorker && r != workflow.RoleCommunityStaff) {
			continue
		}
		drafted[org] = true
		draft := core.NewRecord(src.Collection())
		for _, f := range []string{collections.AppSubject, collections.AppCategory, collections.AppDescription, collections.AppRequest,
			collections.AppAffectedCount, collections.AppTargetLeader, collections.AppTalkForm, collections.AppContactName, collections.AppContactPhone} {
			draft.Set(f, src.Get(f))
		}
		draft.Set(collections.AppCommunity, org)
		draft.Set(collections.AppApplicantKind, collections.ApplicantResidents)
		if err := env.SaveAsSystem(draft); err != nil {
			t.Fatalf("a residents' draft for %s: %v", org, err)
		}
	}

	type tally struct{ allowed, denied, usersAllowed int }
	tallies := map[string]*tally{}
	for _, email := range callers {
		auth := authRecord(t, env, email)
		check := tabletsync.CreateChecker(env.App, auth)
		for _, en := range tabletsync.Table {
			if !tabletsync.Pushable(en.Collection) {
				continue
			}
			tl := tallies[en.Collection]
			if tl == nil {
				tl = &tally{}
				tallies[en.Collection] = tl
			}
			for i, body := range createBodies(t, env, en.Collection, auth) {
				id := newID()
				withID := map[string]any{"id": id}
				for k, v := range body {
					withID[k] = v
				}
				res := env.Do(http.MethodPost, "/api/collections/"+en.Collection+"/records", email, withID)
				restOK := res.Status == passed
				if !restOK && res.Status != http.StatusBadRequest && res.Status != http.StatusForbidden {
					t.Errorf("%s creating %s #%d over REST: %d %s", email, en.Collection, i, res.Status, res.Body)
					continue
				}
				ok, err := check(en.Collection, id, body)
				if err != nil {
					t.Errorf("%s creating %s #%d: canCreate: %v", email, en.Collection, i, err)
					continue
				}
				if ok != restOK {
					t.Errorf("%s creating %s #%d: canCreate says %v, REST %d %s (body %v)", email, en.Collection, i, ok, res.Status, res.Body, body)
				}
				switch {
				case ok && email != demo.SuperuserEmail:
					tl.usersAllowed++
					tl.allowed++
				case ok:
					tl.allowed++
				default:
					tl.denied++
				}
			}
		}
	}
	// the matrix decided both ways for every collection
	for name, tl := range tallies {
		t.Logf("%s: %d allowed (%d to users), %d denied", name, tl.allowed, tl.usersAllowed, tl.denied)
		if tl.usersAllowed == 0 || tl.denied == 0 {
			t.Errorf("%s: %d allowed (%d to users), %d denied: the bodies do not test the rule both ways", name, tl.allowed, tl.usersAllowed, tl.denied)
		}
	}
	if len(tallies) < 6 {
		t.Errorf("only %d pushable collections checked", len(tallies))
	}
}

func authRecord(t *testing.T, env *testenv.Env, email string) *core.Record {
	t.Helper()
	coll := collections.Users
	if email == demo.SuperuserEmail {
		coll = core.CollectionNameSuperusers
	}
	auth, err := env.App.FindAuthRecordByEmail(coll, email)
	if err != nil {
		t.Fatal(err)
	}
	return auth
}

var bodyFieldRE = regexp.MustCompile(`@request\.body\.(\w+)(?:\.(\w+))?`)

// createBodies returns create bodies for collection copied from its demo
// records, one per distinct value of the body fields its create rule
// reads, each also with its relations to orgs and users pointed at the
// caller's org and the caller. Only fields a tablet may send are kept
// (no files, nothing server-set), as plain JSON values.
func createBodies(t *testing.T, env *testenv.Env, collection string, auth *core.Record) []map[string]any {
	t.Helper()
	coll, err := env.App.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	var read []string
	through := map[string][]string{} // relation field → the target's fields the rule reads
	if coll.CreateRule != nil {
		for _, m := range bodyFieldRE.FindAllStringSubmatch(*coll.CreateRule, -1) {
			read = append(read, m[1])
			if m[2] != "" {
				through[m[1]] = append(through[m[1]], m[2])
			}
		}
	}
	recs, err := env.App.FindAllRecords(coll)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := env.App.FindCachedCollectionByNameOrId(collections.Orgs)
	if err != nil {
		t.Fatal(err)
	}
	users, err := env.App.FindCachedCollectionByNameOrId(collections.Users)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	seen := map[string]bool{}
	add := func(body map[string]any) {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(raw)] {
			return
		}
		seen[string(raw)] = true
		var plain map[string]any
		if err := json.Unmarshal(raw, &plain); err != nil {
			t.Fatal(err)
		}
		out = append(out, plain)
	}
	keys := map[string]bool{}
	for _, rec := range recs {
		var key strings.Builder
		for _, f := range read {
			fmt.Fprintf(&key, "%v;", rec.Get(f))
		}
		if keys[key.String()] || len(keys) >= 12 {
			continue
		}
		keys[key.String()] = true
		body := map[string]any{}
		own := map[string]any{}
		for _, f := range coll.Fields {
			name := f.GetName()
			if _, file := f.(*core.FileField); file || !sendable(f) {
				continue
			}
			body[name] = rec.Get(name)
			own[name] = rec.Get(name)
			rel, ok := f.(*core.RelationField)
			if !ok || rel.IsMultiple() {
				continue
			}
			switch {
			case rel.CollectionId == orgs.Id && auth.Collection().Name == collections.Users:
				own[name] = auth.GetString(collections.UserOrg)
			case rel.CollectionId == users.Id && auth.Collection().Name == collections.Users:
				own[name] = auth.Id
			}
		}
		add(body)
		add(own)
		// and pointed at targets of every shape the rule reads through
		for name, fields := range through {
			rel, ok := coll.Fields.GetByName(name).(*core.RelationField)
			if !ok || len(keys) > 1 {
				continue
			}
			for _, target := range distinctBy(t, env, rel.CollectionId, fields) {
				v := map[string]any{}
				for k, x := range own {
					v[k] = x
				}
				v[name] = target
				add(v)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no demo %s to copy", collection)
	}
	return out
}

// distinctBy returns the ids of records of collection, one per
// distinct value of fields.
func distinctBy(t *testing.T, env *testenv.Env, collection string, fields []string) []string {
	t.Helper()
	recs, err := env.App.FindAllRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range recs {
		var key strings.Builder
		for _, f := range fields {
			fmt.Fprintf(&key, "%v;", r.Get(f))
		}
		if !seen[key.String()] {
			seen[key.String()] = true
			out = append(out, r.Id)
		}
	}
	return out
}

// sendable reports whether a tablet may send field f (what the push
// accepts: not the id, autodates, hidden or system fields).
func sendable(f core.Field) bool {
	switch f.GetName() {
	case collections.FieldID, collections.FieldCreated, collections.FieldUpdated:
		return false
	}
	_, auto := f.(*core.AutodateField)
	return !auto && !f.GetHidden() && !f.GetSystem()
}
