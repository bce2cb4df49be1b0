package forms_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
)

// lastPrint is the newest on-demand print of form for record id.
func lastPrint(env *testenv.Env, form, id string) *core.Record {
	env.T.Helper()
	rows, err := env.App.FindRecordsByFilter("form_prints", "form = {:f} && record_id = {:id} && archive = false", "-created,-produced_at", 1, 0,
		map[string]any{"f": form, "id": id})
	if err != nil || len(rows) == 0 {
		env.T.Fatalf("no print of %s %s: %v", form, id, err)
	}
	return rows[0]
}

// verifyCode asks the public verify route about code as a guest.
func verifyCode(env *testenv.Env, code string) map[string]any {
	env.T.Helper()
	res := get(env, "/api/forms/verify/"+code, "")
	if res.status != 200 {
		env.T.Fatalf("verify %s: status %d: %s", code, res.status, res.body)
	}
	var v map[string]any
	if err := json.Unmarshal(res.body, &v); err != nil {
		env.T.Fatal(err)
	}
	return v
}

// TestVerify: a printed copy's code tells anyone which form, its serial,
// who produced it and when, and whether the record has changed since —
// nothing of the record's content.
func TestVerify(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := application(env, storySubject)
	serial := a.GetString(collections.AppSerial)
	before := time.Now().Add(-time.Second)
	if res := get(env, "/api/forms/application/"+a.Id, staff); res.status != 200 {
		t.Fatalf("print: %d", res.status)
	}
	row := lastPrint(env, "application", a.Id)
	code := row.GetString("code")
	if len(code) != 10 || strings.ContainsAny(code, "01OI") {
		t.Errorf("code %q: want 10 unambiguous characters", code)
	}
	if row.GetString("produced_by") != env.User(staff).Id || len(row.GetString("content_hash")) != 64 {
		t.Errorf("print row: %v", row.FieldsData())
	}
	v := verifyCode(env, code)
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "archive,changed,code,form,message,produced_at,produced_by,serial" {
		t.Errorf("verify reveals %v", keys)
	}
	if v["form"] != "群众约谈登记申报表" || v["serial"] != serial || v["produced_by"] != "陈静" || v["changed"] != false || v["archive"] != false {
		t.Errorf("verify: %v", v)
	}
	at, err := time.Parse("2006-01-02 15:04:05.000Z", v["produced_at"].(string))
	if err != nil || at.Before(before) || at.After(time.Now()) {
		t.Errorf("produced_at %v: %v", v["produced_at"], err)
	}
	body := get(env, "/api/forms/verify/"+code, "").body
	if strings.Contains(string(body), storySubject) || strings.Contains(string(body), a.Id) {
		t.Errorf("verify reveals the record: %s", body)
	}
	// as read off paper: lower case, grouped
	if v := verifyCode(env, strings.ToLower(code[:5]+"-"+code[5:])); v["code"] != code {
		t.Errorf("normalised code: %v", v)
	}
	// a browser gets a page
	req := httptest.NewRequest(http.MethodGet, "/api/forms/verify/"+code, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	rec := httptest.NewRecorder()
	env.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), "与系统中的记录一致") {
		t.Errorf("HTML verify: %d %s", rec.Code, rec.Body.String())
	}

	// attaching the signed scan changes nothing printed
	scan := multipartPatch(t, env, "/api/collections/applications/records/"+a.Id, staff, "signed_scan", "scan.pdf", onePagePDF(t))
	if scan.status != 200 {
		t.Fatalf("signed scan: %d %s", scan.status, scan.body)
	}
	if v := verifyCode(env, code); v["changed"] != false {
		t.Errorf("after the scan: %v", v)
	}

	// editing a draft after printing it changes it
	draft := application(env, "利用闲置用房建设社区食堂")
	if res := get(env, "/api/forms/application/"+draft.Id, staff2); res.status != 200 {
		t.Fatalf("print draft: %d", res.status)
	}
	draftCode := lastPrint(env, "application", draft.Id).GetString("code")
	if v := verifyCode(env, draftCode); v["changed"] != false || v["produced_by"] != "刘洋" || v["serial"] != "" {
		t.Errorf("draft before the edit: %v", v)
	}
	if res := env.Do("PATCH", "/api/collections/applications/records/"+draft.Id, staff2, map[string]any{"description": "闲置用房已腾空，可改建社区食堂。"}); res.Status != 200 {
		t.Fatalf("edit draft: %d %s", res.Status, res)
	}
	if v := verifyCode(env, draftCode); v["changed"] != true || !strings.Contains(v["message"].(string), "变更") {
		t.Errorf("draft after the edit: %v", v)
	}

	// a talk record: unchanged, then its leader corrects the place
	replied := application(env, "东柳坊小区物业管理问题")
	talk := first(env, collections.Talks, replied.Id)
	if res := get(env, "/api/forms/talk/"+talk.Id, "npc@yuetan.example"); res.status != 200 {
		t.Fatalf("print talk: %d", res.status)
	}
	talkCode := lastPrint(env, "talk", talk.Id).GetString("code")
	if v := verifyCode(env, talkCode); v["changed"] != false || v["form"] != "群众约谈情况登记表" || v["produced_by"] != "何建国" {
		t.Errorf("talk before the edit: %v", v)
	}
	if res := env.Do("PATCH", "/api/collections/talks/records/"+talk.Id, "npc@yuetan.example", map[string]any{"place": "东柳坊社区党群服务中心"}); res.Status != 200 {
		t.Fatalf("edit talk: %d %s", res.Status, res)
	}
	if v := verifyCode(env, talkCode); v["changed"] != true {
		t.Errorf("talk after the edit: %v", v)
	}

	// the bulletin is recomputed as of its printing
	if res := get(env, "/api/forms/bulletin?month="+time.Now().Format("2006-01"), wg); res.status != 200 {
		t.Fatalf("bulletin: %d", res.status)
	}
	if v := verifyCode(env, lastPrint(env, "bulletin", time.Now().Format("2006-01")).GetString("code")); v["changed"] != false || v["produced_by"] != "林涛" || v["form"] != "督查通报" {
		t.Errorf("bulletin: %v", v)
	}

	// unknown and malformed codes
	for _, c := range []string{"ABCDEFGHJK", "ABC", "0OIL1ABCDE", "%E4%B8%AD"} {
		res := get(env, "/api/forms/verify/"+c, "")
		if res.status != 404 || !strings.Contains(decodeError(t, res.body).Message, "验证码不存在") {
			t.Errorf("code %q: %d %s", c, res.status, res.body)
		}
	}
	// the register itself is superusers' only
	if res := get(env, "/api/collections/form_prints/records", sup); res.status != 403 {
		t.Errorf("form_prints list as a supervisor: %d", res.status)
	}
	if res := get(env, "/api/collections/form_prints/records", admin); res.status != 200 {
		t.Errorf("form_prints list as the superuser: %d", res.status)
	}
}
