package testenv

import (
	"testing"

	"github.com/pocketbase/pocketbase/tests"
)

// Factory returns a TestAppFactory for tests.ApiScenario: a fresh app (full
// wiring, demo district) for each scenario, arranged by prepare (nil: as
// seeded). The app is cleaned up with the scenario's test, so scenarios
// set DisableTestAppCleanup.
func Factory(prepare func(env *Env)) func(t testing.TB) *tests.TestApp {
	return func(t testing.TB) *tests.TestApp {
		env := Wrap(t, NewApp(t))
		if prepare != nil {
			prepare(env)
		}
		return env.App
	}
}

// Auth returns the headers of a request as the demo user with email (""
// is a guest: no header). Every app starts from the same template, so a
// token made by one Env is valid in every scenario's app.
func (e *Env) Auth(email string) map[string]string {
	e.T.Helper()
	if email == "" {
		return nil
	}
	return map[string]string{"Authorization": e.Token(email)}
}

// Accounts returns an Env, not served, for looking up the demo district's
// users and orgs and minting their tokens (the scenarios' headers).
func Accounts(t testing.TB) *Env {
	t.Helper()
	return Wrap(t, NewApp(t))
}
