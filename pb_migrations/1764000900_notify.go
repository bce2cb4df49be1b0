package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/notify"
)

// The notification inbox and its outbox (package notify): exactly these
// two collections, created when absent; dropped again on the way down.
func init() {
	m.Register(func(app core.App) error {
		for _, c := range notify.All() {
			if existing, _ := app.FindCollectionByNameOrId(c.Id); existing != nil {
				continue
			}
			if err := app.Save(c); err != nil {
				return fmt.Errorf("create %s: %w", c.Name, err)
			}
		}
		return nil
	}, func(app core.App) error {
		all := notify.All()
		for i := len(all) - 1; i >= 0; i-- {
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
