package migrations_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"
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
	// 420, then the later migrations that change read rules, as an upgrade runs them
	for _, name := range []string{"1764000420_read_rules_follow_applications.go", "1764000802_supervision_targets.go"} {
		if err := app.RunInTransaction(migration(t, name).Up); err != nil {
			t.Fatal(err)
		}
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

// migration returns the registered migration in file.
func migration(t *testing.T, file string) *core.Migration {
	t.Helper()
	for _, mig := range core.AppMigrations.Items() {
		if mig.File == file {
			return mig
		}
	}
	t.Fatalf("migration %s not registered", file)
	return nil
}

// TestSyncSessionBounds rolls the session bounds back, leaves one user 30
// pull sessions and another 3, each holding 5 records, and migrates
// again: the first keeps its 16 most recently seen sessions and what they
// hold, the second all of its own, and the kept sessions are numbered in
// the order they were seen.
func TestSyncSessionBounds(t *testing.T) {
	app := testenv.NewApp(t)
	mig := migration(t, "1764000421_sync_session_bounds.go")
	if err := app.RunInTransaction(mig.Down); err != nil {
		t.Fatal(err)
	}
	db := app.DB()
	add := func(user string, n int) {
		for i := 0; i < n; i++ {
			seen := fmt.Sprintf("2026-11-%02d 08:00:00.000Z", 1+(i*7)%n) // seen out of creation order
			res, err := db.Insert("_sync_sessions", dbx.Params{"user": user, "scope": "s", "seen": seen}).Execute()
			if err != nil {
				t.Fatal(err)
			}
			id, _ := res.LastInsertId()
			for j := 0; j < 5; j++ {
				if _, err := db.Insert("_sync_held", dbx.Params{"session": id, "collection": "issues", "record": fmt.Sprintf("r%d", j)}).Execute(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	add("many", 30)
	add("few", 3)
	if err := app.RunInTransaction(mig.Up); err != nil {
		t.Fatal(err)
	}
	var kept []struct {
		User string `db:"user"`
		Seen string `db:"seen"`
		Used int    `db:"used"`
		Held int    `db:"held"`
	}
	if err := db.NewQuery(`SELECT user, seen, used, (SELECT COUNT(*) FROM _sync_held h WHERE h.session = s.id) AS held
		FROM _sync_sessions s ORDER BY used`).All(&kept); err != nil {
		t.Fatal(err)
	}
	var many, few int
	for i, k := range kept {
		if k.Held != 5 {
			t.Errorf("a kept session holds %d rows", k.Held)
		}
		if i > 0 && k.Seen < kept[i-1].Seen {
			t.Errorf("used order does not follow seen: %+v", kept)
		}
		switch k.User {
		case "many":
			many++
			if k.Seen < "2026-11-15" {
				t.Errorf("kept a session last seen %s over more recent ones", k.Seen)
			}
		case "few":
			few++
		}
	}
	if many != 16 || few != 3 {
		t.Fatalf("kept %d and %d sessions, want 16 and 3", many, few)
	}
	var held int
	if err := db.NewQuery("SELECT COUNT(*) FROM _sync_held").Row(&held); err != nil || held != 19*5 {
		t.Fatalf("%d held rows left (%v), want %d", held, err, 19*5)
	}
}
