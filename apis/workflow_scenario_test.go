package apis_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
)

// seeded returns the id of the demo application with subject (the same in
// every scenario's app: they all start from one template).
func seeded(env *testenv.Env, subject string) string {
	env.T.Helper()
	a, err := env.App.FindFirstRecordByData(collections.Applications, collections.AppSubject, subject)
	if err != nil {
		env.T.Fatalf("application %s: %v", subject, err)
	}
	return a.Id
}

// TestWorkflowScenarios: GET /api/workflow serves the whole read-only
// workflow to anyone; it holds no person's data. It reads only.
func TestWorkflowScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.Accounts(t)
	doc := []string{`"transitions":[`, `"action":"submit"`, `"label":"报送街道"`, `"categories":`, `"satisfaction":`, `"eligibility":`}
	personal := []string{"1380000", "1390000", "1370000", "王小燕", "张建华"}
	scenarios := []tests.ApiScenario{
		{Name: "a guest", Headers: nil},
		{Name: "a grid worker", Headers: env.Auth("grid@yuetan.example")},
		{Name: "a leader", Headers: env.Auth("secretary@yuetan.example")},
		{Name: "the superuser", Headers: env.Auth(demo.SuperuserEmail)},
	}
	for _, s := range scenarios {
		s.Method, s.URL = http.MethodGet, "/api/workflow"
		s.ExpectedStatus, s.ExpectedContent, s.NotExpectedContent = http.StatusOK, doc, personal
		s.ExpectedEvents = map[string]int{"*": 0}
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}

// TestAvailableMovesScenarios: GET /api/workflow/available/{id} answers the
// caller's moves on an application the applications view rule lets them
// see, and a 404 (as the REST API) on any other; a guest is a 401. A
// residents' draft also answers its eligibility, without the co-signers'
// names or phones. It reads only.
func TestAvailableMovesScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.Accounts(t)
	forwarded := "/api/workflow/available/" + seeded(env, "中塘河划船段河道清淤") // 划船社区, waiting for the working group
	draft := "/api/workflow/available/" + seeded(env, "划船社区僵尸车清理")      // 划船社区 residents' draft, 7 co-signers
	hidden := "/api/workflow/available/" + seeded(env, "东海花园周边买菜难")     // 东海花园社区, submitted
	notFound := []string{`"status":404`, `"message":"约谈申请不存在或您无权查看。"`}
	coSigners := []string{"1370000", "张建华", "1幢101室"}
	none := map[string]int{"*": 0}
	scenarios := []tests.ApiScenario{
		{
			Name: "a guest must sign in", URL: forwarded,
			ExpectedStatus: http.StatusUnauthorized, ExpectedContent: []string{`"status":401`, `"message":"请先登录。"`},
		},
		{
			Name: "the working group may accept or decline a forwarded matter", URL: forwarded, Headers: env.Auth("wg@yuetan.example"),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"status":"forwarded"`, `"action":"accept"`, `"action":"decline"`},
		},
		{
			Name: "its community sees it and has no move", URL: forwarded, Headers: env.Auth("staff@yuetan.example"),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"status":"forwarded"`, `"moves":[]`},
			NotExpectedContent: []string{`"action":"accept"`},
		},
		{
			Name: "the superuser sees it", URL: forwarded, Headers: env.Auth(demo.SuperuserEmail),
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"status":"forwarded"`},
		},
		{
			Name: "another community may not see it", URL: forwarded, Headers: env.Auth("staff2@yuetan.example"),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound,
		},
		{
			Name: "a grid worker may not see a filed application", URL: forwarded, Headers: env.Auth("grid@yuetan.example"),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound,
		},
		{
			Name: "another street may not see it", URL: hidden, Headers: env.Auth("street@yuetan.example"),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound,
		},
		{
			Name: "the community submits its residents' draft, with its eligibility", URL: draft, Headers: env.Auth("staff@yuetan.example"),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"status":"draft"`, `"action":"submit"`, `"eligibility":`},
			NotExpectedContent: coSigners,
		},
		{
			Name: "its grid worker sees the draft and may not submit it", URL: draft, Headers: env.Auth("grid@yuetan.example"),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"status":"draft"`, `"eligibility":`},
			NotExpectedContent: append([]string{`"action":"submit"`}, coSigners...),
		},
		{
			Name: "the target leader may not see a draft", URL: draft, Headers: env.Auth("chief2@yuetan.example"),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound,
		},
		{
			Name: "an application that does not exist", URL: "/api/workflow/available/nosuchapp000000", Headers: env.Auth("wg@yuetan.example"),
			ExpectedStatus: http.StatusNotFound, ExpectedContent: notFound,
		},
	}
	for _, s := range scenarios {
		s.Method, s.ExpectedEvents = http.MethodGet, none
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}
