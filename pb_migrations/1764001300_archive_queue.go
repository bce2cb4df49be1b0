package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The archive-copy queue (package forms): archive_pending on applications,
// talks and feedback (which archive copies a move queued and the worker
// has not stored yet), and the queue archive_jobs itself (superusers
// only through REST).
func init() {
	pending := map[string][]string{
		"applications": {"archive_pdf", "notice_pdf"},
		"talks":        {"archive_pdf"},
		"feedback":     {"archive_pdf"},
	}
	m.Register(func(app core.App) error {
		for name, files := range pending {
			err := update(app, name, func(c *core.Collection) error {
				if c.Fields.GetByName("archive_pending") == nil {
					c.Fields.Add(&core.SelectField{Name: "archive_pending", Values: files, MaxSelect: len(files)})
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if existing, _ := app.FindCollectionByNameOrId("pbc_archive_jobs"); existing != nil {
			return nil
		}
		c := core.NewBaseCollection("archive_jobs", "pbc_archive_jobs")
		c.Fields.Add(
			&core.TextField{Name: "application", Max: 50, Required: true},
			&core.TextField{Name: "record_collection", Max: 50, Required: true},
			&core.TextField{Name: "record_id", Max: 50, Required: true},
			&core.SelectField{Name: "form", Values: []string{"application", "notice", "talk", "feedback"}, MaxSelect: 1, Required: true},
			&core.TextField{Name: "field", Max: 50, Required: true},
			&core.TextField{Name: "code", Min: 10, Max: 10, Required: true},
			&core.JSONField{Name: "data", MaxSize: 1 << 20},
			&core.SelectField{Name: "state", Values: []string{"pending", "claimed", "done", "failed"}, MaxSelect: 1, Required: true},
			&core.NumberField{Name: "attempts", OnlyInt: true},
			&core.DateField{Name: "next_at"},
			&core.TextField{Name: "claim", Max: 50},
			&core.DateField{Name: "lease_until"},
			&core.TextField{Name: "last_error", Max: 1000},
			&core.DateField{Name: "done_at"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		c.AddIndex("idx_archive_jobs_due", false, "state, next_at", "")
		c.AddIndex("idx_archive_jobs_record", false, "record_collection, record_id", "")
		if err := app.Save(c); err != nil {
			return fmt.Errorf("create archive_jobs: %w", err)
		}
		return nil
	}, func(app core.App) error {
		if c, err := app.FindCollectionByNameOrId("pbc_archive_jobs"); err == nil {
			if err := app.Delete(c); err != nil {
				return fmt.Errorf("drop archive_jobs: %w", err)
			}
		}
		for name := range pending {
			if _, err := app.FindCollectionByNameOrId(name); err != nil {
				continue
			}
			err := update(app, name, func(c *core.Collection) error {
				c.Fields.RemoveByName("archive_pending")
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}
