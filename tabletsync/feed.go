package tabletsync

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/tabletsync/wire"
)

// feedPriority runs the feed hooks innermost in the execute chain, right
// around the write itself: inside the workflow's transaction (pb_hooks'
// executePlan), after every outer hook has had its say.
const feedPriority = 1000

// bindFeed writes a change-feed row for every create, update and delete of
// a synced collection, in the same transaction as the write, whatever path
// the write takes (REST, /api/batch, the dashboard, the sync API, hooks'
// derived saves, cron). A plain REST save is not transactional, so the hook
// opens the transaction itself; nested, it joins the caller's.
func bindFeed(app core.App, n *nudger) {
	write := func(kind writeKind) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			if !Synced(e.Record.Collection().Name) {
				return e.Next()
			}
			return savectx.InTransaction(e, func(tx core.App) error {
				if err := e.Next(); err != nil {
					return err
				}
				if !feedReady(tx) {
					// still migrating: the sync migration backfills the feed
					return nil
				}
				if err := recordChange(tx, e.Record, kind); err != nil {
					return fmt.Errorf("sync feed: %w", err)
				}
				if info := tx.TxInfo(); info != nil {
					info.OnComplete(func(txErr error) error {
						if txErr == nil {
							n.poke()
						}
						return nil
					})
				}
				return nil
			})
		}
	}
	app.OnRecordCreateExecute().Bind(&hook.Handler[*core.RecordEvent]{Id: "yuetan.sync.feed", Priority: feedPriority, Func: write(created)})
	app.OnRecordUpdateExecute().Bind(&hook.Handler[*core.RecordEvent]{Id: "yuetan.sync.feed", Priority: feedPriority, Func: write(updated)})
	app.OnRecordDeleteExecute().Bind(&hook.Handler[*core.RecordEvent]{Id: "yuetan.sync.feed", Priority: feedPriority, Func: write(deleted)})
}

type writeKind int

const (
	created writeKind = iota
	updated
	deleted
)

// feedReady reports whether the feed table exists (it does not while the
// migrations before the sync one run with the hooks bound); once it does,
// the app's store remembers it.
func feedReady(app core.App) bool {
	if app.Store().Has(feedReadyKey) {
		return true
	}
	if !app.HasTable(tableChanges) {
		return false
	}
	app.Store().Set(feedReadyKey, true)
	return true
}

// version is a record's row in the feed.
type version struct {
	Seq    int64  `db:"seq"`
	Op     string `db:"op"`
	Born   int64  `db:"born"`
	Fields string `db:"fields"`
}

// fieldSeqs returns when each field last changed (absent: at creation)
// and the creation's seq, with this row's own seq filled in.
func (v version) fieldSeqs() (map[string]int64, int64) {
	m := map[string]int64{}
	if v.Fields != "" {
		_ = json.Unmarshal([]byte(v.Fields), &m)
	}
	for k, s := range m {
		if s == 0 {
			m[k] = v.Seq
		}
	}
	born := v.Born
	if born == 0 {
		born = v.Seq
	}
	return m, born
}

// changedSince returns which of fields changed after seq base, with the
// seq of their last change; all says to look at every field.
func (v version) changedSince(base int64, fields []string, all bool) map[string]int64 {
	seqs, born := v.fieldSeqs()
	out := map[string]int64{}
	if all {
		if born > base {
			out["*"] = born
		}
		for f, s := range seqs {
			if s > base {
				out[f] = s
			}
		}
		return out
	}
	for _, f := range fields {
		s, ok := seqs[f]
		if !ok {
			s = born
		}
		if s > base {
			out[f] = s
		}
	}
	return out
}

// findVersion reads the feed row of a record; ok is false when there is none.
func findVersion(db dbx.Builder, collection, id string) (version, bool, error) {
	var v version
	err := db.NewQuery("SELECT seq, op, born, fields FROM " + tableChanges +
		" WHERE collection = {:c} AND record = {:r}").
		Bind(dbx.Params{"c": collection, "r": id}).One(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	return v, err == nil, err
}

// recordChange replaces the record's feed row with a new one (a new seq)
// that carries which fields this write changed.
func recordChange(tx core.App, rec *core.Record, kind writeKind) error {
	coll := rec.Collection()
	db := tx.NonconcurrentDB()
	if kind == created {
		// a new record's fields all date from its creation
		seq, err := insertVersion(db.NewQuery("INSERT OR REPLACE INTO " + tableChanges + " (collection, record, op) VALUES ({:c}, {:r}, 'upsert')").
			Bind(dbx.Params{"c": coll.Name, "r": rec.Id}))
		stashSeq(rec, seq)
		return err
	}
	prev, found, err := findVersion(db, coll.Name, rec.Id)
	if err != nil {
		return err
	}
	var changed []string
	seqs, born := map[string]int64{}, int64(0)
	if found {
		seqs, born = prev.fieldSeqs()
	}
	switch {
	case kind == deleted:
	case !found:
	default:
		changed = changedFields(rec)
		for _, f := range changed {
			seqs[f] = 0 // this row's seq
		}
	}
	op := wire.OpUpsert
	if kind == deleted {
		op = wire.OpDelete
	}
	seq, err := writeVersion(db, coll.Name, rec.Id, op, born, seqs)
	if err != nil {
		return err
	}
	stashSeq(rec, seq)
	if len(changed) > 0 {
		return touchDependents(tx, coll, rec.Id, changed)
	}
	return nil
}

func writeVersion(db dbx.Builder, collection, id, op string, born int64, seqs map[string]int64) (int64, error) {
	raw, err := json.Marshal(seqs)
	if err != nil {
		return 0, err
	}
	return insertVersion(db.NewQuery("INSERT OR REPLACE INTO " + tableChanges +
		" (collection, record, op, born, fields) VALUES ({:c}, {:r}, {:op}, {:born}, {:f})").
		Bind(dbx.Params{"c": collection, "r": id, "op": op, "born": born, "f": string(raw)}))
}

// insertVersion runs a feed row's insert and returns its seq (the rowid).
// Not RETURNING: SQLite runs that through a statement journal, three
// times the insert's own cost.
func insertVersion(q *dbx.Query) (int64, error) {
	res, err := q.Execute()
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// seqKey is the record custom-data key under which the feed leaves the
// seqs it wrote for this record instance (first and last), for the push to
// answer with; custom data is neither stored nor exported.
const seqKey = "@yuetan_sync_seqs"

func stashSeq(rec *core.Record, seq int64) {
	r, _ := rec.GetRaw(seqKey).([2]int64)
	if r[0] == 0 {
		r[0] = seq
	}
	r[1] = seq
	rec.SetRaw(seqKey, r)
}

// stashedSeqs returns the first and last feed seq written for rec.
func stashedSeqs(rec *core.Record) (first, last int64) {
	r, _ := rec.GetRaw(seqKey).([2]int64)
	return r[0], r[1]
}

// changedFields lists the fields whose stored value this save changes (as
// the workflow hooks see it). A record saved again in memory right after its
// creation has no stored original: then every field counts as changed.
func changedFields(rec *core.Record) []string {
	if old := rec.Original(); old != nil && old.Id != "" {
		return collections.ChangedFields(rec)
	}
	var out []string
	for _, f := range rec.Collection().Fields {
		switch n := f.GetName(); n {
		case collections.FieldCreated, collections.FieldUpdated, collections.FieldID:
		default:
			out = append(out, n)
		}
	}
	return out
}

// dependent is a synced collection whose list rule reads fields of a
// parent through a relation (issues read application.assigned_leader):
// when those fields change, the children's visibility may change too.
type dependent struct {
	child  *core.Collection
	field  *core.RelationField
	reads  []string // parent fields the rule reads
	parent string   // parent collection id
}

// dependents finds, from the list rules themselves, the synced collections
// whose visibility follows parent's fields.
func dependents(app core.App, parent *core.Collection) []dependent {
	var out []dependent
	cache := appCache(app, dependentsKey) // child, relation, rule → parent fields read
	for _, e := range Table {
		child, err := app.FindCachedCollectionByNameOrId(e.Collection)
		if err != nil || child.ListRule == nil {
			continue
		}
		for _, f := range child.Fields {
			rel, ok := f.(*core.RelationField)
			if !ok || rel.CollectionId != parent.Id {
				continue
			}
			key := child.Id + "\x00" + rel.Name + "\x00" + *child.ListRule
			reads, ok := cache.Load(key)
			if !ok {
				reads = ruleReads(*child.ListRule, rel.Name)
				cache.Store(key, reads)
			}
			if r := reads.([]string); len(r) > 0 {
				out = append(out, dependent{child: child, field: rel, reads: r, parent: parent.Id})
			}
		}
	}
	return out
}

var identRE = regexp.MustCompile(`[@\w.]+`)

// ruleReads returns the fields a rule reads through relation field rel
// ("application.street" → street).
func ruleReads(rule, rel string) []string {
	var out []string
	for _, tok := range identRE.FindAllString(rule, -1) {
		if len(tok) > len(rel)+1 && tok[:len(rel)+1] == rel+"." {
			rest := tok[len(rel)+1:]
			if i := strings.IndexByte(rest, '.'); i >= 0 {
				rest = rest[:i]
			}
			if !slices.Contains(out, rest) {
				out = append(out, rest)
			}
		}
	}
	slices.Sort(out)
	return out
}

// touchDependents gives the children whose visibility follows the changed
// parent fields a new seq, so every pull re-decides them (a delete for
// those who lost them).
func touchDependents(tx core.App, parent *core.Collection, id string, changed []string) error {
	for _, d := range dependents(tx, parent) {
		if !slices.ContainsFunc(changed, func(f string) bool { return slices.Contains(d.reads, f) }) {
			continue
		}
		var ids []string
		q := tx.NonconcurrentDB().Select("id").From(d.child.Name)
		if d.field.IsMultiple() {
			q = q.Where(dbx.NewExp("EXISTS (SELECT 1 FROM json_each(["+d.field.Name+"]) WHERE value = {:p})", dbx.Params{"p": id}))
		} else {
			q = q.Where(dbx.HashExp{d.field.Name: id})
		}
		if err := q.Column(&ids); err != nil {
			return fmt.Errorf("dependents of %s in %s: %w", id, d.child.Name, err)
		}
		for _, child := range ids {
			if err := touch(tx.NonconcurrentDB(), d.child.Name, child); err != nil {
				return err
			}
		}
	}
	return nil
}

// touch moves a record's feed row to a new seq without changing its
// field history.
func touch(db dbx.Builder, collection, id string) error {
	v, found, err := findVersion(db, collection, id)
	if err != nil || !found || v.Op == wire.OpDelete {
		return err
	}
	seqs, born := v.fieldSeqs()
	_, err = writeVersion(db, collection, id, wire.OpUpsert, born, seqs)
	return err
}
