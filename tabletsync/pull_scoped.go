package tabletsync

import "github.com/pocketbase/dbx"

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
	var d decided
	for _, r := range pulled {
		rows, err := vis.upserts(r, after, hi, upsertScan{limit: int64(limit), bySeq: true})
		if err != nil {
			return nil, 0, false, err
		}
		if len(rows) == limit {
			reached = min(reached, rows[len(rows)-1].Seq)
		}
		d.upserts(r.coll.Name, rows)
	}
	// deletes: what the session holds that has moved on and is not visible
	if holds {
		held, err := heldMoved(vis.app, session, after, hi, true)
		if err != nil {
			return nil, 0, false, err
		}
		d.deletes(held)
	}
	var out []Change
	for _, it := range d.bySeq() {
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
