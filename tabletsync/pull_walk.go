package tabletsync

import (
	"fmt"

	"github.com/pocketbase/dbx"
)

// resolveWindow returns, in seq order, what the caller gets of the feed
// rows in (after, last]: upserts (records loaded later, for the changes a
// page keeps) and deletes. A record changed meanwhile has left the window
// and comes in a later one.
func resolveWindow(vis *visibility, session int64, holds bool, after, last int64) ([]Change, error) {
	var present []string
	if err := vis.app.DB().NewQuery("SELECT DISTINCT collection FROM " + tableChanges + " WHERE seq > {:a} AND seq <= {:b}").
		Bind(dbx.Params{"a": after, "b": last}).Column(&present); err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	var d decided
	for _, name := range present {
		if !downSynced(name) {
			continue
		}
		r, err := vis.rule(name)
		if err != nil {
			return nil, err
		}
		rows, err := vis.upserts(r, after, last, upsertScan{fromFeed: true})
		if err != nil {
			return nil, err
		}
		d.upserts(name, rows)
	}
	if holds {
		held, err := heldMoved(vis.app, session, after, last, false)
		if err != nil {
			return nil, err
		}
		d.deletes(held)
	}
	return d.bySeq(), nil
}
