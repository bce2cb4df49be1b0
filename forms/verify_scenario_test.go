package forms_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/internal/testenv"
)

// TestVerifyScenarios: GET /api/forms/verify/{code} is public: anyone
// holding a printed copy learns which form it is, its serial, who produced
// it and whether the record has changed since — never the record's content
// or a resident's name or phone — as JSON or, for a browser, a page; a
// code the system never issued is a Chinese 404. It reads only.
func TestVerifyScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.Accounts(t)
	// the seed's archive copy of its closed story's application
	a := application(env, storySubject)
	rows, err := env.App.FindRecordsByFilter("form_prints", "form = 'application' && record_id = {:id} && archive = true", "", 1, 0,
		map[string]any{"id": a.Id})
	if err != nil || len(rows) != 1 {
		t.Fatalf("no archive copy of %s: %v", storySubject, err)
	}
	code := rows[0].GetString("code")
	private := []string{storySubject, a.Id, "张建华", "1390000", "1370000", "1380000"}
	unknown := []string{`"status":404`, `"message":"验证码不存在：这份表格不是本系统生成的，或验证码抄写有误。"`}
	scenarios := []tests.ApiScenario{
		{
			Name: "a guest checks a printed copy", URL: "/api/forms/verify/" + code,
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"code":"` + code + `"`, `"form":"群众约谈登记申报表"`, `"serial":"` + a.GetString("serial") + `"`, `"archive":true`},
			NotExpectedContent: private,
		},
		{
			Name: "a code copied by hand, lower case with a dash", URL: "/api/forms/verify/" + strings.ToLower(code[:5]) + "-" + strings.ToLower(code[5:]),
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"code":"` + code + `"`}, NotExpectedContent: private,
		},
		{
			Name: "a browser gets a page", URL: "/api/forms/verify/" + code, Headers: map[string]string{"Accept": "text/html"},
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{"<title>表格核验 " + code + "</title>", "群众约谈登记申报表"}, NotExpectedContent: private,
		},
		{
			Name: "a signed-in user learns no more", URL: "/api/forms/verify/" + code, Headers: env.Auth(wg),
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"code":"` + code + `"`}, NotExpectedContent: private,
		},
		{Name: "a code never issued", URL: "/api/forms/verify/ABCDEFGHJK", ExpectedStatus: http.StatusNotFound, ExpectedContent: unknown},
		{Name: "not a code at all", URL: "/api/forms/verify/x", ExpectedStatus: http.StatusNotFound, ExpectedContent: unknown},
	}
	for _, s := range scenarios {
		s.Method, s.ExpectedEvents = http.MethodGet, map[string]int{"*": 0}
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}
