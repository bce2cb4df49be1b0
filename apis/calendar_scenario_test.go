package apis_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/internal/testenv"
)

// TestCalendarScenarios: GET /api/calendar/add answers anyone by the app's
// calendar (the National Day holiday in calendar_days is skipped) and
// refuses a bad date or day count with a Chinese 400 naming the field.
// It reads only: no hook fires.
func TestCalendarScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.Accounts(t)
	none := map[string]int{"*": 0}
	scenarios := []tests.ApiScenario{
		{
			Name: "a guest counts working days across the holiday", Method: http.MethodGet,
			URL:             "/api/calendar/add?from=2026-09-30&days=1",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"date":"2026-10-08"`, `"from":"2026-09-30"`, `"days":1`},
			ExpectedEvents:  none,
		},
		{
			Name: "a grid worker gets the same answer", Method: http.MethodGet,
			URL: "/api/calendar/add?from=2026-09-30&days=1", Headers: env.Auth("grid@yuetan.example"),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"date":"2026-10-08"`},
			ExpectedEvents:  none,
		},
		{
			Name: "no working days is the day itself", Method: http.MethodGet,
			URL:             "/api/calendar/add?from=2026-10-08&days=0",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"date":"2026-10-08"`, `"days":0`},
			ExpectedEvents:  none,
		},
		{
			Name: "a date that does not exist", Method: http.MethodGet,
			URL:             "/api/calendar/add?from=2026-02-30&days=1",
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"message":"日期格式应为 YYYY-MM-DD`, `日期无效：2026-02-30`, `"from":{"code":"invalid_date"`},
			ExpectedEvents:  none,
		},
		{
			Name: "no date at all", Method: http.MethodGet,
			URL:             "/api/calendar/add?days=1",
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"from":{"code":"invalid_date"`},
			ExpectedEvents:  none,
		},
		{
			Name: "days not a number", Method: http.MethodGet,
			URL:             "/api/calendar/add?from=2026-09-30&days=three",
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"days":{"code":"invalid_days"`, `天数无效：three`},
			ExpectedEvents:  none,
		},
		{
			Name: "more days than a year", Method: http.MethodGet,
			URL:             "/api/calendar/add?from=2026-09-30&days=367",
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"days":{"code":"invalid_days"`},
			ExpectedEvents:  none,
		},
		{
			Name: "negative days", Method: http.MethodGet,
			URL:             "/api/calendar/add?from=2026-09-30&days=-1",
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"days":{"code":"invalid_days"`},
			ExpectedEvents:  none,
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}
