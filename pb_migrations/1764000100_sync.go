package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The offline sync's own tables (package tabletsync). They are plain SQL tables,
// not collections, so no REST API reaches them:
//
//   - _sync_changes: the change feed, one row per synced record (the latest
//     change; deletes stay as tombstones). seq only grows; a write replaces
//     the record's row with a new seq. fields maps each field to the seq of
//     its last change (0: this row's seq), born is the create's seq (0: this
//     row's), so a stale edit can be merged field by field.
//   - _sync_mutations: every pushed mutation by (client, id), for exactly-once.
//   - _sync_sessions / _sync_held: a pull session per full sync and the
//     records it has handed out, so a record leaving a user's scope becomes
//     a delete for exactly the tablets that hold it.
//   - _sync_meta: key/value state (the tombstone pruning horizon).
//
// The feed starts with one row per existing record of the synced collections.
func init() {
	m.Register(func(app core.App) error {
		stmts := []string{
			`CREATE TABLE IF NOT EXISTS _sync_changes (
				seq        INTEGER PRIMARY KEY AUTOINCREMENT,
				collection TEXT    NOT NULL,
				record     TEXT    NOT NULL,
				op         TEXT    NOT NULL CHECK (op IN ('upsert', 'delete')),
				born       INTEGER NOT NULL DEFAULT 0,
				fields     TEXT    NOT NULL DEFAULT '{}',
				at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ'))
			)`,
			`CREATE UNIQUE INDEX IF NOT EXISTS _sync_changes_record ON _sync_changes (collection, record)`,
			`CREATE TABLE IF NOT EXISTS _sync_mutations (
				client     TEXT    NOT NULL,
				id         TEXT    NOT NULL,
				user       TEXT    NOT NULL,
				hash       TEXT    NOT NULL,
				collection TEXT    NOT NULL,
				record     TEXT    NOT NULL,
				op         TEXT    NOT NULL,
				status     TEXT    NOT NULL,
				seq        INTEGER NOT NULL DEFAULT 0,
				error      TEXT    NOT NULL DEFAULT '',
				at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')),
				PRIMARY KEY (client, id)
			) WITHOUT ROWID`,
			`CREATE TABLE IF NOT EXISTS _sync_sessions (
				id      INTEGER PRIMARY KEY AUTOINCREMENT,
				user    TEXT NOT NULL,
				client  TEXT NOT NULL DEFAULT '',
				scope   TEXT NOT NULL,
				created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ')),
				seen    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%fZ'))
			)`,
			`CREATE INDEX IF NOT EXISTS _sync_sessions_user ON _sync_sessions (user, client)`,
			`CREATE TABLE IF NOT EXISTS _sync_held (
				session    INTEGER NOT NULL,
				collection TEXT    NOT NULL,
				record     TEXT    NOT NULL,
				gone       INTEGER,
				PRIMARY KEY (session, collection, record)
			) WITHOUT ROWID`,
			`CREATE TABLE IF NOT EXISTS _sync_meta (
				key   TEXT PRIMARY KEY NOT NULL,
				value TEXT NOT NULL
			)`,
		}
		for _, s := range stmts {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return fmt.Errorf("sync tables: %w", err)
			}
		}
		for _, c := range []string{"orgs", "users", "calendar_days", "meetings", "issues", "applications", "signatures", "talks", "feedback"} {
			if !app.HasTable(c) {
				continue
			}
			_, err := app.DB().NewQuery(fmt.Sprintf(
				`INSERT OR IGNORE INTO _sync_changes (collection, record, op)
				 SELECT '%s', id, 'upsert' FROM {{%s}} ORDER BY rowid`, c, c)).Execute()
			if err != nil {
				return fmt.Errorf("sync feed of %s: %w", c, err)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, t := range []string{"_sync_meta", "_sync_held", "_sync_sessions", "_sync_mutations", "_sync_changes"} {
			if _, err := app.DB().NewQuery("DROP TABLE IF EXISTS " + t).Execute(); err != nil {
				return fmt.Errorf("drop %s: %w", t, err)
			}
		}
		return nil
	})
}
