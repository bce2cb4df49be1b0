package privacy_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// attack is a filter or sort that, where PocketBase alone decides, reads a
// personal field: asked with a right and a wrong guess (or two sort
// directions), the answers differ for a caller who may not see the field.
type attack struct {
	name       string
	collection string
	param      string // "filter" or "sort"
	// right and wrong are the two values of param; {uid:EMAIL} stands for
	// that user's id.
	right, wrong string
	// allowed are the callers who see the field wherever the path reaches
	// and whose path is cheap enough (everyone else must be refused); nil:
	// nobody. @collection and @request paths PocketBase itself refuses to
	// anyone but superusers.
	allowed []string
}

func attacks() []attack {
	return []attack{
		// residents' names and phones through relations (the review's paths first)
		{"applications: issues.resident_name ?=", "applications", "filter",
			`issues.resident_name ?= "` + nameA + `"`, `issues.resident_name ?= "` + nobody + `"`, districtOffices},
		{"applications: binary search on issues.resident_phone ?>=", "applications", "filter",
			`issues.resident_phone ?>= "` + phoneA + `"`, `issues.resident_phone ?>= "13955550002"`, districtOffices},
		{"applications: issues.resident_name = (all-match)", "applications", "filter",
			`issues.resident_name = "` + nameA + `"`, `issues.resident_name = "` + nobody + `"`, nil},
		{"applications: modifier issues.resident_name:lower", "applications", "filter",
			`issues.resident_name:lower ?= "` + nameA + `"`, `issues.resident_name:lower ?= "` + nobody + `"`, districtOffices},
		{"applications: issues:length with a resident filter beside", "applications", "filter",
			`issues:length > 0 && issues.resident_phone ?~ "550001"`, `issues:length > 0 && issues.resident_phone ?~ "550002"`, districtOffices},
		{"applications: sort by issues.resident_phone", "applications", "sort",
			"issues.resident_phone,id", "-issues.resident_phone,id", districtOffices},
		{"talks: application.issues.resident_phone", "talks", "filter",
			`application.issues.resident_phone ?= "` + phoneA + `"`, `application.issues.resident_phone ?= "` + phoneB + `"`, nil},
		{"feedback: application.issues.resident_name", "feedback", "filter",
			`application.issues.resident_name ?= "` + nameA + `"`, `application.issues.resident_name ?= "` + nobody + `"`, nil},
		{"events: application.issues.resident_name", "events", "filter",
			`application.issues.resident_name ?= "` + nameA + `"`, `application.issues.resident_name ?= "` + nobody + `"`, nil},
		{"supervisions: application.issues.resident_name", "supervisions", "filter",
			`application.issues.resident_name ?= "` + nameA + `"`, `application.issues.resident_name ?= "` + nobody + `"`, nil},
		{"issues: application.issues.resident_name (back to issues)", "issues", "filter",
			`application.issues.resident_name ?= "` + nameA + `"`, `application.issues.resident_name ?= "` + nobody + `"`, nil},
		{"orgs: back-relation issues_via_community.resident_name", "orgs", "filter",
			`issues_via_community.resident_name ?= "` + nameA + `"`, `issues_via_community.resident_name ?= "` + nobody + `"`, districtOffices},
		{"calendar_days: @collection.issues.resident_name", "calendar_days", "filter",
			`@collection.issues.resident_name ?= "` + nameA + `"`, `@collection.issues.resident_name ?= "` + nobody + `"`, nil},
		{"calendar_days: @collection.issues.resident_name != (another community's resident exists?)", "calendar_days", "filter",
			`@collection.issues.resident_name != "` + nameX + `"`, `@collection.issues.resident_name != "` + nobody + `"`, nil},
		{"issues: resident_name on the issues themselves", "issues", "filter",
			`resident_name = "` + nameA + `"`, `resident_name = "` + nobody + `"`, []string{grid, staff, street, wg, sup}},
		{"issues: sort by resident_phone", "issues", "sort",
			"resident_phone,id", "-resident_phone,id", []string{grid, staff, street, wg, sup}},

		// users' phones
		{"orgs: users_via_org.id and users_via_org.phone", "orgs", "filter",
			`users_via_org.id ?= "{uid:handler2@yuetan.example}" && users_via_org.phone ?= "` + handler2Phone + `"`,
			`users_via_org.id ?= "{uid:handler2@yuetan.example}" && users_via_org.phone ?= "` + wrongPhoneGuess + `"`, districtOffices},
		{"issues: collected_by.phone ~", "issues", "filter",
			`collected_by.phone ~ "` + staffPhone + `"`, `collected_by.phone ~ "` + wrongPhoneGuess + `"`, districtOffices},
		{"talks: leader.phone", "talks", "filter",
			`leader.phone = "` + secretaryPhone + `"`, `leader.phone = "` + wrongPhoneGuess + `"`, districtOffices},
		{"applications: target_leader.phone", "applications", "filter",
			`target_leader.phone = "` + secretaryPhone + `"`, `target_leader.phone = "` + wrongPhoneGuess + `"`, districtOffices},
		{"calendar_days: @request.auth.org.users_via_org.phone (colleagues)", "calendar_days", "filter",
			`@request.auth.org.users_via_org.phone ?= "` + staffPhone + `"`, `@request.auth.org.users_via_org.phone ?= "` + wrongPhoneGuess + `"`, nil},
		{"users: phone on users themselves", "users", "filter",
			`phone = "` + handler2Phone + `"`, `phone = "` + wrongPhoneGuess + `"`, districtOffices},
		{"users: sort by phone", "users", "sort", "phone,id", "-phone,id", districtOffices},

		// co-signers and applicants' contacts
		{"calendar_days: @collection.signatures.phone != (another community's co-signer)", "calendar_days", "filter",
			`@collection.signatures.phone != "` + sigPhoneOther + `"`, `@collection.signatures.phone != "` + wrongPhoneGuess + `"`, nil},
		{"applications: signatures_via_application.phone", "applications", "filter",
			`signatures_via_application.phone ?= "` + sigPhoneOwn + `"`, `signatures_via_application.phone ?= "` + wrongPhoneGuess + `"`, districtOffices},
		{"users: applications_via_target_leader.contact_name != (drafts the leader may not read)", "users", "filter",
			`id = "{uid:secretary@yuetan.example}" && applications_via_target_leader.contact_name != "` + draftContactName + `"`,
			`id = "{uid:secretary@yuetan.example}" && applications_via_target_leader.contact_name != "` + nobody + `"`, nil},

		// any field of records the caller may not list: PocketBase checks an
		// all-match operator through a relation to many records against
		// every related record, listed or not
		{"orgs: applications_via_community.decision_note !~ (a returned draft's note)", "orgs", "filter",
			`id = "{org:DL-HC}" && applications_via_community.decision_note !~ "信访"`,
			`id = "{org:DL-HC}" && applications_via_community.decision_note !~ "` + nobody + `"`, nil},
	}
}

// TestFilterOraclesRefused runs every attack as every role: a caller who
// may not see the field on every record the path reaches is refused (403
// for a personal field, 400 for a path too costly to run), so the right
// and the wrong guess look the same; a caller who may, gets answers.
func TestFilterOraclesRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, a := range attacks() {
		t.Run(a.name, func(t *testing.T) {
			for _, who := range everyone {
				right := w.list(who, a.collection, url.Values{a.param: {w.expand(a.right)}})
				wrong := w.list(who, a.collection, url.Values{a.param: {w.expand(a.wrong)}})
				label := who
				if label == "" {
					label = "guest"
				}
				if slices.Contains(a.allowed, who) {
					if right.Status != http.StatusOK || wrong.Status != http.StatusOK {
						t.Errorf("%s may use it: right %v, wrong %v", label, right, wrong)
					}
					continue
				}
				if right != wrong {
					t.Errorf("%s: ORACLE — the right guess answers %v, the wrong one %v", label, right, wrong)
				}
				if !right.refused() || !wrong.refused() {
					t.Errorf("%s: not refused: %v / %v", label, right, wrong)
				}
			}
		})
	}
}

// TestPersonalFiltersStillUsable checks the refusals cost those allowed
// nothing: staff find their own residents, the street its streets', the
// district offices through any relation, and a user their own phone.
func TestPersonalFiltersStillUsable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		who, collection, param, value string
		wantIDs                       string
	}{
		{staff, "issues", "filter", `resident_name = "` + nameA + `"`, w.issueA.Id},
		{grid, "issues", "filter", `resident_phone ~ "555000" && title = "隐私测试问题"`, ""}, // both, in some order
		{street, "issues", "filter", `resident_phone = "` + phoneB + `"`, w.issueB.Id},
		{street, "issues", "filter", `resident_name = "` + nameX + `"`, ""}, // another street's resident: no error, nothing found
		{wg, "applications", "filter", `issues.resident_name ?= "` + nameA + `"`, w.appA.Id},
		{sup, "applications", "filter", `issues.resident_phone ?= "` + phoneA + `"`, w.appA.Id},
		{sup, "talks", "filter", `application.subject = "隐私测试事项" && application.community.parent.name = "东柳街道"`, w.talk.Id},
		{wg, "applications", "sort", `-issues.resident_phone,id`, ""},
		{wg, "orgs", "filter", `users_via_org.phone ?= "` + handler2Phone + `"`, w.env.Org("JD-ZJ").Id},
		{staff, "signatures", "filter", `phone = "` + sigPhoneOwn + `"`, ""},
		{staff, "applications", "filter", `contact_phone = "` + draftContact + `"`, w.draftForSecretary.Id},
		{secretary, "applications", "filter", `status = "in_handling" && assigned_leader = "` + w.env.User(secretary).Id + `"`, w.appA.Id + "," + w.appB.Id},
		{handler, "talks", "filter", `application.subject = "隐私测试事项" && handling_unit.name = "区城管局"`, w.talk.Id},
		{staff, "applications", "filter", `issues.title ?= "隐私测试问题" && issues:length = 1`, w.appA.Id + "," + w.appB.Id},
	}
	for _, c := range cases {
		o := w.list(c.who, c.collection, url.Values{c.param: {c.value}, "perPage": {"500"}})
		if o.Status != http.StatusOK {
			t.Errorf("%s %s %s=%s: %v", c.who, c.collection, c.param, c.value, o)
			continue
		}
		if c.wantIDs != "" && sameSet(o.IDs) != sameSet(c.wantIDs) {
			t.Errorf("%s %s %s=%s: got [%s], want [%s]", c.who, c.collection, c.param, c.value, o.IDs, c.wantIDs)
		}
	}
	// the grid worker found both residents of its community, not the other one
	o := w.list(grid, "issues", url.Values{"filter": {`resident_phone ~ "555000"`}})
	if o.Total != 2 || strings.Contains(o.IDs, w.issueX.Id) {
		t.Errorf("grid worker's own residents: %v", o)
	}
	// sorting by a resident's phone orders the working group's list
	asc := w.list(wg, "applications", url.Values{"sort": {"issues.resident_phone,id"}, "filter": {`subject = "隐私测试事项"`}})
	desc := w.list(wg, "applications", url.Values{"sort": {"-issues.resident_phone,id"}, "filter": {`subject = "隐私测试事项"`}})
	if asc.IDs != w.appA.Id+","+w.appB.Id || desc.IDs != w.appB.Id+","+w.appA.Id {
		t.Errorf("working group sorted by resident phone: asc [%s] desc [%s]", asc.IDs, desc.IDs)
	}
}

// TestEveryFilterValueIsChecked checks a second filter or sort parameter
// is no way around the guard.
func TestEveryFilterValueIsChecked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	o := w.list(secretary, "applications", url.Values{"filter": {`id != ""`, `issues.resident_name ?= "` + nameA + `"`}})
	if !o.refused() {
		t.Errorf("second filter value: %v", o)
	}
	o = w.list(secretary, "applications", url.Values{"sort": {"id", "issues.resident_phone"}})
	if !o.refused() {
		t.Errorf("second sort value: %v", o)
	}
}

// sameSet sorts a comma-separated list, to compare lists as sets.
func sameSet(ids string) string {
	parts := strings.Split(ids, ",")
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// expand replaces {uid:EMAIL} by that user's id and {org:CODE} by that
// org's.
func (w *world) expand(s string) string {
	for {
		i := strings.Index(s, "{")
		j := strings.Index(s, "}")
		if i < 0 || j < i {
			return s
		}
		kind, key, _ := strings.Cut(s[i+1:j], ":")
		var id string
		switch kind {
		case "uid":
			id = w.env.User(key).Id
		case "org":
			id = w.env.Org(key).Id
		default:
			return s
		}
		s = s[:i] + id + s[j+1:]
	}
}
