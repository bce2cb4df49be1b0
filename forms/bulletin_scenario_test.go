package forms_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/internal/testenv"
)

// TestBulletinScenarios: GET /api/forms/bulletin?month= prints the month's
// district-wide supervision bulletin for the working group, supervisors
// and superusers (registering the print); a leader, who reads only their
// own figures, and every other role get a Chinese 403, a guest a 401 and a
// bad month a 400 naming it — writing nothing.
func TestBulletinScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.Accounts(t)
	const url = "/api/forms/bulletin?month=2026-11"
	pdf := []string{"%PDF-1."}
	forbidden := []string{`"status":403`, `"message":"月度督查通报仅供专门工作小组和督查查看。"`}
	none := map[string]int{"*": 0}
	scenarios := []tests.ApiScenario{
		{
			Name: "a guest must sign in", URL: url,
			ExpectedStatus: http.StatusUnauthorized, ExpectedContent: []string{`"status":401`, `"message":"请先登录。"`}, ExpectedEvents: none,
		},
		{Name: "the working group prints it", URL: url, Headers: env.Auth(wg), ExpectedStatus: http.StatusOK, ExpectedContent: pdf, ExpectedEvents: printed,
			AfterTestFunc: registeredTo(env, "bulletin", wg)},
		{Name: "a supervisor prints it", URL: url, Headers: env.Auth(sup), ExpectedStatus: http.StatusOK, ExpectedContent: pdf, ExpectedEvents: printed,
			AfterTestFunc: registeredTo(env, "bulletin", sup)},
		{Name: "the superuser prints it", URL: url, Headers: env.Auth(admin), ExpectedStatus: http.StatusOK, ExpectedContent: pdf, ExpectedEvents: printed,
			AfterTestFunc: registeredTo(env, "bulletin", admin)},
	}
	for _, who := range []string{secretary, staff, street, handler, grid} {
		scenarios = append(scenarios, tests.ApiScenario{
			Name: nameOf(who) + " may not", URL: url, Headers: env.Auth(who),
			ExpectedStatus: http.StatusForbidden, ExpectedContent: forbidden, NotExpectedContent: pdf, ExpectedEvents: none,
		})
	}
	for _, bad := range []struct{ name, month, message string }{
		{"a month that does not exist", "2026-13", `"message":"月份无效：月份 2026-13 不存在。"`},
		{"a date for a month", "2026-11-01", `"message":"月份无效：月份格式应为 YYYY-MM，例如 2026-11。"`},
		{"no month", "", `"message":"月份无效：月份格式应为 YYYY-MM，例如 2026-11。"`},
	} {
		scenarios = append(scenarios, tests.ApiScenario{
			Name: bad.name, URL: "/api/forms/bulletin?month=" + bad.month, Headers: env.Auth(sup),
			ExpectedStatus: http.StatusBadRequest, ExpectedContent: []string{bad.message, `"month":{"code":"invalid_month"`},
			NotExpectedContent: pdf, ExpectedEvents: none,
		})
	}
	for _, s := range scenarios {
		s.Method = http.MethodGet
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}
