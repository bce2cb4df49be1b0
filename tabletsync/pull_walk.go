package tabletsync

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/pocketbase/dbx"

	"yuetan/tabletsync/wire"
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
	var out []Change
	visible := map[string]bool{}
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
		for _, row := range rows {
			visible[name+"/"+row.ID] = true
			out = append(out, Change{Seq: row.Seq, Collection: name, ID: row.ID, Op: wire.OpUpsert})
		}
	}
	if holds {
		held, err := heldMoved(vis.app, session, after, last, false)
		if err != nil {
			return nil, err
		}
		out = append(out, heldDeletes(held, visible)...)
	}
	slices.SortFunc(out, func(a, b Change) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}
