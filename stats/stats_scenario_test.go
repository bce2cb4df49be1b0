package stats_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/demo"
	"yuetan/internal/testenv"
)

// TestStatsScenarios: GET /api/stats is for the working group, supervisors
// and superusers (the district's figures, collection work included) and
// leaders (their own applications only, no collection work); every other
// role is a 403 and a guest a 401, and a bad range a 400 naming it, all
// in Chinese. The figures never hold residents' names or phones. It reads
// only: no hook fires.
func TestStatsScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.Accounts(t)
	const all = "/api/stats?from=2000-01-01&to=2100-12-31"
	district := []string{`"from":"2000-01-01"`, `"to":"2100-12-31"`, `"communities":`, `"by_street":[`,
		`"name":"划船社区"`, `"name":"东海花园社区"`}
	personal := []string{"1390000", "1380000", "1370000", "张建华", "陈国华", "resident"}
	forbidden := []string{`"status":403`, `"message":"统计数据仅供专门工作小组、督查和领导查看。"`}
	badRange := []string{`"status":400`, `"message":"统计区间无效：日期格式应为 YYYY-MM-DD，且结束日期不早于开始日期。"`, `"range":{"code":"invalid_range"`}
	scenarios := []tests.ApiScenario{
		{
			Name: "a guest must sign in", URL: all,
			ExpectedStatus: http.StatusUnauthorized, ExpectedContent: []string{`"status":401`, `"message":"请先登录。"`},
		},
		{Name: "a grid worker may not", URL: all, Headers: env.Auth("grid@yuetan.example"), ExpectedStatus: http.StatusForbidden, ExpectedContent: forbidden},
		{Name: "community staff may not", URL: all, Headers: env.Auth("staff@yuetan.example"), ExpectedStatus: http.StatusForbidden, ExpectedContent: forbidden},
		{Name: "a street reviewer may not", URL: all, Headers: env.Auth("street@yuetan.example"), ExpectedStatus: http.StatusForbidden, ExpectedContent: forbidden},
		{Name: "a handler may not", URL: all, Headers: env.Auth("handler@yuetan.example"), ExpectedStatus: http.StatusForbidden, ExpectedContent: forbidden},
		{
			Name: "the working group reads the district's figures", URL: all, Headers: env.Auth("wg@yuetan.example"),
			ExpectedStatus: http.StatusOK, ExpectedContent: district, NotExpectedContent: append([]string{`"communities":0`}, personal...),
		},
		{
			Name: "a supervisor reads the district's figures", URL: all, Headers: env.Auth("sup@yuetan.example"),
			ExpectedStatus: http.StatusOK, ExpectedContent: district, NotExpectedContent: personal,
		},
		{
			Name: "the superuser reads the district's figures", URL: all, Headers: env.Auth(demo.SuperuserEmail),
			ExpectedStatus: http.StatusOK, ExpectedContent: district, NotExpectedContent: personal,
		},
		{
			// 周明远 leads 划船社区's matters; 东海花园社区's are 许文华's
			Name: "a leader reads only their own applications", URL: all, Headers: env.Auth("secretary@yuetan.example"),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"name":"划船社区"`, `"communities":0`, `"problems":0`},
			NotExpectedContent: append([]string{`"name":"东海花园社区"`}, personal...),
		},
		{
			Name: "a month that does not exist", URL: "/api/stats?from=2026-13-01", Headers: env.Auth("sup@yuetan.example"),
			ExpectedStatus: http.StatusBadRequest, ExpectedContent: badRange,
		},
		{
			Name: "a range that ends before it starts", URL: "/api/stats?from=2026-11-30&to=2026-11-01", Headers: env.Auth("sup@yuetan.example"),
			ExpectedStatus: http.StatusBadRequest, ExpectedContent: badRange,
		},
		{
			Name: "a word for a date", URL: "/api/stats?to=yesterday", Headers: env.Auth("wg@yuetan.example"),
			ExpectedStatus: http.StatusBadRequest, ExpectedContent: badRange,
		},
		{
			// the range is checked after who asks: a refused caller learns nothing
			Name: "a refused caller with a bad range is still refused", URL: "/api/stats?from=nonsense", Headers: env.Auth("staff@yuetan.example"),
			ExpectedStatus: http.StatusForbidden, ExpectedContent: forbidden,
		},
	}
	for _, s := range scenarios {
		s.Method, s.ExpectedEvents = http.MethodGet, map[string]int{"*": 0}
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}
