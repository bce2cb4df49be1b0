package forms_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
)

// The probing users: one per role in the fixture's "own" scope (划船社区,
// 东柳街道, 周明远, 区城管局), the same roles in the "other" scope, the
// superuser and a guest.
var probes = []string{"", grid, staff, street, wg, secretary, handler, sup, admin, grid2, staff2, street2, mayor, handler2}

// formProbe is one form printed from the fixture's own and other record.
type formProbe struct {
	form   string
	ids    func(f *testenv.Fixture) [2]string // the id in the URL: own, other
	checks func(f *testenv.Fixture) [2][]*core.Record
	// who gets it: by probe, "O" own only, "X" the other only, "B" both, "-" neither
	want map[string]string
}

func appIDs(s testenv.Scope) [2]string       { return [2]string{s.Own.Id, s.Other.Id} }
func recs(s testenv.Scope) [2][]*core.Record { return [2][]*core.Record{{s.Own}, {s.Other}} }
func both(a, b testenv.Scope) [2][]*core.Record {
	return [2][]*core.Record{{a.Own, b.Own}, {a.Other, b.Other}}
}
func field(f *testenv.Fixture) testenv.Scope  { return f.Applications }
func drafts(f *testenv.Fixture) testenv.Scope { return f.Drafts }
func pick(g func(*testenv.Fixture) testenv.Scope) func(*testenv.Fixture) [2]string {
	return func(f *testenv.Fixture) [2]string { return appIDs(g(f)) }
}

// The views the collections' rules grant (collections/access_test.go
// proves those rules); the forms must follow them exactly.
var (
	appWant = map[string]string{grid: "-", staff: "O", street: "O", wg: "B", secretary: "O", handler: "O", sup: "B", admin: "B",
		grid2: "-", staff2: "X", street2: "X", mayor: "X", handler2: "X"}
	// residents' drafts: no street yet, no leader assigned, no handling unit
	draftWant = map[string]string{grid: "O", staff: "O", street: "-", wg: "B", secretary: "-", handler: "-", sup: "B", admin: "B",
		grid2: "X", staff2: "X", street2: "-", mayor: "-", handler2: "-"}
)

var formProbes = []formProbe{
	{"application", pick(field), func(f *testenv.Fixture) [2][]*core.Record { return recs(f.Applications) }, appWant},
	{"notice", pick(field), func(f *testenv.Fixture) [2][]*core.Record { return recs(f.Applications) }, appWant},
	{"signatures", pick(drafts), func(f *testenv.Fixture) [2][]*core.Record { return both(f.Drafts, f.Signatures) }, draftWant},
	{"talk", func(f *testenv.Fixture) [2]string { return appIDs(f.Talks) }, func(f *testenv.Fixture) [2][]*core.Record { return recs(f.Talks) }, appWant},
	{"talk", pick(field), func(f *testenv.Fixture) [2][]*core.Record { return both(f.Applications, f.Talks) }, appWant},
	{"feedback", func(f *testenv.Fixture) [2]string { return appIDs(f.Feedback) }, func(f *testenv.Fixture) [2][]*core.Record { return recs(f.Feedback) }, appWant},
	{"feedback", pick(field), func(f *testenv.Fixture) [2][]*core.Record { return both(f.Applications, f.Feedback) }, appWant},
}

// TestFormAccessMatrix: every role × every form of an in-scope and an
// out-of-scope record: 200 for exactly those whose view of the record(s)
// the REST API grants, 404 for the others, 401 for a guest.
func TestFormAccessMatrix(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	f := env.Fixture()
	// the fixture's applications are past acceptance
	for _, a := range []*core.Record{f.Applications.Own, f.Applications.Other} {
		a.Set(collections.AppAcceptedAt, "2026-11-02 02:00:00.000Z")
		if err := env.SaveAsSystem(a); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range formProbes {
		ids, checks := p.ids(f), p.checks(f)
		for _, who := range probes {
			for i, side := range []string{"own", "other"} {
				name := fmt.Sprintf("%s/%s/%s/%s", p.form, map[bool]string{true: "by-application", false: "by-record"}[ids[0] == f.Applications.Own.Id && p.form != "application" && p.form != "notice"], nameOf(who), side)
				res := get(env, "/api/forms/"+p.form+"/"+ids[i], who)
				want := http.StatusNotFound
				switch {
				case who == "":
					want = http.StatusUnauthorized
				case strings.Contains("B", p.want[who]) || p.want[who] == "O" && i == 0 || p.want[who] == "X" && i == 1:
					want = http.StatusOK
				}
				if res.status != want {
					t.Errorf("%s: status %d, want %d: %.200s", name, res.status, want, res.body)
				}
				// the oracle: the REST API's view of the same records
				if who != "" {
					rest := http.StatusOK
					for _, r := range checks[i] {
						if s := get(env, "/api/collections/"+r.Collection().Name+"/records/"+r.Id, who).status; s != http.StatusOK {
							rest = http.StatusNotFound
						}
					}
					if rest != res.status {
						t.Errorf("%s: form %d but the REST view %d", name, res.status, rest)
					}
				}
				if want == http.StatusOK && !isPDF(res.body) {
					t.Errorf("%s: not a PDF", name)
				}
				if want != http.StatusOK && !strings.Contains(string(res.body), `"status":`) {
					t.Errorf("%s: error not in PocketBase's shape: %s", name, res.body)
				}
			}
		}
	}
}

func nameOf(email string) string {
	if email == "" {
		return "guest"
	}
	return strings.TrimSuffix(email, "@yuetan.example")
}

// TestTokenLink: a plain link with ?token= (an auth token or a file token)
// prints for its holder, and only what the holder may view; a bad token is
// a 401.
func TestTokenLink(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := application(env, storySubject)
	other := application(env, "东海花园社区基层卫生服务")
	fileToken := func(email string) string {
		u := env.User(email)
		tok, err := u.NewFileToken()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, c := range []struct {
		name, url string
		want      int
	}{
		{"auth token", "/api/forms/application/" + a.Id + "?token=" + url.QueryEscape(env.Token(staff)), 200},
		{"file token", "/api/forms/notice/" + a.Id + "?token=" + url.QueryEscape(fileToken(staff)), 200},
		{"superuser token", "/api/forms/talk/" + a.Id + "?token=" + url.QueryEscape(env.Token(admin)), 200},
		{"bulletin", "/api/forms/bulletin?month=2026-11&token=" + url.QueryEscape(env.Token(sup)), 200},
		{"out of scope", "/api/forms/application/" + other.Id + "?token=" + url.QueryEscape(env.Token(staff)), 404},
		{"bad token", "/api/forms/application/" + a.Id + "?token=abc.def.ghi", 401},
		{"tampered token", "/api/forms/application/" + a.Id + "?token=" + url.QueryEscape(env.Token(staff)+"x"), 401},
		{"no token", "/api/forms/application/" + a.Id, 401},
		{"guest bulletin", "/api/forms/bulletin?month=2026-11", 401},
	} {
		res := get(env, c.url, "")
		if res.status != c.want {
			t.Errorf("%s: status %d, want %d: %.300s", c.name, res.status, c.want, res.body)
		}
		if c.want == 401 && !strings.Contains(string(res.body), "登录") {
			t.Errorf("%s: want a Chinese message: %s", c.name, res.body)
		}
	}
	// who printed through a link is registered as its holder
	row, err := env.App.FindFirstRecordByFilter("form_prints", "form = 'notice' && record_id = {:id} && archive = false", map[string]any{"id": a.Id})
	if err != nil || row.GetString("produced_by") != env.User(staff).Id || row.GetString("produced_by_name") != "陈静" {
		t.Fatalf("print row %v: %v", row, err)
	}
}
