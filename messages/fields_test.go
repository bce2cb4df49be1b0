package messages_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// english finds the words of PocketBase's English validation messages.
var english = regexp.MustCompile(`(?i)\b(must|failed|invalid|cannot|mime|allowed|maximum|value|upload|blank|characters?|select|missing)\b`)

// saysChinese fails unless every message of an error answer (the top-level
// one and each field's) is Chinese, with none of PocketBase's English left.
func saysChinese(t *testing.T, what string, status int, body []byte) {
	t.Helper()
	if status < 400 {
		t.Errorf("%s: %d, want a refusal: %s", what, status, body)
		return
	}
	var e struct {
		Message string `json:"message"`
		Data    map[string]struct {
			Message string `json:"message"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%s: %v: %s", what, err, body)
	}
	msgs := []string{e.Message}
	for _, d := range e.Data {
		msgs = append(msgs, d.Message)
	}
	for _, m := range msgs {
		if !hanRe.MatchString(m) || english.MatchString(m) {
			t.Errorf("%s: a message that is not Chinese: %q (in %s)", what, m, body)
		}
	}
}

var hanRe = regexp.MustCompile(`\p{Han}`)

// upload PATCHes record with one file part as email and returns the answer.
func upload(env *testenv.Env, email string, rec *core.Record, field, name string, content []byte) (int, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, _ := w.CreateFormFile(field, name)
	_, _ = part.Write(content)
	_ = w.Close()
	req := httptest.NewRequest("PATCH", "/api/collections/"+rec.Collection().Name+"/records/"+rec.Id, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", env.Token(email))
	out := httptest.NewRecorder()
	env.Handler().ServeHTTP(out, req)
	return out.Code, out.Body.Bytes()
}

// TestEveryFileFieldRefusesWrongFilesInChinese uploads each wrong kind of
// file (text, web page, program, SVG, archive, a PDF where only images go,
// one too large) to every file field of every collection, as the person
// who may upload there (the server-only archive copies as the superuser),
// and every answer is a refusal in Chinese naming what may be uploaded.
func TestEveryFileFieldRefusesWrongFilesInChinese(t *testing.T) {
	env := testenv.New(t)
	first := func(coll, filter string) *core.Record {
		r, err := env.App.FindFirstRecordByFilter(coll, filter)
		if err != nil {
			t.Fatalf("%s %s: %v", coll, filter, err)
		}
		return r
	}
	hc := env.Org("DL-HC").Id
	residents := first(collections.Applications, "community = '"+hc+"' && applicant_kind = 'residents' && status = 'draft'")
	uploaders := map[string]struct {
		email string
		rec   *core.Record
	}{
		"issues.photos":            {"grid@yuetan.example", first(collections.Issues, "community = '"+hc+"' && status = 'open'")},
		"signatures.image":         {"grid@yuetan.example", first(collections.Signatures, "application = '"+residents.Id+"'")},
		"applications.signed_scan": {"staff@yuetan.example", first(collections.Applications, "community = '"+hc+"' && status != 'draft'")},
		"applications.archive_pdf": {demo.SuperuserEmail, first(collections.Applications, "status = 'closed'")},
		"applications.notice_pdf":  {demo.SuperuserEmail, first(collections.Applications, "status = 'closed'")},
		"talks.archive_pdf":        {demo.SuperuserEmail, first(collections.Talks, "outcome != ''")},
		"feedback.proof":           {"handler@yuetan.example", first(collections.Feedback, "leader_decision = 'pending' && unit = '"+env.Org("JD-CG").Id+"'")},
		"feedback.archive_pdf":     {demo.SuperuserEmail, first(collections.Feedback, "leader_decision = 'approved'")},
	}
	wrong := []struct{ name, content string }{
		{"说明.txt", "这不是扫描件，是一段文字。"},
		{"page.html", "<!doctype html><html><body><script>alert(1)</script></body></html>"},
		{"setup.exe", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + strings.Repeat("\x00", 64)},
		{"logo.svg", `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`},
		{"scans.zip", "PK\x03\x04\x14\x00\x00\x00\x08\x00" + strings.Repeat("\x00", 40)},
	}
	pdf := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
	seen := 0
	for _, c := range collections.All() {
		for _, f := range c.Fields {
			ff, ok := f.(*core.FileField)
			if !ok {
				continue
			}
			key := c.Name + "." + ff.Name
			u, ok := uploaders[key]
			if !ok || u.rec == nil {
				t.Errorf("%s: no uploader in this test: add one", key)
				continue
			}
			seen++
			cases := wrong
			if !contains(ff.MimeTypes, "application/pdf") {
				cases = append(cases, struct{ name, content string }{"申报表.pdf", pdf})
			}
			// one byte over the limit, of an allowed kind
			big := []byte(pdf)
			if !contains(ff.MimeTypes, "application/pdf") {
				big = []byte("\x89PNG\r\n\x1a\n")
			}
			big = append(big, bytes.Repeat([]byte{0}, int(ff.MaxSize)+1-len(big))...)
			for _, w := range cases {
				status, body := upload(env, u.email, u.rec, ff.Name, w.name, []byte(w.content))
				saysChinese(t, key+" ← "+w.name, status, body)
				if u.email != demo.SuperuserEmail && !strings.Contains(string(body), "文件类型不符合要求：只能上传") {
					t.Errorf("%s ← %s: the answer does not say what may be uploaded: %s", key, w.name, body)
				}
			}
			status, body := upload(env, u.email, u.rec, ff.Name, "大文件.bin", big)
			saysChinese(t, key+" ← too large", status, body)
			if u.email != demo.SuperuserEmail && !strings.Contains(string(body), "的上限") {
				t.Errorf("%s ← too large: %s", key, body)
			}
		}
	}
	if seen < 7 {
		t.Errorf("checked %d file fields", seen)
	}
	// and nothing was stored
	if r, _ := env.App.FindRecordById(collections.Applications, uploaders["applications.signed_scan"].rec.Id); r.GetString(collections.AppSignedScan) != "" {
		t.Errorf("a refused scan was stored: %s", r.GetString(collections.AppSignedScan))
	}
}

// TestFieldMessagesAreChinese: the validation messages of plain fields a
// person can meet (blank, too long, wrong format, not a choice, a missing
// relation, a number out of range) are Chinese over REST, with the limit
// in them.
func TestFieldMessagesAreChinese(t *testing.T) {
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	grid := "grid@yuetan.example"
	staff := "staff@yuetan.example"
	issue := func(k string, v any) map[string]any {
		m := map[string]any{"community": hc, "kind": "problem", "title": "路灯不亮", "source": "door_to_door"}
		m[k] = v
		return m
	}
	leader := env.User("secretary@yuetan.example").Id
	for _, c := range []struct {
		what, url, email string
		body             any
		want             string
	}{
		{"blank title", "/api/collections/issues/records", grid, issue("title", ""), "此项不能为空"},
		{"title too long", "/api/collections/issues/records", grid, issue("title", strings.Repeat("长", 201)), "不能超过 200 个字"},
		{"phone with letters", "/api/collections/issues/records", grid, issue("resident_phone", "abc"), "格式不正确"},
		{"kind not a choice", "/api/collections/issues/records", grid, issue("kind", "complaint"), "取值无效"},
		{"negative attendees", "/api/collections/meetings/records", staff,
			map[string]any{"community": hc, "kind": "wuju", "held_on": "2026-11-20 09:00:00.000Z", "attendees": -3}, "不能小于 0"},
		{"affected count not whole", "/api/collections/applications/records", staff,
			map[string]any{"community": hc, "applicant_kind": "community", "subject": "测试", "category": workflow.CategoryOtherHot, "target_leader": leader, "affected_count": 1.5}, "须为整数"},
	} {
		r := env.Do("POST", c.url, c.email, c.body)
		saysChinese(t, c.what, r.Status, r.Body)
		if !strings.Contains(r.String(), c.want) {
			t.Errorf("%s: %s lacks %q", c.what, r.String(), c.want)
		}
	}
	// PocketBase's own English top-level messages, when no field says more
	r := env.Do("GET", "/api/collections/issues/records/zzzzzzzzzzzzzzz", grid, nil)
	saysChinese(t, "a missing record", r.Status, r.Body)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
