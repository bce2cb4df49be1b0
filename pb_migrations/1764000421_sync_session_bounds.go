package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Pull sessions are bounded per user (package tabletsync keeps the ones used
// last): _sync_sessions.used orders them by last use, a number every page
// and every new session raises (wall-clock times tie within a millisecond).
// Existing sessions are numbered by when they were last seen, and each
// user keeps its 16 most recent, with what they held; the others (an
// account that started hundreds of full syncs) go.
func init() {
	m.Register(func(app core.App) error {
		for _, s := range []string{
			`ALTER TABLE _sync_sessions ADD COLUMN used INTEGER NOT NULL DEFAULT 0`,
			`CREATE INDEX IF NOT EXISTS _sync_sessions_used ON _sync_sessions (used)`,
			`UPDATE _sync_sessions SET used = r.n FROM
				(SELECT id, ROW_NUMBER() OVER (ORDER BY seen, id) AS n FROM _sync_sessions) AS r
				WHERE r.id = _sync_sessions.id`,
			`CREATE TEMP TABLE _sync_sessions_over AS SELECT id FROM
				(SELECT id, ROW_NUMBER() OVER (PARTITION BY user ORDER BY used DESC) AS k FROM _sync_sessions) WHERE k > 16`,
			`DELETE FROM _sync_held WHERE session IN (SELECT id FROM _sync_sessions_over)`,
			`DELETE FROM _sync_sessions WHERE id IN (SELECT id FROM _sync_sessions_over)`,
			`DROP TABLE _sync_sessions_over`,
		} {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("sync session bounds: %w", err)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, s := range []string{
			`DROP INDEX IF EXISTS _sync_sessions_used`,
			`ALTER TABLE _sync_sessions DROP COLUMN used`,
		} {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("sync session bounds: %w", err)
			}
		}
		return nil
	})
}
