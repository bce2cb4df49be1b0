package tabletsync_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/tabletsync/wire"
	"yuetan/workflow"
)

// TestPushRetriesNeverDuplicate pushes a batch, then the same batch again
// (a tablet that lost the response), then the same ids with other content.
func TestPushRetriesNeverDuplicate(t *testing.T) {
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	muts := []map[string]any{createIssue(hc, "重试一"), createIssue(hc, "重试二"), createIssue(hc, "重试三")}
	first := push(t, env, gridEmail, "tab-retry", muts...)
	for _, r := range first.Results {
		if r.Status != wire.StatusApplied || r.Seq == 0 || r.Record["id"] == nil {
			t.Fatalf("first push: %+v", r)
		}
	}
	issues := count(t, env, "SELECT COUNT(*) FROM issues WHERE title LIKE '重试%'", nil)
	seq := maxSeq(t, env)
	for round := 0; round < 3; round++ {
		again := push(t, env, gridEmail, "tab-retry", muts...)
		for i, r := range again.Results {
			if r.Status != wire.StatusDuplicate || r.Outcome != wire.StatusApplied || r.Seq != first.Results[i].Seq {
				t.Fatalf("retry %d: %+v", round, r)
			}
			if r.Record["title"] != muts[i]["data"].(map[string]any)["title"] {
				t.Fatalf("retry %d: record %v", round, r.Record)
			}
		}
	}
	if n := count(t, env, "SELECT COUNT(*) FROM issues WHERE title LIKE '重试%'", nil); n != issues || n != 3 {
		t.Fatalf("retries wrote issues: %d, want 3", n)
	}
	if s := maxSeq(t, env); s != seq {
		t.Fatalf("retries moved the feed: %d → %d", seq, s)
	}

	// the same id with another payload is refused and writes nothing
	changed := map[string]any{}
	for k, v := range muts[0] {
		changed[k] = v
	}
	changed["data"] = map[string]any{"community": hc, "kind": "problem", "title": "篡改内容", "source": "door_to_door"}
	changed["record"] = "zzzzzzzzzzzzzzz"
	r := push(t, env, gridEmail, "tab-retry", changed).Results[0]
	if r.Status != wire.StatusRejected || r.Error == nil || !strings.Contains(r.Error.Message, "变更编号") {
		t.Fatalf("changed payload under an old id: %+v", r)
	}
	// another user cannot replay this client's mutation ids
	r = push(t, env, "staff@yuetan.example", "tab-retry", muts[1]).Results[0]
	if r.Status != wire.StatusRejected || r.Record != nil {
		t.Fatalf("other user's replay: %+v", r)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM issues WHERE title = '篡改内容'", nil); n != 0 {
		t.Fatal("a refused payload was written")
	}
	// the mutation log has one row per (client, id)
	if n := count(t, env, "SELECT COUNT(*) FROM _sync_mutations WHERE client = 'tab-retry'", nil); n != 3 {
		t.Fatalf("mutation log rows: %d, want 3", n)
	}
	// the same record sent again under a new mutation id (a reset tablet):
	// the server's copy stands
	resent := map[string]any{}
	for k, v := range muts[0] {
		resent[k] = v
	}
	resent["id"] = mid()
	r = push(t, env, gridEmail, "tab-reset", resent).Results[0]
	if r.Status != wire.StatusConflict || r.Record["id"] != muts[0]["record"] || r.Seq != first.Results[0].Seq {
		t.Fatalf("re-sent create: %+v", r)
	}
	// a retried mutation in a new push is still a duplicate next to new work
	again := push(t, env, gridEmail, "tab-retry", muts[2], createIssue(hc, "重试四"))
	if again.Results[0].Status != wire.StatusDuplicate || again.Results[1].Status != wire.StatusApplied {
		t.Fatalf("mixed retry: %+v", again.Results)
	}
}

// TestPushRuleViolationsInBatch mixes allowed and forbidden mutations: the
// forbidden ones are rejected with PocketBase's error shape and a Chinese
// message, leave nothing behind, and their neighbours apply.
func TestPushRuleViolationsInBatch(t *testing.T) {
	env := testenv.New(t)
	f := env.Fixture()
	hc, dh := env.Org("DL-HC").Id, env.Org("BH-DH").Id
	own := createIssue(hc, "本社区新问题")
	other := createIssue(dh, "外社区问题")
	noTitle := createIssue(hc, "")
	delete(noTitle["data"].(map[string]any), "title")
	meeting := map[string]any{"id": mid(), "collection": "meetings", "op": "create", "record": newID(),
		"data": map[string]any{"community": hc, "kind": "xiaoxiang", "held_on": "2026-11-20 10:00:00.000Z", "title": "小巷公议会"}}
	otherUpdate := map[string]any{"id": mid(), "collection": "issues", "op": "update", "record": f.Issues.Other.Id,
		"base": 1 << 40, "data": map[string]any{"description": "越权修改"}}
	application := map[string]any{"id": mid(), "collection": "applications", "op": "create", "record": newID(),
		"data": map[string]any{"community": hc, "applicant_kind": "community", "subject": "网格员不能申请",
			"category": workflow.CategoryCommunityBuilding, "target_leader": env.User(leaderEmail).Id}}
	statusByHand := map[string]any{"id": mid(), "collection": "issues", "op": "update", "record": f.Issues.Own.Id,
		"base": 1 << 40, "data": map[string]any{"status": "closed"}}
	last := createIssue(hc, "最后一条")

	before := maxSeq(t, env)
	out := push(t, env, gridEmail, "tab-rules", own, other, noTitle, meeting, otherUpdate, application, statusByHand, last)
	want := []struct {
		status string
		code   int
		field  string
	}{
		{wire.StatusApplied, 0, ""},
		{wire.StatusRejected, http.StatusForbidden, ""},
		{wire.StatusRejected, http.StatusBadRequest, "title"},
		{wire.StatusApplied, 0, ""},
		{wire.StatusRejected, http.StatusNotFound, ""},
		{wire.StatusRejected, http.StatusForbidden, ""},
		{wire.StatusRejected, http.StatusBadRequest, "status"},
		{wire.StatusApplied, 0, ""},
	}
	for i, w := range want {
		r := out.Results[i]
		if r.Status != w.status {
			t.Errorf("mutation %d: status %s, want %s (%+v)", i, r.Status, w.status, r.Error)
			continue
		}
		if w.status == wire.StatusApplied {
			continue
		}
		if r.Error == nil || r.Error.Status != w.code || !hasHanTest(r.Error.Message) || r.Record != nil {
			t.Errorf("mutation %d: error %+v, want %d with a Chinese message", i, r.Error, w.code)
			continue
		}
		if w.field != "" && r.Error.Data[w.field] == nil {
			t.Errorf("mutation %d: error data %v lacks %s", i, r.Error.Data, w.field)
		}
	}
	// rejected mutations wrote nothing; the three applied ones wrote a feed row each
	if n := count(t, env, "SELECT COUNT(*) FROM _sync_changes WHERE seq > {:s}", dbx.Params{"s": before}); n != 3 {
		t.Errorf("feed rows written: %d, want 3", n)
	}
	for _, m := range []map[string]any{other, noTitle, application} {
		if n := count(t, env, "SELECT COUNT(*) FROM "+m["collection"].(string)+" WHERE id = {:id}", dbx.Params{"id": m["record"]}); n != 0 {
			t.Errorf("rejected %s was written", m["record"])
		}
	}
	is, _ := env.App.FindRecordById("issues", f.Issues.Other.Id)
	if is.GetString(collections.IssueDescription) == "越权修改" {
		t.Error("other community's issue was changed")
	}

	// the workflow's own refusals: a residents' application cannot be
	// submitted without ten co-signers; the same push creates and submits it
	appID := newID()
	create := map[string]any{"id": mid(), "collection": "applications", "op": "create", "record": appID,
		"data": map[string]any{"community": hc, "applicant_kind": "residents", "subject": "联名申请",
			"category": workflow.CategoryCommunityBuilding, "target_leader": env.User(leaderEmail).Id, "talk_form": "visit"}}
	sign := map[string]any{"id": mid(), "collection": "signatures", "op": "create", "record": newID(),
		"data": map[string]any{"application": appID, "name": "张三", "address": "1幢101室"}}
	submit := map[string]any{"id": mid(), "collection": "applications", "op": "update", "record": appID,
		"data": map[string]any{"status": workflow.StatusSubmitted}}
	out = push(t, env, staffEmail, "tab-staff", create, sign, submit)
	if out.Results[0].Status != wire.StatusApplied || out.Results[1].Status != wire.StatusApplied {
		t.Fatalf("create + sign: %+v", out.Results[:2])
	}
	r := out.Results[2]
	if r.Status != wire.StatusRejected || r.Error == nil || !strings.Contains(r.Error.Message, "居民联名申请须有10位以上居民签名") {
		t.Fatalf("submit without co-signers: %+v", r)
	}
	app, _ := env.App.FindRecordById("applications", appID)
	if app.GetString(collections.AppStatus) != workflow.StatusDraft || app.GetString(collections.AppSerial) != "" {
		t.Fatalf("refused submit changed the application: status %s serial %q", app.GetString(collections.AppStatus), app.GetString(collections.AppSerial))
	}
	// the create ran as the staff member: the audit event names her
	if n := count(t, env, "SELECT COUNT(*) FROM events WHERE record_id = {:id} AND action = 'create' AND actor = {:u}",
		dbx.Params{"id": appID, "u": env.User(staffEmail).Id}); n != 1 {
		t.Fatalf("create events by the caller: %d", n)
	}
	sig, _ := env.App.FindRecordById("signatures", sign["record"].(string))
	if sig.GetString(collections.SigCollectedBy) != env.User(staffEmail).Id {
		t.Fatal("signature not collected by the caller")
	}
}

// TestPushConflicts has two tablets edit the same issue offline: different
// fields merge, the same field conflicts and gets the server's record, and
// workflow fields go to the state machine whatever the base.
func TestPushConflicts(t *testing.T) {
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	m := createIssue(hc, "两台平板")
	id := m["record"].(string)
	base := push(t, env, gridEmail, "tab-a", m).Results[0].Seq
	update := func(data map[string]any, base int64) map[string]any {
		return map[string]any{"id": mid(), "collection": "issues", "op": "update", "record": id, "base": base, "data": data}
	}
	// tablet A changes the title; tablet B, on the same base, the description
	a := push(t, env, gridEmail, "tab-a", update(map[string]any{"title": "A 改的标题"}, base)).Results[0]
	b := push(t, env, staffEmail, "tab-b", update(map[string]any{"description": "B 补充的说明"}, base)).Results[0]
	if a.Status != wire.StatusApplied || b.Status != wire.StatusApplied {
		t.Fatalf("different fields: A %+v B %+v", a, b)
	}
	if b.Record["title"] != "A 改的标题" || b.Record["description"] != "B 补充的说明" {
		t.Fatalf("merge lost a field: %v", b.Record)
	}
	// B now changes the title too, still on the old base: conflict
	c := push(t, env, staffEmail, "tab-b", update(map[string]any{"title": "B 改的标题", "address": "3幢"}, base)).Results[0]
	if c.Status != wire.StatusConflict || c.Record["title"] != "A 改的标题" || c.Error == nil || c.Error.Data["title"] == nil {
		t.Fatalf("same field: %+v", c)
	}
	if c.Error.Data["address"] != nil || c.Seq != b.Seq {
		t.Fatalf("conflict should name only the changed field and carry the current seq: %+v", c)
	}
	stored, _ := env.App.FindRecordById("issues", id)
	if stored.GetString("title") != "A 改的标题" || stored.GetString("address") != "" {
		t.Fatal("a conflicting mutation was (partly) written")
	}
	// setting a field to the value the server has is no conflict
	same := push(t, env, staffEmail, "tab-b", update(map[string]any{"title": "A 改的标题", "address": "3幢"}, base)).Results[0]
	if same.Status != wire.StatusApplied {
		t.Fatalf("same value: %+v", same)
	}
	// on the current base, B's title applies
	d := push(t, env, staffEmail, "tab-b", update(map[string]any{"title": "B 改的标题"}, same.Seq)).Results[0]
	if d.Status != wire.StatusApplied || d.Record["title"] != "B 改的标题" {
		t.Fatalf("rebased edit: %+v", d)
	}
	// a tablet's successive offline edits of one record in one push build on each other
	e1 := update(map[string]any{"title": "连续修改一"}, d.Seq)
	e2 := update(map[string]any{"title": "连续修改二"}, d.Seq)
	out := push(t, env, gridEmail, "tab-a", e1, e2)
	if out.Results[0].Status != wire.StatusApplied || out.Results[1].Status != wire.StatusApplied || out.Results[1].Record["title"] != "连续修改二" {
		t.Fatalf("successive edits: %+v", out.Results)
	}
	// a tablet's stale edits in one push: the first merges, the second
	// touches a field someone else changed since the base: its own earlier
	// write does not hide that
	stale := d.Seq
	if r := push(t, env, gridEmail, "tab-a", update(map[string]any{"title": "A 又改了标题"}, out.Results[1].Seq)).Results[0]; r.Status != wire.StatusApplied {
		t.Fatalf("A's edit: %+v", r)
	}
	out = push(t, env, staffEmail, "tab-b", update(map[string]any{"address": "5幢"}, stale), update(map[string]any{"title": "B 想改标题"}, stale))
	if out.Results[0].Status != wire.StatusApplied || out.Results[1].Status != wire.StatusConflict || out.Results[1].Record["title"] != "A 又改了标题" {
		t.Fatalf("stale edits in one push: %+v", out.Results)
	}
	// a stale delete conflicts
	del := push(t, env, gridEmail, "tab-a", map[string]any{"id": mid(), "collection": "issues", "op": "delete", "record": id, "base": base}).Results[0]
	if del.Status != wire.StatusConflict {
		t.Fatalf("stale delete: %+v", del)
	}

	// workflow fields: staff's tablet submits a draft on an old base after
	// someone else edited it; the state machine, not the base, decides
	f := env.Fixture()
	draftID := newID()
	created := push(t, env, staffEmail, "tab-a", map[string]any{"id": mid(), "collection": "applications", "op": "create", "record": draftID,
		"data": map[string]any{"community": hc, "applicant_kind": "community", "subject": "工作流字段",
			"category": workflow.CategoryCommunityBuilding, "target_leader": env.User(leaderEmail).Id, "talk_form": "visit"}}).Results[0]
	if created.Status != wire.StatusApplied {
		t.Fatalf("create draft: %+v", created)
	}
	if r := env.Do("PATCH", "/api/collections/applications/records/"+draftID, staffEmail, map[string]any{"description": "他人补充"}); r.Status != http.StatusOK {
		t.Fatalf("REST edit: %s", r)
	}
	submit := map[string]any{"id": mid(), "collection": "applications", "op": "update", "record": draftID, "base": created.Seq,
		"data": map[string]any{"status": workflow.StatusSubmitted}}
	s := push(t, env, staffEmail, "tab-a", submit).Results[0]
	if s.Status != wire.StatusApplied || s.Record["status"] != workflow.StatusSubmitted || s.Record["serial"] == "" {
		t.Fatalf("stale submit: %+v", s)
	}
	// the street forwards it; the stale tablet asks to submit again: the
	// state machine refuses (forwarded → submitted is no move)
	if r := env.Do("PATCH", "/api/collections/applications/records/"+draftID, streetEmail,
		map[string]any{"status": workflow.StatusForwarded, "decision_note": "报区里"}); r.Status != http.StatusOK {
		t.Fatalf("forward: %s", r)
	}
	again := map[string]any{"id": mid(), "collection": "applications", "op": "update", "record": draftID, "base": created.Seq,
		"data": map[string]any{"status": workflow.StatusSubmitted}}
	s = push(t, env, staffEmail, "tab-a", again).Results[0]
	if s.Status != wire.StatusRejected || !strings.Contains(s.Error.Message, "不允许的状态变更") {
		t.Fatalf("stale status move: %+v", s)
	}
	_ = f
}

// TestPushDeletesAndTombstones deletes through the sync API: the record
// leaves a tombstone, tablets that held it get a delete, a second delete
// is harmless and an edit of the deleted record is a conflict.
func TestPushDeletesAndTombstones(t *testing.T) {
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	m := createIssue(hc, "将被删除")
	id := m["record"].(string)
	seq := push(t, env, gridEmail, "tab-del", m).Results[0].Seq

	staff := replica{}
	cursor, _ := pullAll(t, env, staffEmail, "", 0, staff)
	if staff["issues/"+id] == nil {
		t.Fatal("staff did not get the issue")
	}
	del := map[string]any{"id": mid(), "collection": "issues", "op": "delete", "record": id, "base": seq}
	r := push(t, env, gridEmail, "tab-del", del).Results[0]
	if r.Status != wire.StatusApplied || r.Seq <= seq || r.Record != nil {
		t.Fatalf("delete: %+v", r)
	}
	if op, _ := feedOp(t, env, "issues", id); op != wire.OpDelete {
		t.Fatalf("no tombstone: %q", op)
	}
	pullAll(t, env, staffEmail, cursor, 0, staff)
	if staff["issues/"+id] != nil {
		t.Fatal("staff still holds the deleted issue")
	}
	again := push(t, env, staffEmail, "tab-del-2", map[string]any{"id": mid(), "collection": "issues", "op": "delete", "record": id, "base": seq}).Results[0]
	if again.Status != wire.StatusApplied || again.Seq != r.Seq {
		t.Fatalf("second delete: %+v", again)
	}
	edit := push(t, env, staffEmail, "tab-del-2", map[string]any{"id": mid(), "collection": "issues", "op": "update", "record": id, "base": seq,
		"data": map[string]any{"title": "改已删除的"}}).Results[0]
	if edit.Status != wire.StatusConflict || edit.Record != nil || !hasHanTest(edit.Error.Message) {
		t.Fatalf("edit of a deleted record: %+v", edit)
	}
	// someone who never held it gets nothing about it
	fresh := pullPage(t, env, grid2Email, "", 1000)
	for _, c := range fresh.Changes {
		if c.ID == id {
			t.Fatalf("a tablet that never held the issue got %+v", c)
		}
	}
}

// TestPushPhotos sends a photo as a multipart part named after the
// mutation and the field.
func TestPushPhotos(t *testing.T) {
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	m := createIssue(hc, "带照片的问题")
	var img bytes.Buffer
	pic := image.NewRGBA(image.Rect(0, 0, 8, 8))
	pic.Set(1, 1, color.RGBA{200, 0, 0, 255})
	if err := png.Encode(&img, pic); err != nil {
		t.Fatal(err)
	}
	body := &bytes.Buffer{}
	w := multipart.NewWriter(body)
	payload, _ := json.Marshal(map[string]any{"client": "tab-photo", "mutations": []any{m}})
	if err := w.WriteField("@jsonPayload", string(payload)); err != nil {
		t.Fatal(err)
	}
	part, _ := w.CreateFormFile(m["id"].(string)+".photos", "door.png")
	part.Write(img.Bytes())
	w.Close()
	res := call(t, env, http.MethodPost, "/api/sync/push", gridEmail, body.Bytes(), schemaNow, w.FormDataContentType())
	if res.Status != http.StatusOK {
		t.Fatalf("multipart push: %s", res)
	}
	var out pushReply
	json.Unmarshal(res.Body, &out)
	r := out.Results[0]
	photos, _ := r.Record["photos"].([]any)
	if r.Status != wire.StatusApplied || len(photos) != 1 || !strings.HasPrefix(photos[0].(string), "door") {
		t.Fatalf("photo push: %+v", r)
	}
	// the retry (same parts) is a duplicate; other bytes under the same id are refused
	res = call(t, env, http.MethodPost, "/api/sync/push", gridEmail, body.Bytes(), schemaNow, w.FormDataContentType())
	json.Unmarshal(res.Body, &out)
	if out.Results[0].Status != wire.StatusDuplicate {
		t.Fatalf("photo retry: %+v", out.Results[0])
	}
	// a part for an unknown mutation is a 400 and writes nothing
	body.Reset()
	w = multipart.NewWriter(body)
	w.WriteField("@jsonPayload", string(payload))
	part, _ = w.CreateFormFile("nosuchmutation.photos", "x.png")
	part.Write(img.Bytes())
	w.Close()
	if res := call(t, env, http.MethodPost, "/api/sync/push", gridEmail, body.Bytes(), schemaNow, w.FormDataContentType()); res.Status != http.StatusBadRequest {
		t.Fatalf("stray file part: %s", res)
	}
}

func hasHanTest(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// TestPushRefusedAfterWriting makes one mutation fail after its record and
// feed row were written (a hook erroring after the write): the push runs
// again without it, so it leaves nothing, and its neighbours apply once.
func TestPushRefusedAfterWriting(t *testing.T) {
	env := testenv.New(t)
	env.App.OnRecordCreateExecute(collections.Issues).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.Record.GetString(collections.IssueTitle) == "写入后失败" {
			return validation.Errors{collections.IssueTitle: validation.NewError("late_failure", "写入后的检查未通过。")}
		}
		return nil
	})
	hc := env.Org("DL-HC").Id
	good1, poison, good2 := createIssue(hc, "前一条"), createIssue(hc, "写入后失败"), createIssue(hc, "后一条")
	out := push(t, env, gridEmail, "tab-late", good1, poison, good2)
	if out.Results[0].Status != wire.StatusApplied || out.Results[1].Status != wire.StatusRejected || out.Results[2].Status != wire.StatusApplied {
		t.Fatalf("results: %+v", out.Results)
	}
	if !strings.Contains(out.Results[1].Error.Message, "写入后的检查未通过") {
		t.Fatalf("error: %+v", out.Results[1].Error)
	}
	for _, m := range []map[string]any{good1, poison, good2} {
		want := 1
		if m["id"] == poison["id"] {
			want = 0
		}
		if n := count(t, env, "SELECT COUNT(*) FROM issues WHERE id = {:id}", dbx.Params{"id": m["record"]}); n != want {
			t.Fatalf("%s: %d records, want %d", m["record"], n, want)
		}
		if n := count(t, env, "SELECT COUNT(*) FROM _sync_changes WHERE record = {:id}", dbx.Params{"id": m["record"]}); n != want {
			t.Fatalf("%s: %d feed rows, want %d", m["record"], n, want)
		}
	}
	if n := count(t, env, "SELECT COUNT(*) FROM _sync_mutations WHERE client = 'tab-late'", nil); n != 3 {
		t.Fatalf("mutation log: %d rows", n)
	}
	// the retry answers all three from the log
	again := push(t, env, gridEmail, "tab-late", good1, poison, good2)
	if again.Results[1].Status != wire.StatusDuplicate || again.Results[1].Outcome != wire.StatusRejected {
		t.Fatalf("retry: %+v", again.Results)
	}
}
