package tabletsync

import (
	"database/sql"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// DefaultRetention is how long tombstones, idle pull sessions and the
// mutation log are kept. A tablet that has not synced for longer syncs
// again from scratch (its outbox is kept and pushed first).
const DefaultRetention = 180 * 24 * time.Hour

const metaPrunedThrough = "pruned_through"

// Prune drops tombstones, idle pull sessions (with what they held) and
// remembered mutations older than retention. Cursors older than the last
// pruned tombstone get 409 and resync.
func Prune(app core.App, retention time.Duration) error {
	cutoff := time.Now().Add(-retention).UTC().Format("2006-01-02 15:04:05.000Z")
	return app.RunInTransaction(func(tx core.App) error {
		db := tx.DB()
		var top sql.NullInt64
		if err := db.NewQuery("SELECT MAX(seq) FROM " + tableChanges + " WHERE op = 'delete' AND at < {:t}").
			Bind(dbx.Params{"t": cutoff}).Row(&top); err != nil {
			return err
		}
		if top.Valid {
			if _, err := db.NewQuery("DELETE FROM " + tableChanges + " WHERE op = 'delete' AND seq <= {:s}").
				Bind(dbx.Params{"s": top.Int64}).Execute(); err != nil {
				return err
			}
			if top.Int64 > prunedThrough(tx) {
				if _, err := db.NewQuery("INSERT OR REPLACE INTO " + tableMeta + " (key, value) VALUES ({:k}, {:v})").
					Bind(dbx.Params{"k": metaPrunedThrough, "v": strconv.FormatInt(top.Int64, 10)}).Execute(); err != nil {
					return err
				}
			}
		}
		if _, err := dropSessions(tx, dbx.NewExp("seen < {:t}", dbx.Params{"t": cutoff})); err != nil {
			return err
		}
		_, err := db.NewQuery("DELETE FROM " + tableMutations + " WHERE at < {:t}").Bind(dbx.Params{"t": cutoff}).Execute()
		return err
	})
}

// prunedThrough is the newest tombstone seq ever pruned.
func prunedThrough(app core.App) int64 {
	var v string
	_ = app.DB().Select("value").From(tableMeta).Where(dbx.HashExp{"key": metaPrunedThrough}).Row(&v)
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}
