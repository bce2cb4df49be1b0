package rollup_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/rollup"
)

// replicationScenarios are GET /api/replication as every kind of caller:
// superusers only (401 for a guest, 403 for every role, in Chinese), and
// the status answered reads only: no hook fires.
func replicationScenarios(env *testenv.Env, superuser []string) []tests.ApiScenario {
	forbidden := []string{`"status":403`, `"message":"复制状态仅供超级管理员查看。"`}
	scenarios := []tests.ApiScenario{
		{
			Name:           "a guest must sign in as a superuser",
			ExpectedStatus: http.StatusUnauthorized, ExpectedContent: []string{`"status":401`, `"message":"请先以超级管理员身份登录。"`},
		},
		{
			Name: "the superuser reads the status", Headers: env.Auth(demo.SuperuserEmail),
			ExpectedStatus: http.StatusOK, ExpectedContent: superuser,
		},
	}
	for _, who := range []string{"grid", "staff", "street", "wg", "secretary", "handler", "sup"} {
		scenarios = append(scenarios, tests.ApiScenario{
			Name: "a " + who + " may not", Headers: env.Auth(who + "@yuetan.example"),
			ExpectedStatus: http.StatusForbidden, ExpectedContent: forbidden, NotExpectedContent: []string{`"enabled"`},
		})
	}
	for i := range scenarios {
		scenarios[i].Method, scenarios[i].URL = http.MethodGet, "/api/replication"
		scenarios[i].ExpectedEvents = map[string]int{"*": 0}
		scenarios[i].TestAppFactory, scenarios[i].DisableTestAppCleanup = testenv.Factory(nil), true
	}
	return scenarios
}

// TestReplicationScenariosOff: with no roll-up database set, the route
// says the replicator is off.
func TestReplicationScenariosOff(t *testing.T) {
	t.Setenv(rollup.EnvPostgres, "") // whatever the environment says
	env := testenv.Accounts(t)
	for _, s := range replicationScenarios(env, []string{`"enabled":false`}) {
		s.Test(t)
	}
}

// TestReplicationScenariosOn: with the roll-up database set, the route
// tells the superuser the district, the database and the lag (the seed's
// changes are pending: nothing has run the replicator).
func TestReplicationScenariosOn(t *testing.T) {
	pg := newDB(t)
	t.Setenv(rollup.EnvPostgres, pg)
	t.Setenv(rollup.EnvDistrict, "330102")
	env := testenv.Accounts(t)
	on := []string{`"enabled":true`, `"district":"330102"`, `"postgres":"postgres://`, `"state":"starting"`, `"applied_seq":0`}
	for _, s := range replicationScenarios(env, on) {
		if s.ExpectedStatus == http.StatusOK {
			s.NotExpectedContent = []string{`"pending":0,`}
		}
		s.Test(t)
	}
}
