package privacy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
)

// schemaApp is a test app holding yuetan's collections (no data, no
// hooks). The migrations are registered when the external tests' packages
// are linked in; otherwise the schema is applied here.
func schemaApp(t *testing.T) *tests.TestApp {
	t.Helper()
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	if _, err := app.FindCollectionByNameOrId(collections.IssuesID); err != nil {
		if err := collections.Apply(app); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func userWithRole(t *testing.T, app core.App, role string) *core.Record {
	t.Helper()
	c, err := app.FindCachedCollectionByNameOrId(collections.Users)
	if err != nil {
		t.Fatal(err)
	}
	u := core.NewRecord(c)
	u.Id = "u" + strings.Repeat("1", 14)
	u.Set(collections.UserRole, role)
	return u
}

// describe renders a resolved path as origin/steps/collection.field.
func describe(p path) string {
	origins := map[origin]string{fromBase: "base", fromSelf: "self", fromBody: "body", fromCollection: "collection", static: "static"}
	kinds := map[stepKind]string{forward: "1", multiple: "n", back: "via"}
	var steps []string
	for _, s := range p.steps {
		k := kinds[s.kind]
		if s.kind == back && s.indexed {
			k += "+idx"
		}
		steps = append(steps, k)
	}
	where := "-"
	if p.collection != nil {
		where = p.collection.Name + "." + p.field
	}
	if p.each {
		where += ":each"
	}
	return fmt.Sprintf("%s[%s]%s", origins[p.origin], strings.Join(steps, ","), where)
}

// TestResolvePath checks field paths resolve through the schema as
// PocketBase's resolver walks them.
func TestResolvePath(t *testing.T) {
	t.Parallel()
	app := schemaApp(t)
	auth := userWithRole(t, app, collections.RoleLeader)
	cases := []struct{ base, name, want string }{
		{"issues", "resident_name", "base[]issues.resident_name"},
		{"issues", "resident_name:lower", "base[]issues.resident_name"},
		{"issues", "collected_by.phone", "base[1]users.phone"},
		{"issues", "collected_by.id", "base[]issues.collected_by"}, // read from the relation itself
		{"issues", "collected_by", "base[]issues.collected_by"},
		{"issues", "location.lon", "base[]issues.location"},
		{"issues", "application.issues.resident_phone", "base[1,n]issues.resident_phone"},
		{"applications", "issues.resident_name", "base[n]issues.resident_name"},
		{"applications", "issues:each", "base[]applications.issues:each"},
		{"applications", "issues:length", "base[]applications.issues"},
		{"applications", "signatures_via_application.phone", "base[via+idx]signatures.phone"},
		{"orgs", "users_via_org.phone", "base[via+idx]users.phone"},
		{"orgs", "USERS_via_org.phone", "base[via+idx]users.phone"}, // collection names are case-insensitive
		{"users", "issues_via_collected_by.title", "base[via]issues.title"},
		{"issues", "collected_by.issues_via_collected_by.title", "base[1,via]issues.title"},
		{"issues", "applications_via_issues.subject", "base[via]applications.subject"},
		{"talks", "application.community.parent.name", "base[1,1,1]orgs.name"},
		{"calendar_days", "@collection.issues.resident_name", "collection[]issues.resident_name"},
		{"calendar_days", "@collection.issues:x.resident_name", "collection[]issues.resident_name"},
		{"issues", "@request.auth.phone", "self[]users.phone"},
		{"issues", "@request.auth.org.users_via_org.phone", "self[1,via+idx]users.phone"},
		{"issues", "@request.auth.id", "static[]-"},
		{"issues", "@request.auth.email", "static[]-"},
		{"issues", "@request.query.x", "static[]-"},
		{"issues", "@request.body.title", "static[]-"},
		{"talks", "@request.body.application.issues.resident_name", "body[1,n]issues.resident_name"},
		{"talks", "@request.body.application:lower.issues.resident_name", "body[1,n]issues.resident_name"},
	}
	for _, c := range cases {
		base, err := app.FindCachedCollectionByNameOrId(c.base)
		if err != nil {
			t.Fatal(err)
		}
		p, err := resolvePath(app, base, auth, c.name)
		if err != nil {
			t.Errorf("%s: %s: %v", c.base, c.name, err)
			continue
		}
		if got := describe(p); got != c.want {
			t.Errorf("%s: %s: %s, want %s", c.base, c.name, got, c.want)
		}
	}
	for _, bad := range []string{"nope", "issues_via_nope.x", "orgs_via_parent.name", "title.x", "collected_by.nope", "issues:each.title", "@collection.issues"} {
		base, _ := app.FindCachedCollectionByNameOrId("issues")
		if p, err := resolvePath(app, base, auth, bad); err == nil {
			t.Errorf("issues: %s resolved to %s", bad, describe(p))
		}
	}
}

// TestCheckRules runs Check on the schema alone: who may use which path,
// and which paths cost too much, whatever the data.
func TestCheckRules(t *testing.T) {
	t.Parallel()
	app := schemaApp(t)
	type verdict string
	const (
		ok      verdict = "ok"
		private verdict = "personal_field"
		costly  verdict = "too_costly"
		all     verdict = "all_match"
		invalid verdict = "invalid"
	)
	cases := []struct {
		role, base, param, value string
		want                     verdict
	}{
		{collections.RoleCommunityStaff, "issues", "filter", `resident_name = "x"`, ok},
		{collections.RoleStreetReviewer, "issues", "sort", `-resident_phone`, ok},
		{collections.RoleLeader, "issues", "filter", `resident_name = "x"`, private},
		{collections.RoleHandler, "issues", "sort", `resident_phone`, private},
		{collections.RoleCommunityStaff, "applications", "filter", `issues.resident_name ?= "x"`, private},
		{collections.RoleWorkingGroup, "applications", "filter", `issues.resident_name ?= "x"`, ok},
		{collections.RoleWorkingGroup, "applications", "filter", `issues.resident_name = "x"`, all},
		{collections.RoleWorkingGroup, "applications", "filter", `issues.resident_name ?!= "x"`, ok},
		{collections.RoleWorkingGroup, "applications", "filter", `strftime("%Y", issues.collected_at) = "2026"`, all},
		{collections.RoleWorkingGroup, "applications", "filter", `issues:each = "x"`, ok}, // the record's own values
		{collections.RoleWorkingGroup, "orgs", "filter", `users_via_org.phone ?= "1"`, ok},
		{collections.RoleWorkingGroup, "orgs", "filter", `users_via_org.name != "x"`, all},
		{collections.RoleLeader, "orgs", "filter", `users_via_org.name ?= "x"`, ok},
		{collections.RoleLeader, "orgs", "filter", `users_via_org.phone ?= "1"`, private},
		{collections.RoleLeader, "users", "filter", `phone = "1"`, private},
		{collections.RoleSupervisor, "users", "filter", `email = "a@b"`, private}, // nobody reads others' e-mails
		{collections.RoleLeader, "applications", "filter", `contact_phone = "1"`, ok},
		{collections.RoleLeader, "talks", "filter", `application.contact_phone = "1"`, private},
		{collections.RoleLeader, "applications", "filter", `signatures_via_application.name ?= "x"`, private},
		{collections.RoleGridWorker, "signatures", "filter", `name = "x"`, ok},
		{collections.RoleGridWorker, "issues", "filter", `geoDistance(location.lon, location.lat, collected_by.phone, 1) < 5`, private},
		{collections.RoleWorkingGroup, "issues", "filter", `collected_by.issues_via_collected_by.title ?~ "z"`, costly},
		{collections.RoleWorkingGroup, "issues", "filter", `application.issues.title ?~ "z"`, costly},
		{collections.RoleWorkingGroup, "issues", "filter", `application.issues:each ?= "z"`, costly},
		{collections.RoleWorkingGroup, "users", "filter", `issues_via_collected_by.title ?~ "z"`, costly}, // no index
		{collections.RoleWorkingGroup, "orgs", "filter", `issues_via_community.title ?~ "z"`, ok},
		{collections.RoleWorkingGroup, "applications", "filter", `issues.title ?~ "a" && issues_via_application.title ?~ "b"`, costly},
		{collections.RoleWorkingGroup, "applications", "filter", `issues.title ?~ "a" && issues.status ?= "open"`, ok}, // one join
		{collections.RoleWorkingGroup, "talks", "filter", `application.community.parent.name = "x"`, ok},
		{collections.RoleWorkingGroup, "talks", "filter", `application.community.parent.parent.name = "x"`, costly},
		{collections.RoleWorkingGroup, "feedback", "filter",
			`application.community.name = "a" && application.street.name = "b" && application.target_leader.name = "c" && talk.leader.name = "d" && unit.parent.name = "e" && submitted_by.org.name = "f"`, costly}, // 10 joins
		{collections.RoleWorkingGroup, "calendar_days", "filter", `@collection.issues.title ?= "x"`, costly},
		{collections.RoleWorkingGroup, "issues", "filter", `title = @now || created > @yesterday || status = null || status != true`, ok},
		{collections.RoleWorkingGroup, "issues", "filter", `nope = 1`, invalid},
		{collections.RoleWorkingGroup, "issues", "sort", `@random,-created`, ok},
		{"", "calendar_days", "filter", `date > "2026"`, ok},
		{"", "issues", "filter", `resident_name = "x"`, private},
	}
	for _, c := range cases {
		base, err := app.FindCachedCollectionByNameOrId(c.base)
		if err != nil {
			t.Fatal(err)
		}
		info := &core.RequestInfo{Method: "GET", Query: map[string]string{}}
		if c.role != "" {
			info.Auth = userWithRole(t, app, c.role)
		}
		q := Query{Collection: base, Rule: base.ListRule, Info: info}
		if c.param == "sort" {
			q.Sorts = []string{c.value}
		} else {
			q.Filters = []string{c.value}
		}
		got := ok
		if err := Check(app, q); err != nil {
			got = verdict(codeOf(err))
		}
		if got != c.want {
			t.Errorf("%s on %s %s=%s: %s, want %s (%v)", c.role, c.base, c.param, c.value, got, c.want, Check(app, q))
		}
	}
}

// codeOf returns the error code a refusal carries.
func codeOf(err error) string {
	apiErr, ok := err.(*router.ApiError)
	if !ok {
		return err.Error()
	}
	for _, d := range apiErr.Data {
		switch v := d.(type) {
		case map[string]any:
			return fmt.Sprint(v["code"])
		case map[string]string:
			return v["code"]
		}
	}
	return apiErr.Message
}
