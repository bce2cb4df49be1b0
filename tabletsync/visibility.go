package tabletsync

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/listrule"
	"yuetan/tabletsync/wire"
)

// The three ways a pull page is read (the snapshot list, the caller's
// scope, the feed walk) all ask the same two questions: which records with
// a feed row in a seq range may the caller see now (its list rule, as the
// list API applies it), and which records the session handed out have
// moved on and are no longer visible (deletes). visibility answers both.

// listRule is a collection's list rule as it reads for one caller.
type listRule struct {
	coll *core.Collection
	rule *string // nil: sees nothing; "": sees everything
}

// visibility is what one caller may see, for one page: the pulled
// collections' list rules specialized to it, each read once.
type visibility struct {
	app     core.App
	auth    *core.Record
	info    *core.RequestInfo
	rules   map[string]listRule
	session int64 // the pull session (what it holds of the directories stays visible)
}

func newVisibility(app core.App, auth *core.Record, session int64) *visibility {
	return &visibility{app: app, auth: auth, info: requestInfo(auth, http.MethodGet, nil), rules: map[string]listRule{}, session: session}
}

// rule returns the list rule of collection name as it reads for the caller.
func (v *visibility) rule(name string) (listRule, error) {
	if r, ok := v.rules[name]; ok {
		return r, nil
	}
	coll, err := v.app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return listRule{}, fmt.Errorf("collection %s: %w", name, err)
	}
	r := listRule{coll: coll, rule: coll.ListRule}
	switch {
	case v.auth.IsSuperuser():
		r.rule = types.Pointer("")
	case coll.ListRule != nil && *coll.ListRule != "":
		text, always, never, ok := listrule.Specialize(*coll.ListRule, v.auth)
		switch {
		case !ok:
		case always:
			r.rule = types.Pointer("")
		case never:
			r.rule = nil
		default:
			r.rule = &text
		}
	}
	v.rules[name] = r
	return r, nil
}

// pulled returns, in Table order, the rules of the pulled collections the
// caller may see some records of.
func (v *visibility) pulled() ([]listRule, error) {
	var out []listRule
	for _, en := range Table {
		if en.Dir&Down == 0 {
			continue
		}
		r, err := v.rule(en.Collection)
		if err != nil {
			return nil, err
		}
		if r.rule != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// apply filters q, a query of r's collection, by r for the caller.
func (v *visibility) apply(q *dbx.SelectQuery, r listRule) error {
	return applyRule(v.app, q, r.coll, r.rule, v.info)
}

// seqRow is a record id with its feed seq.
type seqRow struct {
	ID  string `db:"id"`
	Seq int64  `db:"seq"`
}

// upsertScan says how upserts reads a collection's visible changes.
type upsertScan struct {
	// fromFeed drives the query from the feed rows in the range (CROSS JOIN
	// keeps SQLite from scanning the collection through an index the rule
	// offers): the cost follows the changes. Otherwise the collection drives
	// it, through the rule's own index where it has one (community = ...):
	// the cost follows the caller's scope.
	fromFeed bool
	limit    int64 // at most this many rows (0: all)
	bySeq    bool  // in seq order
}

// upserts returns the records of r's collection the caller may see whose
// feed row is an upsert in (after, last].
func (v *visibility) upserts(r listRule, after, last int64, scan upsertScan) ([]seqRow, error) {
	if r.rule == nil {
		return nil, nil
	}
	name := r.coll.Name
	var q *dbx.SelectQuery
	if scan.fromFeed {
		q = v.app.DB().Select("[["+name+".id]] AS id", "[[__c.seq]] AS seq").From(tableChanges+" __c").
			Join("CROSS JOIN", name, dbx.NewExp("[["+name+".id]] = [[__c.record]]")).
			AndWhere(dbx.NewExp("[[__c.collection]] = {:rc} AND [[__c.op]] = 'upsert' AND [[__c.seq]] > {:ra} AND [[__c.seq]] <= {:rb}",
				dbx.Params{"rc": name, "ra": after, "rb": last}))
	} else {
		q = v.app.DB().Select("[["+name+".id]] AS id", "[[__c.seq]] AS seq").From(name).
			Join("CROSS JOIN", tableChanges+" __c", dbx.NewExp("[[__c.collection]] = {:sc} AND [[__c.record]] = [["+name+".id]]",
				dbx.Params{"sc": name})).
			// (a record that exists has an upsert row: no need to read op)
			AndWhere(dbx.NewExp("[[__c.seq]] > {:sa} AND [[__c.seq]] <= {:sb}", dbx.Params{"sa": after, "sb": last}))
	}
	if scan.bySeq {
		q.OrderBy("__c.seq")
	}
	if scan.limit > 0 {
		q.Limit(scan.limit)
	}
	if err := v.apply(q, r); err != nil {
		return nil, err
	}
	if err := v.applyDirectory(q, r); err != nil {
		return nil, err
	}
	var rows []seqRow
	if err := q.All(&rows); err != nil {
		return nil, fmt.Errorf("visible %s: %w", name, err)
	}
	return rows, nil
}

// scopeBelow reports whether the caller sees fewer than n records of r's
// collection.
func (v *visibility) scopeBelow(r listRule, n int64) (bool, error) {
	q := v.app.DB().Select("(1)").From(r.coll.Name).Limit(n)
	if err := v.apply(q, r); err != nil {
		return false, err
	}
	var count int64
	b := q.Build()
	if err := v.app.DB().NewQuery("SELECT COUNT(*) FROM (" + b.SQL() + ")").Bind(b.Params()).Row(&count); err != nil {
		return false, fmt.Errorf("scope of %s: %w", r.coll.Name, err)
	}
	return count < n, nil
}

// indexed reports whether SQLite reads the records r lets the caller see
// through an index rather than by scanning the table; the answer is kept
// in the app's store by collection and rule text.
func (v *visibility) indexed(r listRule) bool {
	key := r.coll.Name + "\x00" + *r.rule
	cache := appCache(v.app, indexedRulesKey)
	if known, ok := cache.Load(key); ok {
		return known.(bool)
	}
	q := v.app.DB().Select("(1)").From(r.coll.Name)
	if err := v.apply(q, r); err != nil {
		return false
	}
	b := q.Build()
	var rows []struct {
		Detail string `db:"detail"`
	}
	if err := v.app.DB().NewQuery("EXPLAIN QUERY PLAN " + b.SQL()).Bind(b.Params()).All(&rows); err != nil {
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
	cache.Store(key, indexed)
	return indexed
}

// decided gathers what a page tells the caller about a seq range: the
// visible records' upserts, then deletes for what the session holds that
// is not among them.
type decided struct {
	changes []Change
	visible map[string]bool // collection/id of the upserts
}

// upserts adds the visible rows of collection name.
func (d *decided) upserts(name string, rows []seqRow) {
	if d.visible == nil {
		d.visible = map[string]bool{}
	}
	for _, row := range rows {
		d.visible[name+"/"+row.ID] = true
		d.changes = append(d.changes, Change{Seq: row.Seq, Collection: name, ID: row.ID, Op: wire.OpUpsert})
	}
}

// deletes adds deletes for the held records (with their moved feed rows)
// that are not visible now, after every upsert is in. Those of collections
// no longer pulled are left alone, and one taken back before its feed row
// moved again is not taken back twice (a retried page, at the same seq,
// sends it again).
func (d *decided) deletes(held []heldRow) {
	for _, h := range held {
		if d.visible[h.Collection+"/"+h.Record] || !downSynced(h.Collection) || (h.Gone.Valid && h.Gone.Int64 < h.Seq) {
			continue
		}
		d.changes = append(d.changes, Change{Seq: h.Seq, Collection: h.Collection, ID: h.Record, Op: wire.OpDelete})
	}
}

// bySeq returns the changes in seq order.
func (d *decided) bySeq() []Change {
	slices.SortFunc(d.changes, func(a, b Change) int { return cmp.Compare(a.Seq, b.Seq) })
	return d.changes
}
