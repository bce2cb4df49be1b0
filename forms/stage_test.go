package forms_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"yuetan/internal/testenv"
)

// apiError is PocketBase's error shape.
type apiError struct {
	Status  int                       `json:"status"`
	Message string                    `json:"message"`
	Data    map[string]map[string]any `json:"data"`
}

func decodeError(t testing.TB, body []byte) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not PocketBase's error shape: %s", body)
	}
	return e
}

// TestStageNotReached: a form whose stage has not been reached is a 409
// with a Chinese message, never an empty form.
func TestStageNotReached(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	for _, c := range []struct {
		form, subject, who, message string
	}{
		{"notice", "中塘河划船段河道清淤", staff, "尚未受理"},          // forwarded
		{"notice", "东柳坊小区违章搭建纠纷", street, "未予受理"},        // declined
		{"talk", "中塘河划船段河道清淤", staff, "尚未商定约谈"},          // no talk yet
		{"talk", "划船社区变电箱噪音治理", staff, "约谈尚未举行"},         // scheduled, not held
		{"feedback", "划船社区变电箱噪音治理", staff, "尚未提交办理情况反馈"}, // no feedback yet
		{"signatures", storySubject, staff, "不是居民联名"},    // a community's own application
	} {
		a := application(env, c.subject)
		res := get(env, "/api/forms/"+c.form+"/"+a.Id, c.who)
		if res.status != http.StatusConflict {
			t.Errorf("%s of %s: status %d, want 409: %s", c.form, c.subject, res.status, res.body)
			continue
		}
		e := decodeError(t, res.body)
		if e.Status != 409 || !strings.Contains(e.Message, c.message) || !strings.HasSuffix(e.Message, "。") {
			t.Errorf("%s of %s: %+v, want a message with %q", c.form, c.subject, e, c.message)
		}
	}
	// the stage is told only to those who may view the record
	res := get(env, "/api/forms/notice/"+application(env, "中塘河划船段河道清淤").Id, staff2)
	if res.status != http.StatusNotFound {
		t.Errorf("out of scope: status %d, want 404", res.status)
	}
	// unknown forms and records
	for url, want := range map[string]int{
		"/api/forms/receipt/" + application(env, storySubject).Id: 404,
		"/api/forms/application/nosuchrecord00":                   404,
		"/api/forms/talk/nosuchrecord000":                         404,
		"/api/forms/bulletin/2026-11":                             404,
	} {
		if res := get(env, url, wg); res.status != want || !strings.Contains(string(res.body), "。") {
			t.Errorf("%s: status %d, want %d: %s", url, res.status, want, res.body)
		}
	}
}

// TestBulletinAccessAndMonth: the bulletin is for the working group,
// supervisors and superusers; a bad month is a 400 naming the field.
func TestBulletinAccessAndMonth(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	for who, want := range map[string]int{
		wg: 200, sup: 200, admin: 200,
		secretary: 403, staff: 403, street: 403, handler: 403, grid: 403, "": 401,
	} {
		res := get(env, "/api/forms/bulletin?month=2026-11", who)
		if res.status != want {
			t.Errorf("%s: status %d, want %d: %.200s", nameOf(who), res.status, want, res.body)
		}
		if want == 403 && !strings.Contains(decodeError(t, res.body).Message, "专门工作小组") {
			t.Errorf("%s: message %s", nameOf(who), res.body)
		}
	}
	for _, month := range []string{"", "2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "abc"} {
		res := get(env, "/api/forms/bulletin?month="+month, wg)
		if res.status != http.StatusBadRequest {
			t.Errorf("month %q: status %d, want 400", month, res.status)
			continue
		}
		e := decodeError(t, res.body)
		if !strings.HasPrefix(e.Message, "月份无效") || e.Data["month"]["code"] != "invalid_month" {
			t.Errorf("month %q: %+v", month, e)
		}
	}
}
