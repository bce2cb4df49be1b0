package migrations

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The PostgreSQL roll-up (package rollup) follows the change feed. It also
// needs supervisions and events, which tablets never sync: they join the
// feed (sync.FeedOnly), backfilled here. _rollup_meta
// holds this server's identity (server_id, random, made once): the roll-up
// database refuses a district code that another server already uses. A
// backup restored keeps it; a new data dir gets a new one.
func init() {
	m.Register(func(app core.App) error {
		id := make([]byte, 16)
		if _, err := rand.Read(id); err != nil {
			return fmt.Errorf("server id: %w", err)
		}
		stmts := []string{
			`CREATE TABLE IF NOT EXISTS _rollup_meta (
				key   TEXT PRIMARY KEY NOT NULL,
				value TEXT NOT NULL
			)`,
			`INSERT OR IGNORE INTO _rollup_meta (key, value) VALUES ('server_id', '` + hex.EncodeToString(id) + `')`,
		}
		for _, c := range []string{"supervisions", "events"} {
			if app.HasTable(c) {
				stmts = append(stmts, fmt.Sprintf(`INSERT OR IGNORE INTO _sync_changes (collection, record, op)
					SELECT '%s', id, 'upsert' FROM {{%s}} ORDER BY rowid`, c, c))
			}
		}
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("roll-up feed: %w", err)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, s := range []string{
			`DELETE FROM _sync_changes WHERE collection IN ('supervisions', 'events')`,
			`DROP TABLE IF EXISTS _rollup_meta`,
		} {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
