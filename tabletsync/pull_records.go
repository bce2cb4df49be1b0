package tabletsync

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/tabletsync/wire"
)

// loadRecords loads the records of a page's upserts; one deleted since the
// visibility check leaves the page (its tombstone comes later), and so
// does one of the first listed changes (from a snapshot list) whose feed
// row has moved.
func loadRecords(app core.App, page *PullResponse, listed int) error {
	byColl := map[string][]any{}
	for _, c := range page.Changes {
		if c.Op == wire.OpUpsert {
			byColl[c.Collection] = append(byColl[c.Collection], c.ID)
		}
	}
	loaded := map[string]*core.Record{}
	moved, err := movedListed(app, page.Changes[:listed])
	if err != nil {
		return err
	}
	for name, ids := range byColl {
		coll, err := app.FindCachedCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		var recs []*core.Record
		if err := app.RecordQuery(coll).AndWhere(inList(coll.Name+".id", ids)).All(&recs); err != nil {
			return fmt.Errorf("load %s: %w", name, err)
		}
		for _, r := range recs {
			loaded[name+"/"+r.Id] = r
		}
	}
	kept := page.Changes[:0]
	for _, c := range page.Changes {
		if moved[c.Collection+"/"+c.ID] {
			continue
		}
		if c.Op == wire.OpUpsert {
			if c.Record = loaded[c.Collection+"/"+c.ID]; c.Record == nil {
				continue
			}
		}
		kept = append(kept, c)
	}
	page.Changes = kept
	return nil
}

// movedListed returns those of the listed changes whose feed row is no
// longer at the listed seq (the walk after the list meets them again).
func movedListed(app core.App, listed []Change) (map[string]bool, error) {
	byColl := map[string][]any{}
	want := map[string]int64{}
	for _, c := range listed {
		byColl[c.Collection] = append(byColl[c.Collection], c.ID)
		want[c.Collection+"/"+c.ID] = c.Seq
	}
	moved := map[string]bool{}
	for name, ids := range byColl {
		var rows []seqRow
		// (the (collection, record) index: SQLite would rather walk (collection, seq))
		err := app.DB().Select("record AS id", "seq").From("{{" + tableChanges + "}} INDEXED BY _sync_changes_record").
			Where(dbx.HashExp{"collection": name}).AndWhere(inList("record", ids)).All(&rows)
		if err != nil {
			return nil, fmt.Errorf("listed %s: %w", name, err)
		}
		now := make(map[string]int64, len(rows))
		for _, r := range rows {
			now[r.ID] = r.Seq
		}
		for _, id := range ids {
			key := name + "/" + id.(string)
			if now[id.(string)] != want[key] {
				moved[key] = true
			}
		}
	}
	return moved, nil
}
