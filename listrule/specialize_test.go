package listrule

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
)

func TestSpecialize(t *testing.T) {
	users := collections.NewUsers()
	user := func(role, org string) *core.Record {
		r := core.NewRecord(users)
		r.Id = "u1"
		r.Set(collections.UserRole, role)
		r.Set(collections.UserOrg, org)
		return r
	}
	issues := *collections.NewIssues().ListRule
	cases := []struct {
		name, rule             string
		auth                   *core.Record
		want                   string
		always, never, rewrote bool
	}{
		{"staff sees her community", issues, user("community_staff", "org1"), `community = "org1"`, false, false, true},
		{"street sees its communities", issues, user("street_reviewer", "st1"), `community.parent = "st1"`, false, false, true},
		{"working group sees all", issues, user("working_group", "wg"), "", true, false, true},
		{"leader keeps the joins it needs", issues, user("leader", "lead"),
			`(application.target_leader = "u1" || application.assigned_leader = "u1") && application.assigned_leader != ""`, false, false, true},
		{"another role sees nothing", issues, user("nobody", "x"), "", false, true, true},
		{"an empty role is no role", `@request.auth.role = "a"`, user("", ""), "", false, true, true},
		{"a guest has no role", issues, nil, "", false, true, true},
		{"a guest is not signed in", `@request.auth.id != ""`, nil, "", false, true, true},
		{"an empty value against a field is left to PocketBase", `community = @request.auth.org || @request.auth.org ~ "x"`, nil,
			`community = @request.auth.org || @request.auth.org ~ "x"`, false, false, true},
		{"empty org is left to PocketBase", `community = @request.auth.org`, user("community_staff", ""), `community = @request.auth.org`, false, false, true},
		{"precedence: && before ||", `@request.auth.role = "a" && x = 1 || y = 2`, user("b", "o"), `y = 2`, false, false, true},
		{"nested groups", `(@request.auth.role = "b" || z = 3) && (y = 2 || @request.auth.role = "c")`, user("b", "o"), `y = 2`, false, false, true},
		{"quotes survive", `title = "a \"q\" b" && @request.auth.id != ""`, user("b", "o"), `title = "a \"q\" b"`, false, false, true},
		{"modifiers and nested auth fields stay", `@request.auth.org.parent = community.parent && @request.body.x:isset = true`, user("b", "o"),
			`@request.auth.org.parent = community.parent && @request.body.x:isset = true`, false, false, true},
		{"functions are not rewritten", `geoDistance(1, 2, 3, 4) < 5`, user("b", "o"), "", false, false, false},
	}
	for _, c := range cases {
		got, always, never, ok := Specialize(c.rule, c.auth)
		if ok != c.rewrote || always != c.always || never != c.never || (ok && !always && !never && got != c.want) {
			t.Errorf("%s:\n got %q always=%v never=%v ok=%v\nwant %q always=%v never=%v ok=%v", c.name, got, always, never, ok, c.want, c.always, c.never, c.rewrote)
		}
	}
}
