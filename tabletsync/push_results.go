package tabletsync

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/messages"
	"yuetan/tabletsync/wire"
)

func (r result) reject(err error) result {
	r.Status = wire.StatusRejected
	r.Error = wireError(messages.Chinese(messages.Public(err)))
	r.show = false
	return r
}

func (r result) conflict(err *router.ApiError, seq int64) result {
	r.Status = wire.StatusConflict
	r.Seq = seq
	messages.Tidy(err)
	r.Error = wireError(err)
	return r
}

// wireError is err as a push result carries it (the same JSON).
func wireError(err *router.ApiError) *wire.Error {
	return &wire.Error{Data: err.Data, Message: err.Message, Status: err.Status}
}

// showRecords loads, after the commit, the records the results show, as
// the caller may view them.
// showRecords attaches, after the commit, the records the results show, as
// the caller may view them: the saved records themselves when the view rule
// lets the caller see them, else (conflicts, duplicates) as stored now.
func showRecords(e *core.RequestEvent, results []result) error {
	byColl := map[string][]string{}
	for _, r := range results {
		if r.show {
			byColl[r.collection] = append(byColl[r.collection], r.record)
		}
	}
	viewRule := func(c *core.Collection) *string { return c.ViewRule }
	for name, ids := range byColl {
		visible, err := visibleIDs(e.App, name, e.Auth, ids, viewRule)
		if err != nil {
			return err
		}
		var missing []string
		byID := map[string]*core.Record{}
		for _, r := range results {
			if !r.show || r.collection != name || !visible[r.record] {
				continue
			}
			if r.saved != nil {
				byID[r.record] = r.saved
			} else {
				missing = append(missing, r.record)
			}
		}
		if len(missing) > 0 {
			recs, err := recordsByRule(e.App, name, e.Auth, missing, viewRule)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				byID[rec.Id] = rec
			}
		}
		changes := make([]Change, 0, len(byID))
		for id, rec := range byID {
			changes = append(changes, Change{Collection: name, ID: id, Record: rec})
		}
		if err := finishChanges(e, changes); err != nil {
			return err
		}
		for i := range results {
			if results[i].show && results[i].collection == name {
				results[i].Record = byID[results[i].record]
			}
		}
	}
	return nil
}
