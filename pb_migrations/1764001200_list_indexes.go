package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The indexes that let a caller's list and the figures be found instead of
// scanned (apis/lists.go adds the caller's own branch of a list rule to the
// query; these answer it): a leader's and a handling unit's applications,
// a period's issues by kind, events and meetings, and the applications
// changed since a date (what the figures of a period may count). A delta, written out as
// released (the builders in collections/ hold the same).
func init() {
	indexes := []struct{ collection, name, columns string }{
		{"applications", "idx_applications_target_leader", "target_leader"},
		{"applications", "idx_applications_handling_unit", "handling_unit"},
		{"applications", "idx_applications_updated", "updated"},
		{"issues", "idx_issues_kind_collected_at", "kind, collected_at"},
		{"events", "idx_events_created", "created"},
		{"meetings", "idx_meetings_held_on", "held_on"},
	}
	m.Register(func(app core.App) error {
		for _, ix := range indexes {
			err := update(app, ix.collection, func(c *core.Collection) error {
				c.AddIndex(ix.name, false, ix.columns, "")
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for _, ix := range indexes {
			err := update(app, ix.collection, func(c *core.Collection) error {
				c.RemoveIndex(ix.name)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}
