package tabletsync_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/internal/testenv"
)

// issuePush is a push body creating one issue with a fixed id in the
// community with id (as a tablet's first visit to a resident).
func issuePush(community string) string {
	return `{"client":"tab-scenario","mutations":[{"id":"m-scenario-1","collection":"issues","op":"create","record":"scenissue000001",` +
		`"data":{"community":"` + community + `","kind":"problem","title":"场景测试：楼道堆物","source":"door_to_door",` +
		`"resident_name":"场景居民","resident_phone":"13911112222"}}]}`
}

// TestPushScenarios: POST /api/sync/push applies a grid worker's new issue
// in their own community through the record's save hooks (one create and
// its hooks, nothing else) and rejects, per mutation and writing nothing,
// one in another community or from a role that may not create issues; a
// body that is not a push, or a change to a collection or field a tablet
// may not send, is a 400 for the whole push with a Chinese message naming
// the field, before any write; a guest is a 401 and an old client a 426.
func TestPushScenarios(t *testing.T) {
	t.Parallel()
	env := testenv.Accounts(t)
	own, other := issuePush(env.Org("DL-HC").Id), issuePush(env.Org("BH-DH").Id)
	none := map[string]int{"*": 0}
	// one record saved through every save hook, and shown to its writer
	created := map[string]int{"*": 0,
		"OnRecordCreate": 1, "OnRecordValidate": 1, "OnRecordCreateExecute": 1, "OnRecordAfterCreateSuccess": 1,
		"OnModelCreate": 1, "OnModelValidate": 1, "OnModelCreateExecute": 1, "OnModelAfterCreateSuccess": 1,
		"OnRecordEnrich": 1}
	invalid := []string{`"status":400`, `"message":"同步请求中有无效的变更，本次未写入任何数据。"`}
	rejected := []string{`"status":"rejected"`, `"id":"m-scenario-1"`}
	scenarios := []tests.ApiScenario{
		{
			Name: "a guest must sign in", Body: strings.NewReader(own), Headers: syncHeaders(env, "", schemaNow),
			ExpectedStatus: http.StatusUnauthorized, ExpectedContent: []string{`"status":401`, `"message":"请先登录。"`}, ExpectedEvents: none,
		},
		{
			Name: "a grid worker records an issue in their community", Body: strings.NewReader(own), Headers: syncHeaders(env, gridEmail, schemaNow),
			ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"status":"applied"`, `"id":"m-scenario-1"`, `"id":"scenissue000001"`,
				`"title":"场景测试：楼道堆物"`, `"resident_name":"场景居民"`},
			ExpectedEvents: created,
		},
		{
			Name: "not in another community", Body: strings.NewReader(other), Headers: syncHeaders(env, gridEmail, schemaNow),
			ExpectedStatus: http.StatusOK, ExpectedContent: rejected,
			NotExpectedContent: []string{`"status":"applied"`, "场景居民", "13911112222"},
			ExpectedEvents:     none,
		},
		{
			Name: "a handler may not record issues", Body: strings.NewReader(own), Headers: syncHeaders(env, handlerEmail, schemaNow),
			ExpectedStatus: http.StatusOK, ExpectedContent: rejected,
			NotExpectedContent: []string{`"status":"applied"`, "场景居民", "13911112222"},
			ExpectedEvents:     none,
		},
		{
			Name: "an empty push changes nothing", Body: strings.NewReader(`{"client":"tab-scenario","mutations":[]}`), Headers: syncHeaders(env, gridEmail, schemaNow),
			ExpectedStatus: http.StatusOK, ExpectedContent: []string{`"results":[]`}, ExpectedEvents: none,
		},
		{
			Name: "an old client must upgrade first", Body: strings.NewReader(own), Headers: syncHeaders(env, gridEmail, ""),
			ExpectedStatus:  http.StatusUpgradeRequired,
			ExpectedContent: []string{`"status":426`, `"schema":{"code":"schema_too_old"`}, ExpectedEvents: none,
		},
		{
			Name: "a body cut short", Body: strings.NewReader(`{"client":"tab-scenario","mutations":[`), Headers: syncHeaders(env, gridEmail, schemaNow),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"message":"同步请求格式错误，本次未写入任何数据。"`, `"body":{"code":"invalid_json"`}, ExpectedEvents: none,
		},
		{
			Name: "a field the protocol does not have", Body: strings.NewReader(`{"client":"tab-scenario","mutations":[],"force":true}`), Headers: syncHeaders(env, gridEmail, schemaNow),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"body":{"code":"unknown_field"`, `请求中有未知字段`}, ExpectedEvents: none,
		},
		{
			Name: "a collection a tablet may not write", Headers: syncHeaders(env, gridEmail, schemaNow),
			Body:           strings.NewReader(strings.Replace(own, `"collection":"issues"`, `"collection":"events"`, 1)),
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{`"message":"同步请求格式错误，本次未写入任何数据。"`,
				`"mutations":{"0":{"collection":{"code":"collection_not_pushable","message":"该数据不能从平板提交：events`},
			ExpectedEvents: none,
		},
		{
			Name: "a field the issues do not have", Headers: syncHeaders(env, gridEmail, schemaNow),
			Body:            strings.NewReader(strings.Replace(own, `"kind":"problem"`, `"kind":"problem","priority":"high"`, 1)),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: append(invalid, `"data":{"code":"unknown_field","message":"没有这个字段：priority`), ExpectedEvents: none,
		},
		{
			Name: "a field only the server writes", Headers: syncHeaders(env, gridEmail, schemaNow),
			Body:            strings.NewReader(strings.Replace(own, `"kind":"problem"`, `"kind":"problem","created":"2020-01-01 00:00:00.000Z"`, 1)),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: append(invalid, `"data":{"code":"field_not_writable","message":"该字段由服务器设置，不能提交：created`), ExpectedEvents: none,
		},
		{
			// only the workflow links an issue to an application (collections.ServerFields)
			Name: "a link to an application is the server's: dropped, the issue kept", Headers: syncHeaders(env, gridEmail, schemaNow),
			Body:               strings.NewReader(strings.Replace(own, `"kind":"problem"`, `"kind":"problem","application":"scenarioapp0001"`, 1)),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"status":"applied"`, `"application":""`},
			NotExpectedContent: []string{"scenarioapp0001"},
			ExpectedEvents:     created,
		},
	}
	for _, s := range scenarios {
		s.Method, s.URL = http.MethodPost, "/api/sync/push"
		s.TestAppFactory, s.DisableTestAppCleanup = testenv.Factory(nil), true
		s.Test(t)
	}
}
