package tabletsync

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// resolveWindow returns, in seq order, what the caller gets of the feed
// rows in (after, last]: upserts (records loaded later, for the changes a
// page keeps) and deletes. A record changed meanwhile has left the window
// and comes in a later one.
func resolveWindow(app core.App, auth *core.Record, rules map[string]listRule, session int64, holds bool, after, last int64) ([]Change, error) {
	var present []string
	if err := app.DB().NewQuery("SELECT DISTINCT collection FROM " + tableChanges + " WHERE seq > {:a} AND seq <= {:b}").
		Bind(dbx.Params{"a": after, "b": last}).Column(&present); err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	var out []Change
	visible := map[string]bool{}
	for _, name := range present {
		if !downSynced(name) {
			continue
		}
		r, ok := rules[name]
		if !ok {
			var err error
			if r, err = listRuleFor(app, name, auth); err != nil {
				return nil, err
			}
			rules[name] = r
		}
		rows, err := visibleInRange(app, r, auth, after, last)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			visible[name+"/"+row.ID] = true
			out = append(out, Change{Seq: row.Seq, Collection: name, ID: row.ID, Op: OpUpsert})
		}
	}
	if holds {
		held, err := heldInRange(app, session, after, last)
		if err != nil {
			return nil, err
		}
		for _, h := range held {
			if visible[h.Collection+"/"+h.Record] || !downSynced(h.Collection) || (h.Gone.Valid && h.Gone.Int64 < h.Seq) {
				continue
			}
			out = append(out, Change{Seq: h.Seq, Collection: h.Collection, ID: h.Record, Op: OpDelete})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// visibleInRange returns the records of the collection with a feed upsert
// in (after, last] that the caller's list rule lets it see. The feed drives
// the query (CROSS JOIN keeps SQLite from scanning the collection through
// an index the rule offers): the cost follows the changes, not the table.
func visibleInRange(app core.App, r listRule, auth *core.Record, after, last int64) ([]seqRow, error) {
	if r.rule == nil {
		return nil, nil
	}
	name := r.coll.Name
	q := app.DB().Select("[["+name+".id]] AS id", "[[__c.seq]] AS seq").From(tableChanges+" __c").
		Join("CROSS JOIN", name, dbx.NewExp("[["+name+".id]] = [[__c.record]]")).
		AndWhere(dbx.NewExp("[[__c.collection]] = {:rc} AND [[__c.op]] = 'upsert' AND [[__c.seq]] > {:ra} AND [[__c.seq]] <= {:rb}",
			dbx.Params{"rc": name, "ra": after, "rb": last}))
	if err := applyRule(app, q, r.coll, r.rule, requestInfo(auth, http.MethodGet, nil)); err != nil {
		return nil, err
	}
	var rows []seqRow
	if err := q.All(&rows); err != nil {
		return nil, fmt.Errorf("visible %s: %w", name, err)
	}
	return rows, nil
}
