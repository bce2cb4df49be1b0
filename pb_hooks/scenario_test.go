package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"yuetan/collections"
	"yuetan/internal/testenv"
)

// scenarioApp is the fixed id of the application each scenario prepares.
const scenarioApp = "scenarioapp0001"

// factory returns a TestAppFactory whose app holds the demo district and
// an application with id scenarioApp in status.
func factory(status string) func(t testing.TB) *tests.TestApp {
	return func(t testing.TB) *tests.TestApp {
		env := testenv.Wrap(t, testenv.NewApp(t))
		c, _ := env.App.FindCachedCollectionByNameOrId(collections.Applications)
		r := core.NewRecord(c)
		r.Id = scenarioApp
		r.Load(map[string]any{"community": env.Org("DL-HC").Id, "applicant_kind": "community", "subject": "场景测试",
			"category": "other_hot", "target_leader": env.User(secretary).Id, "status": status})
		if status != "draft" {
			r.Set(collections.AppStreet, env.Org("DL").Id)
		}
		if err := env.SaveAsSystem(r); err != nil {
			t.Fatal(err)
		}
		return env.App
	}
}

// TestScenarios runs representative moves as PocketBase ApiScenarios, with
// the hook events each must (and must not) fire: a refused move stops before
// any write; an allowed one writes the record and its event.
func TestScenarios(t *testing.T) {
	t.Parallel()
	tokens := testenv.New(t)
	auth := func(email string) map[string]string { return map[string]string{"Authorization": tokens.Token(email)} }
	url := "/api/collections/applications/records/" + scenarioApp
	scenarios := []tests.ApiScenario{
		{
			Name: "street forwards its community's application", Method: http.MethodPatch, URL: url,
			Body: strings.NewReader(`{"status":"forwarded","decision_note":"报区专门工作小组"}`), Headers: auth(street),
			TestAppFactory: factory("submitted"), DisableTestAppCleanup: true,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"forwarded"`, `"review_due":"20`},
			ExpectedEvents: map[string]int{
				"OnRecordUpdateRequest": 1, "OnRecordUpdate": 1, "OnRecordUpdateExecute": 1, "OnRecordAfterUpdateSuccess": 1,
				"OnRecordCreate": 1, "OnRecordCreateExecute": 1, "OnRecordAfterCreateSuccess": 1, // the event row
			},
		},
		{
			Name: "another street may not", Method: http.MethodPatch, URL: url,
			Body: strings.NewReader(`{"status":"forwarded"}`), Headers: auth("street2@yuetan.example"),
			TestAppFactory: factory("submitted"), DisableTestAppCleanup: true,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"data":{}`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0, "OnRecordCreate": 0},
		},
		{
			Name: "the working group may not skip the street", Method: http.MethodPatch, URL: url,
			Body: strings.NewReader(`{"status":"accepted"}`), Headers: auth(wg),
			TestAppFactory: factory("submitted"), DisableTestAppCleanup: true,
			ExpectedStatus:  400,
			ExpectedContent: []string{`不允许的状态变更`, `"code":"transition_not_allowed"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 1, "OnRecordUpdateExecute": 0, "OnRecordCreate": 0},
		},
		{
			Name: "a grid worker may not submit", Method: http.MethodPatch, URL: url,
			Body: strings.NewReader(`{"status":"submitted"}`), Headers: auth(grid),
			TestAppFactory: factory("draft"), DisableTestAppCleanup: true,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"data":{}`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0, "OnRecordCreate": 0},
		},
		{
			Name: "the supervisor closes out a resolved matter", Method: http.MethodPatch, URL: url,
			Body: strings.NewReader(`{"status":"closed","decision_note":"销号"}`), Headers: auth(sup),
			TestAppFactory: factory("resolved"), DisableTestAppCleanup: true,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"closed"`},
			ExpectedEvents: map[string]int{
				"OnRecordUpdateRequest": 1, "OnRecordUpdateExecute": 1,
				"OnRecordCreate": 2, // the event row and the 销号 supervision
			},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
