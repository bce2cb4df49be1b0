package tabletsync_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/savectx"
)

func maxSeq(t testing.TB, env *testenv.Env) int {
	return count(t, env, "SELECT COALESCE(MAX(seq), 0) FROM _sync_changes", nil)
}

// feedOp returns the feed row's op for a record ("" when there is none).
func feedOp(t testing.TB, env *testenv.Env, collection, id string) (string, int) {
	t.Helper()
	var row struct {
		Op  string `db:"op"`
		Seq int    `db:"seq"`
	}
	_ = env.App.DB().NewQuery("SELECT op, seq FROM _sync_changes WHERE collection = {:c} AND record = {:r}").
		Bind(dbx.Params{"c": collection, "r": id}).One(&row)
	return row.Op, row.Seq
}

// TestFeedEveryPath checks that every way of writing a synced record
// leaves exactly one feed row, with a fresh seq, and tombstones for deletes.
func TestFeedEveryPath(t *testing.T) {
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	issue := map[string]any{"community": hc, "kind": "problem", "title": "REST 问题", "source": "door_to_door"}

	// REST create, update, delete (not transactional on their own)
	before := maxSeq(t, env)
	res := env.Do("POST", "/api/collections/issues/records", gridEmail, issue)
	if res.Status != http.StatusOK {
		t.Fatalf("REST create: %d %s", res.Status, res)
	}
	id := res.JSON(t)["id"].(string)
	op, seq := feedOp(t, env, "issues", id)
	if op != "upsert" || seq <= before {
		t.Fatalf("REST create: feed op %q seq %d (before %d)", op, seq, before)
	}
	if r := env.Do("PATCH", "/api/collections/issues/records/"+id, gridEmail, map[string]any{"description": "补充"}); r.Status != http.StatusOK {
		t.Fatalf("REST update: %s", r)
	}
	_, seq2 := feedOp(t, env, "issues", id)
	if seq2 <= seq {
		t.Fatalf("REST update did not move the feed: %d → %d", seq, seq2)
	}
	if r := env.Do("DELETE", "/api/collections/issues/records/"+id, gridEmail, nil); r.Status != http.StatusNoContent {
		t.Fatalf("REST delete: %s", r)
	}
	if op, seq3 := feedOp(t, env, "issues", id); op != "delete" || seq3 <= seq2 {
		t.Fatalf("REST delete: feed op %q seq %d", op, seq3)
	}

	// a refused REST write writes no feed row
	before = maxSeq(t, env)
	if r := env.Do("POST", "/api/collections/issues/records", gridEmail, map[string]any{"community": hc, "kind": "problem"}); r.Status != http.StatusBadRequest {
		t.Fatalf("invalid REST create: %s", r)
	}
	if after := maxSeq(t, env); after != before {
		t.Fatalf("refused write moved the feed: %d → %d", before, after)
	}

	// /api/batch: all or nothing, feed included
	batch := func(titles ...string) testenv.Response {
		var reqs []map[string]any
		for _, title := range titles {
			body := map[string]any{"community": hc, "kind": "problem", "title": title, "source": "meeting"}
			if title == "" {
				delete(body, "title")
			}
			reqs = append(reqs, map[string]any{"method": "POST", "url": "/api/collections/issues/records", "body": body})
		}
		return env.Do("POST", "/api/batch", staffEmail, map[string]any{"requests": reqs})
	}
	before = maxSeq(t, env)
	if r := batch("批量一", ""); r.Status != http.StatusBadRequest {
		t.Fatalf("failing batch: %s", r)
	}
	if after := maxSeq(t, env); after != before {
		t.Fatalf("failed batch left feed rows: %d → %d", before, after)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM issues WHERE title = '批量一'", nil); n != 0 {
		t.Fatalf("failed batch left %d issues", n)
	}
	if r := batch("批量二", "批量三"); r.Status != http.StatusOK {
		t.Fatalf("batch: %s", r)
	}
	if n := count(t, env, `SELECT COUNT(*) FROM issues i JOIN _sync_changes c ON c.collection = 'issues' AND c.record = i.id
		WHERE i.title IN ('批量二', '批量三')`, nil); n != 2 {
		t.Fatalf("batch: %d feed rows for 2 issues", n)
	}

	// the workflow's derived saves: submitting an application moves its issues
	// (pb_hooks saves them inside the application's transaction)
	f := env.Fixture()
	draft := f.Drafts.Own
	linked := env.Do("POST", "/api/collections/issues/records", staffEmail, map[string]any{"community": hc, "kind": "problem", "title": "待关联问题", "source": "meeting"}).JSON(t)["id"].(string)
	if r := env.Do("PATCH", "/api/collections/applications/records/"+draft.Id, staffEmail, map[string]any{"applicant_kind": "community", "issues": []string{linked}}); r.Status != http.StatusOK {
		t.Fatalf("link issue: %s", r)
	}
	_, appSeq := feedOp(t, env, "applications", draft.Id)
	_, issueSeq := feedOp(t, env, "issues", linked)
	is, _ := env.App.FindRecordById("issues", linked)
	if is.GetString(collections.IssueStatus) != collections.IssueInApplication || issueSeq == 0 || appSeq == 0 {
		t.Fatalf("derived save: issue status %q, feed seqs app %d issue %d", is.GetString(collections.IssueStatus), appSeq, issueSeq)
	}

	// dashboard (a superuser over REST) and server code (cron, the demo) with app.Save
	if r := env.Do("PATCH", "/api/collections/orgs/records/"+hc, demo.SuperuserEmail, map[string]any{"name": "划船社区（改）"}); r.Status != http.StatusOK {
		t.Fatalf("superuser org edit: %s", r)
	}
	cal, _ := env.App.FindFirstRecordByData(collections.CalendarDays, collections.CalendarDate, "2026-10-01")
	before = maxSeq(t, env)
	cal.Set(collections.CalendarName, "国庆节")
	if err := env.App.SaveWithContext(savectx.WithActor(context.Background(), savectx.System), cal); err != nil {
		t.Fatal(err)
	}
	if _, s := feedOp(t, env, "calendar_days", cal.Id); s <= before {
		t.Fatalf("app.Save: feed seq %d ≤ %d", s, before)
	}

	// relation cascades: deleting a draft deletes its signatures (cascade), each with a tombstone
	sig := f.Signatures.Own
	draft, _ = env.App.FindRecordById(collections.Applications, draft.Id) // as stored now
	if err := env.App.DeleteWithContext(savectx.AsSystem(context.Background()), draft); err != nil {
		t.Fatal(err)
	}
	if op, _ := feedOp(t, env, "signatures", sig.Id); op != "delete" {
		t.Fatalf("cascade-deleted signature: feed op %q", op)
	}
	if op, _ := feedOp(t, env, "applications", draft.Id); op != "delete" {
		t.Fatalf("deleted application: feed op %q", op)
	}
	if n := orphans(t, env); n != 0 {
		t.Fatalf("%d records without a feed row (or rows without a record)", n)
	}
}

// TestFeedDependents checks that when a parent field a child's list rule
// reads changes, the children get a new seq (their visibility may change),
// and that other parent edits leave them alone.
func TestFeedDependents(t *testing.T) {
	env := testenv.New(t)
	f := env.Fixture()
	app, _ := env.App.FindRecordById(collections.Applications, f.Applications.Own.Id)
	_, issueSeq := feedOp(t, env, "issues", f.Issues.Own.Id)
	_, talkSeq := feedOp(t, env, "talks", f.Talks.Own.Id)

	system := savectx.WithActor(context.Background(), savectx.System)
	app.Set(collections.AppRequest, "无关字段")
	if err := env.App.SaveWithContext(system, app); err != nil {
		t.Fatal(err)
	}
	if _, s := feedOp(t, env, "issues", f.Issues.Own.Id); s != issueSeq {
		t.Fatalf("unrelated parent edit touched the issue: %d → %d", issueSeq, s)
	}
	app.Set(collections.AppAssignedLeader, env.User("mayor@yuetan.example").Id)
	if err := env.App.SaveWithContext(system, app); err != nil {
		t.Fatal(err)
	}
	_, s1 := feedOp(t, env, "issues", f.Issues.Own.Id)
	_, s2 := feedOp(t, env, "talks", f.Talks.Own.Id)
	if s1 <= issueSeq || s2 <= talkSeq {
		t.Fatalf("reassigning the leader did not touch the children: issue %d→%d talk %d→%d", issueSeq, s1, talkSeq, s2)
	}
}
