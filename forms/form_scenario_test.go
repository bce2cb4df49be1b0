package forms_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/forms"
	"yuetan/internal/testenv"
)

// printed are the hook events of one on-demand print: the PDF is
// registered in form_prints (its verification code) through the record's
// save hooks, and nothing else is written.
var printed = map[string]int{"*": 0,
	"OnRecordCreate": 1, "OnRecordValidate": 1, "OnRecordCreateExecute": 1, "OnRecordAfterCreateSuccess": 1,
	"OnModelCreate": 1, "OnModelValidate": 1, "OnModelCreateExecute": 1, "OnModelAfterCreateSuccess": 1}

// registeredTo returns an AfterTestFunc checking that the one record a
// print wrote is its form_prints row, registered to email.
func registeredTo(env *testenv.Env, form, email string) func(t testing.TB, app *tests.TestApp, res *http.Response) {
	want := forms.ProducerSuperuser
	if email != admin {
		want = env.User(email).Id
	}
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		rows, err := app.FindRecordsByFilter(forms.FormPrints, "form = {:f} && archive = false", "-created", 0, 0, map[string]any{"f": form})
		if err != nil || len(rows) == 0 {
			t.Fatalf("no print of %s registered: %v", form, err)
		}
		if got := rows[0].GetString("produced_by"); got != want {
			t.Errorf("the print is registered to %q, want %q (%s)", got, want, email)
		}
	}
}

// TestFormScenarios: GET /api/forms/{form}/{id} prints a form for whoever
// may view its records by the collections' view rules (registering the
// print, and writing nothing else), is a 404 for anyone else as the REST
// API, a 401 for a guest or a bad printing link, and a Chinese 404 or 409
// for a form that does not exist or whose stage is not reached — writing
// nothing.
func TestFormScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.Accounts(t)
	story := application(env, storySubject).Id   // 划船社区, closed, led by 周明远, handled by 区城管局
	waiting := application(env, "中塘河划船段河道清淤").Id // forwarded, not yet accepted
	tok, err := env.User(staff).NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	pdf := []string{"%PDF-1."}
	notFound := []string{`"status":404`, `"message":"`}
	none := map[string]int{"*": 0}
	scenarios := []tests.ApiScenario{
		{
			Name: "a guest must sign in", URL: "/api/forms/application/" + story,
			ExpectedStatus: http.StatusUnauthorized, ExpectedContent: []string{`"status":401`, `"message":"请先登录。"`}, ExpectedEvents: none,
		},
		{
			Name: "the community prints its application", URL: "/api/forms/application/" + story, Headers: env.Auth(staff),
			ExpectedStatus: http.StatusOK, ExpectedContent: pdf, ExpectedEvents: printed,
			AfterTestFunc: registeredTo(env, "application", staff),
		},
		{
			Name: "its leader prints the talk record", URL: "/api/forms/talk/" + story, Headers: env.Auth(secretary),
			ExpectedStatus: http.StatusOK, ExpectedContent: pdf, ExpectedEvents: printed,
			AfterTestFunc: registeredTo(env, "talk", secretary),
		},
		{
			Name: "its handling unit prints the feedback", URL: "/api/forms/feedback/" + story, Headers: env.Auth(handler),
			ExpectedStatus: http.StatusOK, ExpectedContent: pdf, ExpectedEvents: printed,
			AfterTestFunc: registeredTo(env, "feedback", handler),
		},
		{
			Name: "the working group prints the notice", URL: "/api/forms/notice/" + story, Headers: env.Auth(wg),
			ExpectedStatus: http.StatusOK, ExpectedContent: pdf, ExpectedEvents: printed,
			AfterTestFunc: registeredTo(env, "notice", wg),
		},
		{
			Name: "a printing link carries its holder's token", URL: "/api/forms/application/" + story + "?token=" + url.QueryEscape(tok),
			ExpectedStatus: http.StatusOK, ExpectedContent: pdf, ExpectedEvents: printed,
			AfterTestFunc: registeredTo(env, "application", staff),
		},
		{
			Name: "another community may not", URL: "/api/forms/application/" + story, Headers: env.Auth(staff2),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound, NotExpectedContent: pdf, ExpectedEvents: none,
		},
		{
			Name: "a grid worker may not print a filed application", URL: "/api/forms/application/" + story, Headers: env.Auth(grid),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound, NotExpectedContent: pdf, ExpectedEvents: none,
		},
		{
			Name: "another leader may not", URL: "/api/forms/talk/" + story, Headers: env.Auth(mayor),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound, NotExpectedContent: pdf, ExpectedEvents: none,
		},
		{
			Name: "another handling unit may not", URL: "/api/forms/feedback/" + story, Headers: env.Auth(handler2),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound, NotExpectedContent: pdf, ExpectedEvents: none,
		},
		{
			Name: "a printing link with a bad token", URL: "/api/forms/application/" + story + "?token=forged",
			ExpectedStatus:  http.StatusUnauthorized,
			ExpectedContent: []string{`"message":"打印链接中的登录凭证无效或已过期，请重新登录后再打开。"`}, NotExpectedContent: []string{"forged"}, ExpectedEvents: none,
		},
		{
			Name: "a form that does not exist", URL: "/api/forms/receipt/" + story, Headers: env.Auth(wg),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: []string{`"message":"没有这种表格：receipt。"`}, ExpectedEvents: none,
		},
		{
			Name: "the bulletin is printed by month", URL: "/api/forms/bulletin/2026-11", Headers: env.Auth(wg),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: []string{`"message":"督查通报请按月份打印：/api/forms/bulletin?month=YYYY-MM。"`}, ExpectedEvents: none,
		},
		{
			Name: "an application that does not exist", URL: "/api/forms/application/nosuchrecord00", Headers: env.Auth(wg),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound, ExpectedEvents: none,
		},
		{
			Name: "a notice before acceptance", URL: "/api/forms/notice/" + waiting, Headers: env.Auth(staff),
			ExpectedStatus: http.StatusConflict, ExpectedContent: []string{`"status":409`, `尚未受理`}, NotExpectedContent: pdf, ExpectedEvents: none,
		},
		{
			// the stage is told only to those who may view the record
			Name: "a notice before acceptance, out of scope", URL: "/api/forms/notice/" + waiting, Headers: env.Auth(staff2),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound, NotExpectedContent: []string{`尚未受理`}, ExpectedEvents: none,
		},
	}
	for _, s := range scenarios {
		s.Method = http.MethodGet
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}
