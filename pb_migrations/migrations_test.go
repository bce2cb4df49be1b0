package migrations_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
	"yuetan/internal/testenv"
)

// TestReadRulesFollowApplications starts from a database whose events rule
// is the one released before (a leader named as target reads the events of
// matters it may not read) and checks the migration puts the builders'
// rules in place.
func TestReadRulesFollowApplications(t *testing.T) {
	app := testenv.NewApp(t)
	events, err := app.FindCollectionByNameOrId(collections.Events)
	if err != nil {
		t.Fatal(err)
	}
	old := `(@request.auth.role = "leader" && (application.assigned_leader = @request.auth.id || application.target_leader = @request.auth.id))`
	events.ListRule, events.ViewRule = types.Pointer(old), types.Pointer(old)
	if err := app.Save(events); err != nil {
		t.Fatal(err)
	}
	var up func(core.App) error
	for _, mig := range core.AppMigrations.Items() {
		if mig.File == "1764000420_read_rules_follow_applications.go" {
			up = mig.Up
		}
	}
	if up == nil {
		t.Fatal("migration not registered")
	}
	if err := app.RunInTransaction(up); err != nil {
		t.Fatal(err)
	}
	for _, want := range collections.All() {
		got, err := app.FindCollectionByNameOrId(want.Id)
		if err != nil {
			t.Fatal(err)
		}
		if text(got.ListRule) != text(want.ListRule) || text(got.ViewRule) != text(want.ViewRule) {
			t.Errorf("%s read rules differ from the builder's after the migrations:\n%s\nwant\n%s", want.Name, text(got.ListRule), text(want.ListRule))
		}
	}
}

func text(rule *string) string {
	if rule == nil {
		return "<superusers only>"
	}
	return *rule
}
