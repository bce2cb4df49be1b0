package forms_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/forms"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// do sends a JSON request as email and wants 200.
func do(t *testing.T, env *testenv.Env, method, url, email string, body map[string]any) map[string]any {
	t.Helper()
	res := env.Do(method, url, email, body)
	if res.Status != 200 {
		t.Fatalf("%s %s as %s: %d %s", method, url, nameOf(email), res.Status, res)
	}
	return res.JSON(t)
}

// drain works off env's archive queue as the serve worker would, and
// wants at least one job done.
func drain(t *testing.T, env *testenv.Env) {
	t.Helper()
	n, err := forms.NewArchiveWorker(env.App).Drain(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("drain the archive queue: %d jobs, %v", n, err)
	}
}

// pendingOf is a record's archive_pending as REST returns it (a list, or
// one name on talks and feedback).
func pendingOf(rec map[string]any) []string {
	switch v := rec["archive_pending"].(type) {
	case string:
		if v != "" {
			return []string{v}
		}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

// queued wants a move's response to show the copy in field pending and
// not there yet.
func queued(t *testing.T, rec map[string]any, field string) {
	t.Helper()
	if !slices.Contains(pendingOf(rec), field) || rec[field] != "" {
		t.Fatalf("after the move %s = %v, archive_pending = %v: want the copy pending", field, rec[field], rec["archive_pending"])
	}
}

// archived checks rec's archive copy in field: a stored PDF whose print
// row names the form, its maker and archive = true; it returns the row.
func archived(t *testing.T, env *testenv.Env, coll, id, field, form, maker string) *core.Record {
	t.Helper()
	rec, err := env.App.FindRecordById(coll, id)
	if err != nil {
		t.Fatal(err)
	}
	name := rec.GetString(field)
	if name == "" || !strings.HasPrefix(name, form+"_") || !strings.HasSuffix(name, ".pdf") {
		t.Fatalf("%s.%s = %q: no archive copy of the %s form", coll, field, name, form)
	}
	if b := readFile(t, env.App, rec, name); !isPDF(b) {
		t.Fatalf("%s.%s is not a PDF", coll, field)
	}
	row, err := env.App.FindFirstRecordByFilter("form_prints", "form = {:f} && record_id = {:id} && archive = true",
		map[string]any{"f": form, "id": id})
	if err != nil {
		t.Fatalf("no print row for the archive copy of %s: %v", form, err)
	}
	if row.GetString("produced_by") != env.User(maker).Id || row.GetString("record_collection") != coll {
		t.Errorf("archive print row of %s: %v", form, row.FieldsData())
	}
	return row
}

// TestArchiveCopies runs the seed's story over HTTP: submission, acceptance,
// the talk record and the feedback approval each queue their form (the
// move's response shows it pending), which the worker stores on the
// record, registered as made by who made the move; other moves queue
// nothing; the moves' responses and statuses are as without archiving.
func TestArchiveCopies(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	hc := env.Org("DL-HC")
	apps := "/api/collections/applications/records"
	app := do(t, env, "POST", apps, staff, map[string]any{
		"community": hc.Id, "applicant_kind": "community", "subject": storySubject + "（复核）",
		"category": workflow.CategoryCommunityBuilding, "description": "去年台风造成小区严重积水。",
		"request": "约谈区委书记，商定排涝改造方案", "target_leader": env.User(secretary).Id, "talk_form": "visit",
	})
	id := app["id"].(string)
	if app["archive_pdf"] != "" {
		t.Fatalf("a draft has an archive copy: %v", app["archive_pdf"])
	}
	app = do(t, env, "PATCH", apps+"/"+id, staff, map[string]any{"status": "submitted"})
	if app["status"] != "submitted" {
		t.Fatalf("status %v", app["status"])
	}
	queued(t, app, "archive_pdf")
	drain(t, env)
	submitted := archived(t, env, collections.Applications, id, collections.AppArchivePDF, "application", staff)
	if v := verifyCode(env, submitted.GetString("code")); v["changed"] != false || v["archive"] != true || v["produced_by"] != "陈静" {
		t.Errorf("archive copy on submission: %v", v)
	}
	do(t, env, "PATCH", apps+"/"+id, street, map[string]any{"status": "forwarded", "decision_note": "街道层面无法解决，报区专门工作小组"})
	// the street's opinion now prints on the form: the submitted copy has changed
	if v := verifyCode(env, submitted.GetString("code")); v["changed"] != true {
		t.Errorf("archive copy after forwarding: %v", v)
	}
	if rec, _ := env.App.FindRecordById(collections.Applications, id); rec.GetString(collections.AppNoticePDF) != "" {
		t.Fatal("a notice before acceptance")
	}
	queued(t, do(t, env, "PATCH", apps+"/"+id, wg, map[string]any{"status": "accepted", "decision_note": "同意受理"}), "notice_pdf")
	drain(t, env)
	archived(t, env, collections.Applications, id, collections.AppNoticePDF, "notice", wg)
	// the application form stays the one made on submission
	if rec, _ := env.App.FindRecordById(collections.Applications, id); rec.GetString(collections.AppArchivePDF) != "" {
		row := archived(t, env, collections.Applications, id, collections.AppArchivePDF, "application", staff)
		if row.Id != submitted.Id {
			t.Error("the application form was archived again")
		}
	}
	do(t, env, "PATCH", apps+"/"+id, wg, map[string]any{"status": "notified"})
	talk := do(t, env, "POST", "/api/collections/talks/records", secretary, map[string]any{
		"application": id, "scheduled_at": time.Now().Add(48 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z"),
		"place": "划船社区会议室", "form": "visit",
	})
	talkID := talk["id"].(string)
	if talk["archive_pdf"] != "" {
		t.Fatal("a scheduled talk has an archive copy")
	}
	due := time.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02 15:04:05.000Z")
	queued(t, do(t, env, "PATCH", "/api/collections/talks/records/"+talkID, secretary, map[string]any{
		"participants": "居民代表8人、城管局、街道", "record": "小区低洼，台风积水严重，电表箱被淹。",
		"response": "当场与城管等部门商定：加高中塘河河堤，抬高电表箱。", "outcome": "assigned",
		"handling_unit": env.Org("JD-CG").Id, "responsible": env.User(handler).Id, "handling_due": due,
	}), "archive_pdf")
	drain(t, env)
	talkRow := archived(t, env, collections.Talks, talkID, collections.TalkArchivePDF, "talk", secretary)
	if v := verifyCode(env, talkRow.GetString("code")); v["changed"] != false || v["form"] != "群众约谈情况登记表" {
		t.Errorf("talk archive copy: %v", v)
	}
	fb := do(t, env, "POST", "/api/collections/feedback/records", handler, map[string]any{
		"application": id, "result": "河堤加高施工中，电表箱抬高已完成。", "measures": "城管局牵头，街道配合",
	})
	fbURL := "/api/collections/feedback/records/" + fb["id"].(string)
	if rec, _ := env.App.FindRecordById(collections.Feedback, fb["id"].(string)); rec.GetString(collections.FbArchivePDF) != "" {
		t.Fatal("feedback archived before approval")
	}
	queued(t, do(t, env, "PATCH", fbURL, secretary, map[string]any{"leader_decision": "approved", "leader_comment": "同意"}), "archive_pdf")
	drain(t, env)
	archived(t, env, collections.Feedback, fb["id"].(string), collections.FbArchivePDF, "feedback", secretary)
	do(t, env, "PATCH", fbURL, staff, map[string]any{"satisfaction": "satisfied", "applicant_comment": "居民满意"})
	app = do(t, env, "PATCH", apps+"/"+id, sup, map[string]any{"status": "closed", "decision_note": "办理情况良好，予以销号"})
	if app["status"] != workflow.StatusClosed {
		t.Fatalf("final status %v", app["status"])
	}
	if n, err := forms.NewArchiveWorker(env.App).Drain(context.Background()); n != 0 || err != nil {
		t.Errorf("moves that archive nothing queued %d jobs (%v)", n, err)
	}
	// exactly four archive copies, and the audit trail is the workflow's alone
	if n, _ := env.App.CountRecords("form_prints", dbx.NewExp("archive = true AND record_id IN ({:a}, {:t}, {:f})", dbx.Params{"a": id, "t": talkID, "f": fb["id"]})); n != 4 {
		t.Errorf("%d archive prints, want 4", n)
	}
	events, _ := env.App.FindRecordsByFilter(collections.Events, "application = {:id}", "created", 0, 0, map[string]any{"id": id})
	var actions []string
	for _, ev := range events {
		actions = append(actions, ev.GetString(collections.EvAction))
	}
	if want := "create submit forward accept notify schedule assign submit_feedback approve_feedback reply close"; strings.Join(actions, " ") != want {
		t.Errorf("audit trail %v", actions)
	}
}

// TestDemoHasArchiveCopies: the demo seed (one transaction) archives too,
// after its commit.
func TestDemoHasArchiveCopies(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := application(env, storySubject)
	archived(t, env, collections.Applications, a.Id, collections.AppArchivePDF, "application", staff)
	archived(t, env, collections.Applications, a.Id, collections.AppNoticePDF, "notice", wg)
	archived(t, env, collections.Talks, first(env, collections.Talks, a.Id).Id, collections.TalkArchivePDF, "talk", secretary)
	archived(t, env, collections.Feedback, first(env, collections.Feedback, a.Id).Id, collections.FbArchivePDF, "feedback", secretary)
	draft := application(env, "划船社区僵尸车清理")
	if draft.GetString(collections.AppArchivePDF) != "" {
		t.Error("a draft has an archive copy")
	}
}
