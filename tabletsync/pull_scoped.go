package tabletsync

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
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
func scopedPage(app core.App, auth *core.Record, rules map[string]listRule, session int64, holds bool,
	after, hi int64, limit int) ([]Change, int64, bool, error) {
	ahead := hi - after
	if ahead < int64(scopeRatio*limit) && !forceScoped {
		return nil, 0, false, nil
	}
	budget := ahead / scopeRatio
	if forceScoped {
		budget = 1 << 40
	}
	info := requestInfo(auth, http.MethodGet, nil)
	var pulled []listRule
	for _, en := range Table {
		if en.Dir&Down == 0 {
			continue
		}
		r, ok := rules[en.Collection]
		if !ok {
			var err error
			if r, err = listRuleFor(app, en.Collection, auth); err != nil {
				return nil, 0, false, err
			}
			rules[en.Collection] = r
		}
		if r.rule == nil {
			continue
		}
		if *r.rule != "" && !ruleIndexed(app, r, info) {
			return nil, 0, false, nil
		}
		q := app.DB().Select("(1)").From(r.coll.Name).Limit(budget)
		if err := applyRule(app, q, r.coll, r.rule, info); err != nil {
			return nil, 0, false, err
		}
		var n int64
		b := q.Build()
		if err := app.DB().NewQuery("SELECT COUNT(*) FROM (" + b.SQL() + ")").Bind(b.Params()).Row(&n); err != nil {
			return nil, 0, false, fmt.Errorf("scope of %s: %w", r.coll.Name, err)
		}
		if n >= budget {
			return nil, 0, false, nil
		}
		pulled = append(pulled, r)
	}
	if holds {
		var n int64
		if err := app.DB().NewQuery("SELECT COUNT(*) FROM (SELECT 1 FROM " + tableHeld + " WHERE session = {:s} LIMIT {:n})").
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
		q := app.DB().Select("[["+name+".id]] AS id", "[[__c.seq]] AS seq").From(name).
			Join("CROSS JOIN", tableChanges+" __c", dbx.NewExp("[[__c.collection]] = {:sc} AND [[__c.record]] = [["+name+".id]]",
				dbx.Params{"sc": name})).
			AndWhere(dbx.NewExp("[[__c.seq]] > {:sa} AND [[__c.seq]] <= {:sb}", dbx.Params{"sa": after, "sb": hi})).
			OrderBy("__c.seq").Limit(int64(limit))
		if err := applyRule(app, q, r.coll, r.rule, info); err != nil {
			return nil, 0, false, err
		}
		var rows []seqRow
		if err := q.All(&rows); err != nil {
			return nil, 0, false, fmt.Errorf("scoped %s: %w", name, err)
		}
		if len(rows) == limit {
			reached = min(reached, rows[len(rows)-1].Seq)
		}
		for _, row := range rows {
			visible[name+"/"+row.ID] = true
			items = append(items, Change{Seq: row.Seq, Collection: name, ID: row.ID, Op: OpUpsert})
		}
	}
	// deletes: what the session holds that has moved on and is not visible
	if holds {
		var held []heldRow
		err := app.DB().NewQuery("SELECT h.collection, h.record, c.seq, h.gone FROM " + tableHeld + " h CROSS JOIN " + tableChanges +
			" c ON c.collection = h.collection AND c.record = h.record WHERE h.session = {:s} AND c.seq > {:a} AND c.seq <= {:b}").
			Bind(dbx.Params{"s": session, "a": after, "b": hi}).All(&held)
		if err != nil {
			return nil, 0, false, fmt.Errorf("held: %w", err)
		}
		for _, h := range held {
			if visible[h.Collection+"/"+h.Record] || !downSynced(h.Collection) || (h.Gone.Valid && h.Gone.Int64 < h.Seq) {
				continue
			}
			items = append(items, Change{Seq: h.Seq, Collection: h.Collection, ID: h.Record, Op: OpDelete})
		}
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

// indexedRules remembers whether SQLite reads a rule's records through an
// index rather than by scanning the table, by collection and rule text.
var indexedRules sync.Map

func ruleIndexed(app core.App, r listRule, info *core.RequestInfo) bool {
	key := r.coll.Name + "\x00" + *r.rule
	if v, ok := indexedRules.Load(key); ok {
		return v.(bool)
	}
	q := app.DB().Select("(1)").From(r.coll.Name)
	if err := applyRule(app, q, r.coll, r.rule, info); err != nil {
		return false
	}
	b := q.Build()
	var rows []struct {
		Detail string `db:"detail"`
	}
	if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + b.SQL()).Bind(b.Params()).All(&rows); err != nil {
		return false
	}
	indexed := false
	for _, row := range rows {
		if strings.HasPrefix(row.Detail, "SEARCH "+r.coll.Name+" USING") {
			indexed = true
		}
		if strings.HasPrefix(row.Detail, "SCAN "+r.coll.Name) {
			indexed = false
			break
		}
	}
	indexedRules.Store(key, indexed)
	return indexed
}
