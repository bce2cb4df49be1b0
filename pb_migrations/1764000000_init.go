// Package migrations applies the schema in collections/ and the reference
// data. A released migration never changes; later changes are new files.
package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
)

func init() {
	m.Register(func(app core.App) error {
		if err := collections.Apply(app); err != nil {
			return fmt.Errorf("apply collections: %w", err)
		}
		settings := app.Settings()
		settings.Meta.AppName = "群众约谈"
		// Batch stays available for clients and the dashboard; the workflow
		// hooks run inside it like on any other path.
		settings.Batch.Enabled = true
		settings.Batch.MaxRequests = 100
		settings.Batch.Timeout = 10
		if err := app.Save(settings); err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
		return nil
	}, func(app core.App) error {
		all := collections.All()
		for i := len(all) - 1; i >= 0; i-- {
			if all[i].Name == collections.Users {
				continue
			}
			c, err := app.FindCollectionByNameOrId(all[i].Id)
			if err != nil {
				continue
			}
			if err := app.Delete(c); err != nil {
				return fmt.Errorf("drop %s: %w", c.Name, err)
			}
		}
		return nil
	})
}
