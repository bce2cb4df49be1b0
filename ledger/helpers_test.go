package ledger_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/internal/testenv"
	"yuetan/workdays"
)

func itoa(n int) string { return strconv.Itoa(n) }

func mustDate(t testing.TB, s string) time.Time {
	d, err := workdays.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func superuser(t testing.TB, env *testenv.Env) *core.Record {
	u, err := env.App.FindAuthRecordByEmail(core.CollectionNameSuperusers, "admin@yuetan.example")
	if err != nil {
		t.Fatal(err)
	}
	return u
}
