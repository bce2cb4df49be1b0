package tabletsync_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/internal/testenv"
	"yuetan/tabletsync/wire"
)

// syncHeaders are the headers of a sync request as email (schema "" omits
// the schema header).
func syncHeaders(env *testenv.Env, email, schema string) map[string]string {
	h := map[string]string{}
	if email != "" {
		h["Authorization"] = env.Token(email)
	}
	if schema != "" {
		h[wire.SchemaHeader] = schema
	}
	return h
}

// shown counts the records a pull as email hands out in env's app, the
// same as in every scenario's (one template): each is enriched once for
// its caller (hidden fields dropped), the pull's only hook event.
func shown(t *testing.T, env *testenv.Env, url, email string) int {
	t.Helper()
	res := call(t, env, http.MethodGet, url, email, nil, schemaNow, "")
	var page pullReply
	if err := json.Unmarshal(res.Body, &page); res.Status != http.StatusOK || err != nil {
		t.Fatalf("pull as %s: %s (%v)", email, res, err)
	}
	n := 0
	for _, c := range page.Changes {
		if c.Record != nil {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("pull as %s hands out nothing", email)
	}
	return n
}

// TestPullScenarios: GET /api/sync/pull hands each tablet what its list
// rules let it see — a grid worker its own community's residents, never
// another community's; a handler or a leader no resident's name or phone —
// and refuses a guest (401), an old or unknown client (426, 400) and a bad
// limit, cursor or device id (400), each with a Chinese message naming
// the field. A pull writes no record: its session lives in the sync
// tables, outside PocketBase's hooks; each record handed out is enriched
// for its caller once.
func TestPullScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	const first = "/api/sync/pull?limit=1000&client=tab-scenario"
	// demo residents: 张建华 13900000001 of 划船社区, 陈国华 13900000011 of 东海花园社区
	ownResidents, otherResidents := []string{`"resident_name":"张建华"`, `"resident_phone":"13900000001"`}, []string{"陈国华", "13900000011"}
	anyResident := []string{"1390000", `"resident_name":"张`, `"resident_phone":"1`}
	cases := []struct {
		who, schema string
		tests.ApiScenario
	}{
		{"", schemaNow, tests.ApiScenario{
			Name: "a guest must sign in", URL: first,
			ExpectedStatus: http.StatusUnauthorized, ExpectedContent: []string{`"status":401`, `"message":"请先登录。"`},
		}},
		{gridEmail, schemaNow, tests.ApiScenario{
			Name: "a grid worker pulls their community's residents and not another's", URL: first,
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    append([]string{`"changes":[`, `"collection":"issues"`, `"cursor":"`, `"more":false`}, ownResidents...),
			NotExpectedContent: otherResidents,
		}},
		{grid2Email, schemaNow, tests.ApiScenario{
			Name: "the other community's grid worker the other way round", URL: first,
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"resident_name":"陈国华"`, `"resident_phone":"13900000011"`},
			NotExpectedContent: []string{"张建华", "13900000001"},
		}},
		{handlerEmail, schemaNow, tests.ApiScenario{
			Name: "a handler pulls no resident's name or phone", URL: first,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"changes":[`}, NotExpectedContent: anyResident,
		}},
		{leaderEmail, schemaNow, tests.ApiScenario{
			Name: "a leader pulls no resident's name or phone", URL: first,
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"changes":[`}, NotExpectedContent: anyResident,
		}},
		{gridEmail, "", tests.ApiScenario{
			Name: "a client that does not say its version must upgrade", URL: first,
			ExpectedStatus:  http.StatusUpgradeRequired,
			ExpectedContent: []string{`"status":426`, `"message":"平板应用版本过旧`, `"schema":{"code":"schema_too_old"`},
		}},
		{gridEmail, "99", tests.ApiScenario{
			Name: "a client newer than the server", URL: first,
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`, `"message":"服务器尚不支持同步版本 99`, `"schema":{"code":"schema_too_new"`},
		}},
		{gridEmail, schemaNow, tests.ApiScenario{
			Name: "a page larger than allowed", URL: "/api/sync/pull?limit=1001",
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"message":"每页条数应为 1 到 1000 之间的整数。"`, `"limit":{"code":"invalid_limit"`},
		}},
		{gridEmail, schemaNow, tests.ApiScenario{
			Name: "a cursor the server never gave", URL: "/api/sync/pull?cursor=not-a-cursor",
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"message":"同步游标无效`, `"cursor":{"code":"invalid_cursor"`},
		}},
		{gridEmail, schemaNow, tests.ApiScenario{
			Name: "a device id with a space", URL: "/api/sync/pull?client=tab%20one",
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"message":"设备编号无效`, `"client":{"code":"invalid_client"`},
		}},
	}
	for _, c := range cases {
		s := c.ApiScenario
		s.Method, s.Headers = http.MethodGet, syncHeaders(env, c.who, c.schema)
		s.ExpectedEvents = map[string]int{"*": 0}
		if s.ExpectedStatus == http.StatusOK {
			s.ExpectedEvents["OnRecordEnrich"] = shown(t, env, s.URL, c.who)
		}
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}
