package tabletsync_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yuetan/internal/testenv"
	"yuetan/tabletsync/wire"
)

// fingerprint counts what a request could have written.
func fingerprint(t *testing.T, env *testenv.Env) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"_sync_changes", "_sync_mutations", "_sync_held", "issues", "meetings", "applications",
		"signatures", "talks", "feedback", "users", "orgs", "events", "_superusers", "calendar_days"} {
		parts = append(parts, fmt.Sprintf("%s=%d", table, count(t, env, "SELECT COUNT(*) FROM "+table, nil)))
	}
	parts = append(parts, fmt.Sprintf("seq=%d", maxSeq(t, env)))
	return strings.Join(parts, " ")
}

// TestHostilePayloads sends malformed and hostile pushes and pulls: each
// gets a clear 4xx in PocketBase's error shape and writes nothing.
func TestHostilePayloads(t *testing.T) {
	env := testenv.New(t)
	f := env.Fixture()
	hc := env.Org("DL-HC").Id
	good := func() map[string]any { return createIssue(hc, "合法的问题") }
	with := func(change func(m map[string]any)) string {
		m := good()
		change(m)
		raw, _ := json.Marshal(map[string]any{"client": "tab-evil", "mutations": []any{good(), m}})
		return string(raw)
	}
	many := make([]any, wire.MaxMutations+1)
	for i := range many {
		many[i] = good()
	}
	tooMany, _ := json.Marshal(map[string]any{"client": "tab-evil", "mutations": many})

	pushes := []struct {
		name string
		body string
		want int
	}{
		{"not json", "{nope", http.StatusBadRequest},
		{"empty body", "", http.StatusBadRequest},
		{"array body", "[]", http.StatusBadRequest},
		{"trailing data", `{"client":"a","mutations":[]} {"x":1}`, http.StatusBadRequest},
		{"unknown top-level key", `{"client":"a","mutations":[],"admin":true}`, http.StatusBadRequest},
		{"mutations not a list", `{"client":"a","mutations":"all"}`, http.StatusBadRequest},
		{"client not a string", `{"client":42,"mutations":[]}`, http.StatusBadRequest},
		{"missing client", `{"mutations":[]}`, http.StatusBadRequest},
		{"client with SQL", `{"client":"a'; DROP TABLE issues; --","mutations":[]}`, http.StatusBadRequest},
		{"base not a number", with(func(m map[string]any) { m["base"] = "latest" }), http.StatusBadRequest},
		{"base fractional", with(func(m map[string]any) { m["base"] = 1.5 }), http.StatusBadRequest},
		{"base negative", with(func(m map[string]any) { m["base"] = -1 }), http.StatusBadRequest},
		{"data not an object", with(func(m map[string]any) { m["data"] = "title=x" }), http.StatusBadRequest},
		{"unknown mutation key", with(func(m map[string]any) { m["sql"] = "DELETE FROM issues" }), http.StatusBadRequest},
		{"unknown collection", with(func(m map[string]any) { m["collection"] = "nope" }), http.StatusBadRequest},
		{"superusers", with(func(m map[string]any) {
			m["collection"] = "_superusers"
			m["data"] = map[string]any{"email": "evil@x.example", "password": "12345678901", "passwordConfirm": "12345678901"}
		}), http.StatusBadRequest},
		{"system collection _mfas", with(func(m map[string]any) { m["collection"] = "_mfas" }), http.StatusBadRequest},
		{"collection by id", with(func(m map[string]any) { m["collection"] = "pbc_issues" }), http.StatusBadRequest},
		{"down-only users", with(func(m map[string]any) {
			m["collection"], m["op"], m["record"] = "users", "update", env.User(gridEmail).Id
			m["data"] = map[string]any{"role": "supervisor"}
		}), http.StatusBadRequest},
		{"down-only orgs", with(func(m map[string]any) { m["collection"] = "orgs" }), http.StatusBadRequest},
		{"not synced events", with(func(m map[string]any) { m["collection"] = "events" }), http.StatusBadRequest},
		{"not synced supervisions", with(func(m map[string]any) { m["collection"] = "supervisions" }), http.StatusBadRequest},
		{"bad op", with(func(m map[string]any) { m["op"] = "upsert" }), http.StatusBadRequest},
		{"record id with SQL", with(func(m map[string]any) { m["record"] = "x' OR '1'='1" }), http.StatusBadRequest},
		{"record id too short", with(func(m map[string]any) { m["record"] = "abc" }), http.StatusBadRequest},
		{"record id upper case", with(func(m map[string]any) { m["record"] = "ABCDEFGHIJKLMNO" }), http.StatusBadRequest},
		{"mutation id with spaces", with(func(m map[string]any) { m["id"] = "a b" }), http.StatusBadRequest},
		{"empty mutation id", with(func(m map[string]any) { m["id"] = "" }), http.StatusBadRequest},
		{"duplicate mutation ids", func() string {
			a := good()
			b := good()
			b["id"] = a["id"]
			raw, _ := json.Marshal(map[string]any{"client": "tab-evil", "mutations": []any{a, b}})
			return string(raw)
		}(), http.StatusBadRequest},
		{"unknown field", with(func(m map[string]any) { m["data"].(map[string]any)["is_admin"] = true }), http.StatusBadRequest},
		{"id in data", with(func(m map[string]any) { m["data"].(map[string]any)["id"] = "aaaaaaaaaaaaaaa" }), http.StatusBadRequest},
		{"created in data", with(func(m map[string]any) { m["data"].(map[string]any)["created"] = "2020-01-01" }), http.StatusBadRequest},
		{"modifier on a text field", with(func(m map[string]any) { m["data"].(map[string]any)["title+"] = "x" }), http.StatusBadRequest},
		{"delete with data", with(func(m map[string]any) { m["op"] = "delete"; m["record"] = f.Issues.Own.Id }), http.StatusBadRequest},
		{"bad cursor", `{"client":"a","cursor":"' OR 1=1","mutations":[]}`, http.StatusBadRequest},
		{"deep nesting", `{"client":"a","mutations":[{"id":"x","collection":"issues","op":"create","record":"aaaaaaaaaaaaaaa","data":{"title":` +
			strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}]}`, http.StatusBadRequest},
		{"huge batch", string(tooMany), http.StatusBadRequest},
		{"oversized body", `{"client":"a","mutations":[],"x":"` + strings.Repeat("a", wire.MaxPushJSON) + `"}`, http.StatusRequestEntityTooLarge},
	}
	before := fingerprint(t, env)
	for _, p := range pushes {
		res := call(t, env, http.MethodPost, "/api/sync/push", gridEmail, p.body, schemaNow, "")
		if res.Status != p.want {
			t.Errorf("%s: status %d, want %d: %.300s", p.name, res.Status, p.want, res.Body)
			continue
		}
		var e struct {
			Status  int            `json:"status"`
			Message string         `json:"message"`
			Data    map[string]any `json:"data"`
		}
		if err := json.Unmarshal(res.Body, &e); err != nil || e.Status != p.want || !hasHanTest(e.Message) {
			t.Errorf("%s: not PocketBase's error shape with a Chinese message: %.300s", p.name, res.Body)
		}
		if after := fingerprint(t, env); after != before {
			t.Fatalf("%s wrote something:\n%s\n%s", p.name, before, after)
		}
	}

	// multipart: two payloads, a stray part, a file part for a text field
	mp := func(build func(w *multipart.Writer)) []byte {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		build(w)
		w.Close()
		return b.Bytes()
	}
	m := good()
	payload, _ := json.Marshal(map[string]any{"client": "tab-evil", "mutations": []any{m}})
	for name, body := range map[string]func(w *multipart.Writer){
		"no payload": func(w *multipart.Writer) {},
		"two payloads": func(w *multipart.Writer) {
			w.WriteField("@jsonPayload", string(payload))
			w.WriteField("@jsonPayload", string(payload))
		},
		"stray value": func(w *multipart.Writer) {
			w.WriteField("@jsonPayload", string(payload))
			w.WriteField("role", "admin")
		},
		"file for a text": func(w *multipart.Writer) {
			w.WriteField("@jsonPayload", string(payload))
			p, _ := w.CreateFormFile(m["id"].(string)+".title", "a.png")
			p.Write([]byte("x"))
		},
	} {
		var probe bytes.Buffer
		w := multipart.NewWriter(&probe)
		raw := mp(func(inner *multipart.Writer) { inner.SetBoundary(w.Boundary()); body(inner) })
		res := call(t, env, http.MethodPost, "/api/sync/push", gridEmail, raw, schemaNow, w.FormDataContentType())
		if res.Status != http.StatusBadRequest {
			t.Errorf("multipart %s: %s", name, res)
		}
		if after := fingerprint(t, env); after != before {
			t.Fatalf("multipart %s wrote something", name)
		}
	}

	// pulls with hostile parameters: 4xx, and no session or held row
	for _, q := range []string{
		"cursor=" + url.QueryEscape("1; DROP TABLE _sync_changes"),
		"cursor=" + url.QueryEscape("' UNION SELECT password FROM _superusers --"),
		"limit=" + url.QueryEscape("1 OR 1=1"),
		"limit=100000",
		"client=" + url.QueryEscape("x'--"),
	} {
		res := call(t, env, http.MethodGet, "/api/sync/pull?"+q, gridEmail, nil, schemaNow, "")
		if res.Status != http.StatusBadRequest {
			t.Errorf("pull ?%s: %s", q, res)
		}
	}
	if after := fingerprint(t, env); after != before {
		t.Fatal("hostile pulls wrote something")
	}
	// guests and wrong methods
	if res := call(t, env, http.MethodPost, "/api/sync/push", "", `{"client":"a","mutations":[]}`, schemaNow, ""); res.Status != http.StatusUnauthorized {
		t.Errorf("guest push: %s", res)
	}
}
