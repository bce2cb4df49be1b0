package hooks_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// newIssue creates an open issue of community as the system.
func newIssue(t *testing.T, env *testenv.Env, community, title string) *core.Record {
	t.Helper()
	c, _ := env.App.FindCachedCollectionByNameOrId(collections.Issues)
	r := core.NewRecord(c)
	r.Load(map[string]any{
		collections.IssueCommunity: community, collections.IssueKind: "problem",
		collections.IssueTitle: title, collections.IssueSource: "door_to_door",
	})
	if err := env.SaveAsSystem(r); err != nil {
		t.Fatal(err)
	}
	return r
}

func issueNow(t *testing.T, env *testenv.Env, id string) *core.Record {
	t.Helper()
	r, err := env.App.FindRecordById(collections.Issues, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDuplicateFollowsItsOriginal: community staff mark an issue a
// duplicate of another of their community's; the duplicate then follows
// its original's application and status — into a draft, out of it when the
// draft goes, to 已解决 when the street solves it — and nobody moves it by
// hand or links it alone. Unmarked, or when its original is deleted, it is
// an open issue of its own again.
func TestDuplicateFollowsItsOriginal(t *testing.T) {
	env := testenv.New(t)
	hc, dh := env.Org("DL-HC").Id, env.Org("BH-DH").Id
	staff, grid := "staff@yuetan.example", "grid@yuetan.example"
	a := newIssue(t, env, hc, "5幢楼道堆放杂物堵塞消防通道")
	b := newIssue(t, env, hc, "5幢楼道堆放杂物堵塞消防通道")
	c := newIssue(t, env, hc, "5号楼楼道杂物")
	other := newIssue(t, env, dh, "东海花园楼道杂物")
	url := func(r *core.Record) string { return "/api/collections/issues/records/" + r.Id }
	mark := func(email string, dup, orig *core.Record) testenv.Response {
		id := ""
		if orig != nil {
			id = orig.Id
		}
		return env.Do("PATCH", url(dup), email, map[string]any{"duplicate_of": id})
	}
	refused := func(what string, r testenv.Response, code string) {
		t.Helper()
		if r.Status != 400 || fieldErr(t, r, "duplicate_of") != code {
			t.Errorf("%s: %d %s, want 400 %s", what, r.Status, r, code)
		}
	}

	refused("a grid worker marks", mark(grid, b, a), "staff_only")
	refused("marked its own duplicate", mark(staff, b, b), "self")
	refused("another community's original", mark(staff, b, other), "other_community")
	if r := mark(staff, b, a); r.Status != 200 {
		t.Fatalf("staff mark b a duplicate of a: %d %s", r.Status, r)
	}
	refused("a duplicate of a duplicate", mark(staff, c, b), "original_is_duplicate")
	refused("an original with duplicates marked", mark(staff, a, c), "has_duplicates")
	if r := env.Do("PATCH", url(b), staff, map[string]any{"status": collections.IssueResolved}); r.Status != 400 || fieldErr(t, r, "status") != "follows_original" {
		t.Errorf("a duplicate's status changed by hand: %d %s", r.Status, r)
	}

	leader := env.User("secretary@yuetan.example").Id
	// a duplicate cannot go into an application on its own
	if r := env.Do("POST", "/api/collections/applications/records", staff, map[string]any{
		"community": hc, "applicant_kind": "community", "subject": "另一份", "category": workflow.CategoryCommunityBuilding,
		"target_leader": leader, "issues": []string{b.Id},
	}); r.Status != 400 || !strings.Contains(r.String(), "重复") {
		t.Errorf("a duplicate linked alone: %d %s", r.Status, r)
	}
	if n, _ := env.App.CountRecords(collections.Applications, dbx.HashExp{collections.AppSubject: "另一份"}); n != 0 {
		t.Errorf("the refused application was stored")
	}
	// the original goes into a draft: the duplicate goes with it
	draft := env.Do("POST", "/api/collections/applications/records", staff, map[string]any{
		"community": hc, "applicant_kind": "community", "subject": "楼道杂物堵塞消防通道", "category": workflow.CategoryCommunityBuilding,
		"target_leader": leader, "issues": []string{a.Id},
	})
	if draft.Status != 200 {
		t.Fatalf("draft: %s", draft)
	}
	appID := draft.JSON(t)["id"].(string)
	if d := issueNow(t, env, b.Id); d.GetString(collections.IssueApplication) != appID || d.GetString(collections.IssueStatus) != collections.IssueInApplication {
		t.Errorf("duplicate after its original went into a draft: application %q status %q", d.GetString(collections.IssueApplication), d.GetString(collections.IssueStatus))
	}
	// an issue in an application is not marked a duplicate
	refused("an issue in an application marked", mark(staff, a, c), "in_application")

	// submitted and solved at the street: the duplicate is solved too
	if r := env.Do("PATCH", "/api/collections/applications/records/"+appID, staff, map[string]any{"status": "submitted"}); r.Status != 200 {
		t.Fatalf("submit: %s", r)
	}
	if r := env.Do("PATCH", "/api/collections/applications/records/"+appID, "street@yuetan.example", map[string]any{"status": "street_resolved", "decision_note": "街道协调物业清理。"}); r.Status != 200 {
		t.Fatalf("street resolve: %s", r)
	}
	if d := issueNow(t, env, b.Id); d.GetString(collections.IssueStatus) != collections.IssueResolved || d.GetString(collections.IssueApplication) != appID {
		t.Errorf("duplicate after the street solved its original: %q in %q", d.GetString(collections.IssueStatus), d.GetString(collections.IssueApplication))
	}

	// unmarked: an open issue of its own again
	if r := mark(staff, b, nil); r.Status != 200 {
		t.Fatalf("unmark: %s", r)
	}
	if d := issueNow(t, env, b.Id); d.GetString(collections.IssueStatus) != collections.IssueOpen || d.GetString(collections.IssueApplication) != "" {
		t.Errorf("unmarked duplicate: %q in %q", d.GetString(collections.IssueStatus), d.GetString(collections.IssueApplication))
	}

	// the original deleted: its duplicate stands alone
	if r := mark(staff, b, c); r.Status != 200 {
		t.Fatalf("mark b a duplicate of c: %s", r)
	}
	if r := env.Do("DELETE", url(c), staff, nil); r.Status != 204 {
		t.Fatalf("delete the original: %d %s", r.Status, r)
	}
	if d := issueNow(t, env, b.Id); d.GetString(collections.IssueDuplicateOf) != "" || d.GetString(collections.IssueStatus) != collections.IssueOpen {
		t.Errorf("duplicate of a deleted original: duplicate_of %q status %q", d.GetString(collections.IssueDuplicateOf), d.GetString(collections.IssueStatus))
	}
	// created again under the same id (a tablet's replay): nothing follows
	// it, so a create need not look for its duplicates
	if r := env.Do("POST", "/api/collections/issues/records", staff, map[string]any{"id": c.Id, "community": hc,
		"kind": "problem", "title": "5号楼楼道杂物", "source": "door_to_door"}); r.Status != 200 {
		t.Fatalf("create the original again: %d %s", r.Status, r)
	}
	if d := issueNow(t, env, b.Id); d.GetString(collections.IssueDuplicateOf) != "" || d.GetString(collections.IssueStatus) != collections.IssueOpen {
		t.Errorf("the original created again took its old duplicate: duplicate_of %q status %q", d.GetString(collections.IssueDuplicateOf), d.GetString(collections.IssueStatus))
	}
}

// TestDuplicateMarksRaceIntoNoChain: "b is a duplicate of a" and "a is a
// duplicate of c" sent at the same instant never both hold (that would be
// a chain b → a → c); exactly one wins, many times over.
func TestDuplicateMarksRaceIntoNoChain(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	hc := env.Org("DL-HC").Id
	staff := "staff@yuetan.example"
	for round := 0; round < 15; round++ {
		a := newIssue(t, env, hc, "楼道杂物")
		b := newIssue(t, env, hc, "楼道杂物")
		c := newIssue(t, env, hc, "楼道杂物堆放")
		as := together(t, env, srv.URL,
			write{"PATCH", "/api/collections/issues/records/" + b.Id, staff, map[string]any{"duplicate_of": a.Id}},
			write{"PATCH", "/api/collections/issues/records/" + a.Id, staff, map[string]any{"duplicate_of": c.Id}},
		)
		oneWins(t, round, as)
		if issueNow(t, env, b.Id).GetString(collections.IssueDuplicateOf) != "" && issueNow(t, env, a.Id).GetString(collections.IssueDuplicateOf) != "" {
			t.Fatalf("round %d: a chain b → a → c was stored", round)
		}
	}
}
