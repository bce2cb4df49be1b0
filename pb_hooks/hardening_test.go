package hooks_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/savectx"
)

const issuesURL = "/api/collections/issues/records"

// fieldErr returns the code of a 400's error on field ("" when none).
func fieldErr(t *testing.T, r testenv.Response, field string) string {
	t.Helper()
	var body struct {
		Data map[string]struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"data"`
	}
	_ = json.Unmarshal(r.Body, &body)
	return body.Data[field].Code
}

// TestWrongTypesAreRefused: a value of the wrong type is a 400 naming the
// field, over REST (JSON and multipart) and /api/batch, and nothing is
// saved — where PocketBase would have coerced it (an object for a text to
// "", "nope" for a location to 0,0, a date that does not parse to now).
func TestWrongTypesAreRefused(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	valid := map[string]any{"community": hc, "kind": "problem", "title": "路灯不亮", "source": "door_to_door"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range valid {
			m[a] = b
		}
		m[k] = v
		return m
	}
	before, _ := env.App.CountRecords(collections.Issues)
	for _, c := range []struct {
		field string
		value any
	}{
		{"description", map[string]any{"a": 1}},
		{"address", []any{"3幢"}},
		{"location", "nope"},
		{"location", map[string]any{"lon": "121.5", "lat": 29.8}},
		{"collected_at", "garbage"},
		{"collected_at", 12345},
		{"title", 42},
		{"kind", []any{"problem", "suggestion"}},
		{"meeting", map[string]any{}},
	} {
		r := env.Do("POST", issuesURL, grid, with(c.field, c.value))
		if r.Status != 400 || fieldErr(t, r, c.field) != "invalid_type" || !han.Match(r.Body) {
			t.Errorf("%s = %v: %d %s, want a 400 naming the field", c.field, c.value, r.Status, r)
		}
	}
	if n, _ := env.App.CountRecords(collections.Issues); n != before {
		t.Errorf("%d issues created by refused writes", n-before)
	}
	// the right types still work, and an update with a wrong one changes nothing
	ok := env.Do("POST", issuesURL, grid, with("location", map[string]any{"lon": 121.544, "lat": 29.868}))
	if ok.Status != 200 {
		t.Fatalf("valid create: %s", ok)
	}
	id := ok.JSON(t)["id"].(string)
	r := env.Do("PATCH", issuesURL+"/"+id, grid, map[string]any{"title": "路灯仍不亮", "description": []any{1}})
	if r.Status != 400 || fieldErr(t, r, "description") != "invalid_type" {
		t.Errorf("update with a wrong type: %s", r)
	}
	if stored, _ := env.App.FindRecordById(collections.Issues, id); stored.GetString(collections.IssueTitle) != "路灯不亮" {
		t.Errorf("a refused update changed the title to %q", stored.GetString(collections.IssueTitle))
	}

	// multipart: numbers, booleans and locations arrive as strings and must parse
	meeting := func(fields map[string]string) int {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for k, v := range fields {
			_ = w.WriteField(k, v)
		}
		_ = w.Close()
		req := httptest.NewRequest(http.MethodPost, "/api/collections/meetings/records", &b)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", env.Token(staff))
		rec := httptest.NewRecorder()
		env.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	base := map[string]string{"community": hc, "kind": "wuju", "title": "物居恳谈会", "held_on": "2026-11-20 09:00:00.000Z"}
	if code := meeting(base); code != 200 {
		t.Fatalf("valid multipart meeting: %d", code)
	}
	bad := map[string]string{"attendees": "十二"}
	for k, v := range base {
		bad[k] = v
	}
	if code := meeting(bad); code != 400 {
		t.Errorf("multipart attendees=十二: %d, want 400", code)
	}

	// batch: one wrong value refuses the whole batch, nothing applied
	batch := map[string]any{"requests": []any{
		map[string]any{"method": "POST", "url": issuesURL, "body": with("title", "批量一")},
		map[string]any{"method": "POST", "url": issuesURL, "body": with("collected_at", "garbage")},
	}}
	n0, _ := env.App.CountRecords(collections.Issues)
	if r := env.Do("POST", "/api/batch", grid, batch); r.Status != 400 || !strings.Contains(r.String(), "collected_at") {
		t.Errorf("batch with a wrong type: %s", r)
	}
	if n, _ := env.App.CountRecords(collections.Issues); n != n0 {
		t.Errorf("a refused batch created %d issues", n-n0)
	}
}

// TestTalkRecordFieldsAreTheLeaders: recording a talk, the assigned leader
// cannot name another leader as its recorder (the server keeps the one it
// set) nor date it before the notice or in the future, nor change anything
// else in the same write.
func TestTalkRecordFieldsAreTheLeaders(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	p := prepare(t, env, "scheduled")
	url := "/api/collections/talks/records/" + p.talk.Id
	record := func(extra map[string]any) map[string]any {
		b := map[string]any{"record": "群众反映积水", "response": "当场商定方案", "outcome": "on_spot"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	for _, c := range []struct {
		name  string
		extra map[string]any
		field string
	}{
		{"held in 2019", map[string]any{"held_at": "2019-05-01 10:00:00.000Z"}, "held_at"},
		{"held tomorrow", map[string]any{"held_at": time.Now().Add(24 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")}, "held_at"},
		{"place moved in the same write", map[string]any{"place": "别处"}, "place"},
	} {
		r := env.Do("PATCH", url, secretary, record(c.extra))
		if r.Status != 400 || fieldErr(t, r, c.field) == "" {
			t.Errorf("%s: %s, want a 400 on %s", c.name, r, c.field)
		}
	}
	if talk, _ := env.App.FindRecordById(collections.Talks, p.talk.Id); talk.GetString(collections.TalkOutcome) != "" {
		t.Fatal("a refused recording was saved")
	}
	other := env.User("mayor@yuetan.example").Id
	r := env.Do("PATCH", url, secretary, record(map[string]any{"leader": other}))
	if r.Status != 200 {
		t.Fatalf("recording: %s", r)
	}
	talk, _ := env.App.FindRecordById(collections.Talks, p.talk.Id)
	if got := talk.GetString(collections.TalkLeader); got != env.User(secretary).Id {
		t.Errorf("talk recorded as held by %s, want the server's %s", got, env.User(secretary).Id)
	}
	if held := talk.GetDateTime(collections.TalkHeldAt).Time(); time.Since(held) > time.Minute || time.Until(held) > time.Minute {
		t.Errorf("held_at %v, want now", held)
	}
}

// TestMoveNoteIsTheMovesOwn: when the working group accepts without a
// note, the acceptance carries no note — not the street's — in the audit
// trail and on the record.
func TestMoveNoteIsTheMovesOwn(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	p := prepare(t, env, "submitted")
	u := apps + "/" + p.app.Id
	if r := env.Do("PATCH", u, street, map[string]any{"status": "forwarded", "decision_note": "街道内部意见：难以协调"}); r.Status != 200 {
		t.Fatalf("forward: %s", r)
	}
	if r := env.Do("PATCH", u, wg, map[string]any{"status": "accepted"}); r.Status != 200 {
		t.Fatalf("accept: %s", r)
	}
	evs := eventsOf(t, env, p.app.Id)
	last := evs[len(evs)-1]
	if last.GetString(collections.EvAction) != "accept" || last.GetString(collections.EvNote) != "" {
		t.Errorf("acceptance event: %s with note %q", last.GetString(collections.EvAction), last.GetString(collections.EvNote))
	}
	if app, _ := env.App.FindRecordById(collections.Applications, p.app.Id); app.GetString(collections.AppDecisionNote) != "" {
		t.Errorf("the record still carries %q after the acceptance", app.GetString(collections.AppDecisionNote))
	}
	// a move that needs a note is not satisfied by an earlier one
	p2 := prepare(t, env, "submitted")
	u2 := apps + "/" + p2.app.Id
	p2.app.Set(collections.AppDecisionNote, "旧的意见")
	if err := env.SaveAsSystem(p2.app); err != nil {
		t.Fatal(err)
	}
	if r := env.Do("PATCH", u2, street, map[string]any{"status": "draft"}); r.Status != 400 || fieldErr(t, r, "decision_note") != "note_required" {
		t.Errorf("return without its own reason: %s", r)
	}
}

// TestSaveWithoutActorIsRefused: a save that carries neither a caller nor
// the system (a route that forgot to attach its caller) is refused by the
// workflow, not waved through as the system.
func TestSaveWithoutActorIsRefused(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	p := prepare(t, env, "submitted")
	p.app.Set(collections.AppStatus, "forwarded")
	if err := env.App.Save(p.app); err == nil {
		t.Error("a status move with no actor was saved")
	}
	if stored, _ := env.App.FindRecordById(collections.Applications, p.app.Id); stored.GetString(collections.AppStatus) != "submitted" {
		t.Errorf("status %s after a refused save", stored.GetString(collections.AppStatus))
	}
	if got := savectx.Of(nil, nil); got.System {
		t.Error("savectx.Of without anything attached is the system")
	}
	fresh, _ := env.App.FindRecordById(collections.Applications, p.app.Id)
	fresh.Set(collections.AppStatus, "forwarded")
	if err := env.SaveAsSystem(fresh); err != nil {
		t.Errorf("the system's own save: %v", err)
	}
}

// TestServerSetReferences: a supervision's author is who wrote it; an
// issue's meeting is its own community's; co-signatures go only on
// residents' drafts.
func TestServerSetReferences(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	p := prepare(t, env, "forwarded")
	r := env.Do("POST", "/api/collections/supervisions/records", sup, map[string]any{
		"application": p.app.Id, "kind": "reminder", "note": "请抓紧", "created_by": env.User(wg).Id})
	if r.Status != 200 || r.JSON(t)["created_by"] != env.User(sup).Id {
		t.Errorf("supervision by 黄海 naming 林涛: %s", r)
	}

	meetings, _ := env.App.FindCachedCollectionByNameOrId(collections.Meetings)
	m := core.NewRecord(meetings)
	m.Set(collections.MeetingCommunity, env.Org("BH-DH").Id)
	m.Set("kind", "wuju")
	m.Set("title", "东海花园恳谈会")
	m.Set("held_on", time.Now())
	if err := env.SaveAsSystem(m); err != nil {
		t.Fatal(err)
	}
	r = env.Do("POST", issuesURL, grid, map[string]any{"community": env.Org("DL-HC").Id, "kind": "problem", "title": "借用别社区的会议",
		"source": "meeting", "meeting": m.Id})
	if r.Status != 400 || fieldErr(t, r, "meeting") != "meeting_other_community" {
		t.Errorf("issue with another community's meeting: %s", r)
	}

	draft := prepare(t, env, "draft") // a community-kind draft of 划船社区
	n0, _ := env.App.CountRecords(collections.Signatures)
	r = env.Do("POST", "/api/collections/signatures/records", grid, map[string]any{"application": draft.app.Id, "name": "王某", "address": "1幢"})
	if r.Status < 400 {
		t.Errorf("a grid worker co-signed a community's own draft: %s", r)
	}
	if n, _ := env.App.CountRecords(collections.Signatures); n != n0 {
		t.Error("a signature was stored")
	}
}
