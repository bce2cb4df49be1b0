package tabletsync

import (
	"cmp"
	"slices"

	"github.com/pocketbase/dbx"

	"yuetan/tabletsync/wire"
)

// A tablet syncing in the evening would walk the whole district's day of
// changes to find its community's few. When every pulled collection's
// rule, specialized to the caller, is served by an index (community =
// ...) or covers a small table (orgs, users, the calendar), and what the
// caller may see is much smaller than the changes to walk, the page is
// read from the caller's scope instead: per collection, its visible
// records with a feed row after the cursor, by seq; deletes from what the
// session holds. The cost then follows the smaller of the two.

// scopeRatio: the scope must be this many times smaller than the changes
// ahead for reading it to pay off.
const scopeRatio = 4

// forceScoped reads every page it can from the scope (tests).
var forceScoped bool

// scopedPage returns up to limit changes after seq after (to hi) read from
// the caller's scope, the seq the page reaches, and ok=false when the
// scope is not small and indexed enough (walk the feed instead).
func scopedPage(vis *visibility, session int64, holds bool, after, hi int64, limit int) ([]Change, int64, bool, error) {
	ahead := hi - after
	if ahead < int64(scopeRatio*limit) && !forceScoped {
		return nil, 0, false, nil
	}
	budget := ahead / scopeRatio
	if forceScoped {
		budget = 1 << 40
	}
	pulled, err := vis.pulled()
	if err != nil {
		return nil, 0, false, err
	}
	for _, r := range pulled {
		if *r.rule != "" && !vis.indexed(r) {
			return nil, 0, false, nil
		}
		if small, err := vis.scopeBelow(r, budget); err != nil || !small {
			return nil, 0, false, err
		}
	}
	if holds {
		var n int64
		if err := vis.app.DB().NewQuery("SELECT COUNT(*) FROM (SELECT 1 FROM " + tableHeld + " WHERE session = {:s} LIMIT {:n})").
			Bind(dbx.Params{"s": session, "n": budget}).Row(&n); err != nil {
			return nil, 0, false, err
		}
		if n >= budget {
			return nil, 0, false, nil
		}
	}

	// the visible upserts, per collection, by seq; a full list bounds what
	// the page can decide
	reached := hi
	var items []Change
	visible := map[string]bool{}
	for _, r := range pulled {
		name := r.coll.Name
		rows, err := vis.upserts(r, after, hi, upsertScan{limit: int64(limit), bySeq: true})
		if err != nil {
			return nil, 0, false, err
		}
		if len(rows) == limit {
			reached = min(reached, rows[len(rows)-1].Seq)
		}
		for _, row := range rows {
			visible[name+"/"+row.ID] = true
			items = append(items, Change{Seq: row.Seq, Collection: name, ID: row.ID, Op: wire.OpUpsert})
		}
	}
	// deletes: what the session holds that has moved on and is not visible
	if holds {
		held, err := heldMoved(vis.app, session, after, hi, true)
		if err != nil {
			return nil, 0, false, err
		}
		items = append(items, heldDeletes(held, visible)...)
	}
	slices.SortFunc(items, func(a, b Change) int { return cmp.Compare(a.Seq, b.Seq) })
	var out []Change
	for _, it := range items {
		if it.Seq > reached || len(out) == limit {
			break
		}
		out = append(out, it)
	}
	if len(out) == limit {
		reached = out[len(out)-1].Seq
	}
	return out, reached, true, nil
}
