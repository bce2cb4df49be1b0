package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The sync feed's epochs (package tabletsync, epoch.go): every start of the
// server begins one, a random id with the feed position it began at. A
// cursor carries its epoch, so a server restored from a backup, which does
// not know the epochs begun after the backup (nor the positions reached in
// the one it was taken in), tells a tablet from the lost lineage and has it
// start over and push again what the server lost.
func init() {
	m.Register(func(app core.App) error {
		_, err := app.DB().NewQuery(`CREATE TABLE IF NOT EXISTS _sync_epochs (
			n     INTEGER PRIMARY KEY AUTOINCREMENT,
			epoch INTEGER NOT NULL UNIQUE,
			start INTEGER NOT NULL,
			at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ'))
		)`).Execute()
		if err != nil {
			return fmt.Errorf("sync epochs: %w", err)
		}
		return nil
	}, func(app core.App) error {
		_, err := app.DB().NewQuery(`DROP TABLE IF EXISTS _sync_epochs`).Execute()
		return err
	})
}
