package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The mutation log also keeps the first feed seq each mutation wrote, so a
// tablet's later edit of the same record is not taken for a conflict with
// its own earlier one: (first, seq] is what the mutation wrote. The feed
// gets an index by collection and seq, for pulls walking seq windows.
func init() {
	m.Register(func(app core.App) error {
		for _, s := range []string{
			`ALTER TABLE _sync_mutations ADD COLUMN first INTEGER NOT NULL DEFAULT 0`,
			`CREATE INDEX IF NOT EXISTS _sync_mutations_record ON _sync_mutations (client, collection, record)`,
			`CREATE INDEX IF NOT EXISTS _sync_changes_collection_seq ON _sync_changes (collection, seq)`,
		} {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("sync mutation log: %w", err)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, s := range []string{
			`DROP INDEX IF EXISTS _sync_changes_collection_seq`,
			`DROP INDEX IF EXISTS _sync_mutations_record`,
			`ALTER TABLE _sync_mutations DROP COLUMN first`,
		} {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
