package tabletsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/forms"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/tabletsync/wire"
)

// apply runs the mutations in one transaction. Every (client, mutation
// id) is remembered with its outcome in the same transaction, so a retry
// is recognised.
//
// A rejected or conflicting mutation must leave nothing behind while its
// neighbours apply. Almost always it is refused before writing anything
// (rules, validation, the workflow's checks); SQLite's total_changes()
// tells. When one did write before failing, the whole transaction is rolled
// back and run again with that mutation answered without being executed.
// (No savepoint per mutation: releasing one costs more than the write.)
func (s *service) apply(app core.App, auth *core.Record, origin string, req *wire.PushRequest, files uploads, hashes []string) ([]result, error) {
	ctx := savectx.WithOrigin(savectx.AsUser(context.Background(), auth), origin)
	settled := map[int]result{} // refused after writing, in an earlier pass
	for {
		results := make([]result, len(req.Mutations))
		err := app.RunInTransaction(func(tx core.App) error {
			db := tx.NonconcurrentDB()
			logged, err := loggedMutations(tx, req)
			if err != nil {
				return err
			}
			before, err := changes(db)
			if err != nil {
				return err
			}
			st := newPushState(app, req.Client, files)
			var log []logRow
			for i := range req.Mutations {
				m := &req.Mutations[i]
				if prev, ok := logged[m.ID]; ok {
					results[i] = prev.replay(m, auth.Id, hashes[i])
					continue
				}
				res, done := settled[i]
				if !done {
					res = mutate(tx, ctx, auth, st, m)
					after, err := changes(db)
					if err != nil {
						return err
					}
					switch {
					case res.Status == wire.StatusApplied:
						if res.first > 0 {
							st.own[m.Collection+"/"+m.Record] = append(st.own[m.Collection+"/"+m.Record], [2]int64{res.first, res.Seq})
						}
					case after != before:
						settled[i] = res
						return errRedo
					}
					before = after
				}
				results[i] = res
				log = append(log, logRow{m: m, hash: hashes[i], res: res})
			}
			return logMutations(tx, req.Client, auth.Id, log)
		})
		if errors.Is(err, errRedo) {
			continue
		}
		return results, err
	}
}

var errRedo = errors.New("sync: a refused mutation wrote; run the push again without it")

// pushState is what one push's mutations share.
type pushState struct {
	client string
	files  uploads
	own    map[string]writes // what this push's applied mutations wrote, by record
	rules  map[string]bool   // answers of standalone create rules, by rule and body values
	shapes map[string]bool   // whether a create rule is standalone, by collection and rule
	sqlDB  *dbx.DB           // for building (quoting) expressions
}

func newPushState(app core.App, client string, files uploads) *pushState {
	st := &pushState{client: client, files: files, own: map[string]writes{}, rules: map[string]bool{}, shapes: map[string]bool{}}
	st.sqlDB, _ = app.ConcurrentDB().(*dbx.DB)
	return st
}

// changes is SQLite's total_changes(): the rows written so far on the
// connection (the transaction's).
func changes(db dbx.Builder) (int64, error) {
	var n int64
	err := db.NewQuery("SELECT total_changes()").Row(&n)
	return n, err
}

// mutate does what m asks through the collection rules and a save made as
// the caller, so every workflow hook runs as over REST.
func mutate(tx core.App, ctx context.Context, auth *core.Record, st *pushState, m *wire.Mutation) result {
	res := newResult(m)
	coll, err := tx.FindCachedCollectionByNameOrId(m.Collection)
	if err != nil {
		return res.reject(router.NewNotFoundError("没有这类数据。", err))
	}
	if errs := collections.TypeErrors(coll, m.Data, false); errs != nil {
		return res.reject(router.NewBadRequestError("提交的数据类型不正确，未保存。", errs))
	}
	superuser := auth.IsSuperuser()
	db := tx.NonconcurrentDB()
	// the same record created again under a new mutation id (a reset
	// tablet, a copied outbox): the server's copy stands. Only a record
	// the caller may view is answered so; any other is no business of its
	// own, and the answer must not tell that it exists (nor its seq).
	exists := func() (result, bool) {
		visible, err := visibleIDs(tx, coll.Name, auth, []string{m.Record}, func(c *core.Collection) *string { return c.ViewRule })
		if err != nil || !visible[m.Record] {
			return result{}, false
		}
		ver, _, _ := findVersion(db, coll.Name, m.Record)
		res.show = true
		return res.conflict(router.NewApiError(http.StatusConflict, "这条记录已经提交过，服务器上已有，请以服务器上的记录为准。", nil), ver.Seq), true
	}
	// an update or delete of a record the caller may not write, or that
	// does not exist (or is deleted and was never the caller's): one answer
	missing := func() result {
		msg := "记录不存在，或您无权修改这条记录。"
		if m.Op == wire.OpDelete {
			msg = "记录不存在，或您无权删除这条记录。"
		}
		return res.reject(router.NewNotFoundError(msg, nil))
	}
	var saved *core.Record
	switch m.Op {
	case wire.OpCreate:
		rec, ok, err := loadCreate(tx, st, auth, coll, m)
		saved = rec
		if err != nil || !ok {
			if r, ok := exists(); ok {
				return r
			}
			return res.reject(router.NewForbiddenError("您无权创建这条记录：超出了您可以填报的范围。", err))
		}
		if err := tx.SaveWithContext(ctx, rec); err != nil {
			// only a refused id means the record is there already (a
			// failure after writing must not find its own write)
			var ve validation.Errors
			if errors.As(err, &ve) && ve[core.FieldNameId] != nil {
				if r, ok := exists(); ok {
					return r
				}
			}
			return res.reject(err)
		}
	case wire.OpUpdate, wire.OpDelete:
		current, _ := tx.FindRecordById(coll, m.Record)
		ver, versioned, err := findVersion(db, coll.Name, m.Record)
		if err != nil {
			return res.reject(err)
		}
		if current == nil {
			known := false
			if versioned && ver.Op == wire.OpDelete {
				if known, err = heldOrWritten(db, auth, st, coll.Name, m.Record); err != nil {
					return res.reject(err)
				}
			}
			if known {
				if m.Op == wire.OpDelete {
					// already gone: what the tablet asked for holds
					res.Status, res.Seq = wire.StatusApplied, ver.Seq
					return res
				}
				return res.conflict(router.NewApiError(http.StatusConflict, "这条记录已在服务器上删除，您的修改无法保存。", nil), ver.Seq)
			}
			return missing()
		}
		data := withFiles(current, m, st.files[m.ID])
		method, rule := http.MethodPatch, coll.UpdateRule
		if m.Op == wire.OpDelete {
			method, rule = http.MethodDelete, coll.DeleteRule
		}
		info := requestInfo(auth, method, data)
		rec := current
		if !superuser {
			if rule == nil {
				return res.reject(router.NewForbiddenError("只有超级管理员可以修改或删除这类数据。", nil))
			}
			rec, err = tx.FindRecordById(coll, m.Record, ruleFilter(tx, coll, rule, info))
			if errors.Is(err, sql.ErrNoRows) {
				return missing()
			}
			if err != nil {
				return res.reject(err)
			}
		}
		if versioned && m.Base < ver.Seq {
			// what changed since the tablet's base, other than by the
			// tablet's own earlier mutations
			fields := mergeable(coll.Name, data)
			if m.Op == wire.OpDelete {
				fields = nil
			}
			since := ver.changedSince(m.Base, fields, m.Op == wire.OpDelete)
			own, err := ownWrites(db, st.client, coll.Name, m.Record, m.Base)
			if err != nil {
				return res.reject(err)
			}
			own = append(own, st.own[coll.Name+"/"+m.Record]...)
			var changed []string
			for _, f := range slices.Sorted(maps.Keys(since)) {
				if own.contains(since[f]) {
					continue
				}
				// a field set to the value the server already has is no conflict
				if m.Op == wire.OpUpdate && fmt.Sprint(rec.Get(f)) == fmt.Sprint(data[f]) {
					continue
				}
				changed = append(changed, f)
			}
			if len(changed) > 0 {
				res.show = true
				return res.conflict(conflictError(m.Op, changed), ver.Seq)
			}
		}
		saved = rec
		if m.Op == wire.OpDelete {
			if err := tx.DeleteWithContext(ctx, rec); err != nil {
				return res.reject(err)
			}
			break
		}
		form := forms.NewRecordUpsert(tx, rec)
		if superuser {
			form.GrantSuperuserAccess()
		}
		form.Load(data)
		if err := tx.SaveWithContext(ctx, rec); err != nil {
			return res.reject(err)
		}
	}
	res.Status = wire.StatusApplied
	res.show = m.Op != wire.OpDelete
	res.first, res.Seq = stashedSeqs(saved)
	if m.Op != wire.OpDelete {
		res.saved = saved
	}
	if res.Seq == 0 {
		if v, _, err := findVersion(db, coll.Name, m.Record); err == nil {
			res.Seq = v.Seq
		}
	}
	return res
}

// heldOrWritten reports whether a deleted record was the caller's
// business: a pull handed it to one of the caller's sessions, or the
// caller's own applied mutations (from this client, this push included)
// wrote it. Only then does a push learn that it was deleted.
func heldOrWritten(db dbx.Builder, auth *core.Record, st *pushState, collection, id string) (bool, error) {
	if auth.IsSuperuser() || len(st.own[collection+"/"+id]) > 0 {
		return true, nil
	}
	var n int
	err := db.NewQuery(`SELECT EXISTS (SELECT 1 FROM ` + tableSessions + ` s JOIN ` + tableHeld + ` h
			ON h.session = s.id AND h.collection = {:c} AND h.record = {:r} WHERE s.user = {:u})
		OR EXISTS (SELECT 1 FROM ` + tableMutations + ` WHERE client = {:cl} AND collection = {:c} AND record = {:r}
			AND user = {:u} AND status = {:applied})`).
		Bind(dbx.Params{"u": auth.Id, "cl": st.client, "c": collection, "r": id, "applied": wire.StatusApplied}).Row(&n)
	if err != nil {
		return false, fmt.Errorf("held or written: %w", err)
	}
	return n > 0, nil
}

// loadCreate builds the record a create mutation asks for, the way
// PocketBase's create handler loads a request body, and checks the
// collection's create rule against it (canCreate).
func loadCreate(tx core.App, st *pushState, auth *core.Record, coll *core.Collection, m *wire.Mutation) (*core.Record, bool, error) {
	rec := core.NewRecord(coll)
	rec.Set(core.FieldNameId, m.Record)
	data := withFiles(rec, m, st.files[m.ID])
	form := forms.NewRecordUpsert(tx, rec)
	if auth.IsSuperuser() {
		form.GrantSuperuserAccess()
	}
	form.Load(data)
	ok, err := canCreate(tx, st, coll, rec, requestInfo(auth, http.MethodPost, data))
	return rec, ok, err
}

// withFiles merges the mutation's uploaded files into its data (added to
// a field's files on an update) and resolves PocketBase's modifiers.
func withFiles(rec *core.Record, m *wire.Mutation, files map[string][]*filesystem.File) map[string]any {
	data := make(map[string]any, len(m.Data)+len(files))
	maps.Copy(data, m.Data)
	for field, uploaded := range files {
		key := field
		if m.Op == wire.OpUpdate {
			key = field + "+"
		}
		var vals []any
		if existing, ok := data[key].([]any); ok {
			vals = append(vals, existing...)
		} else if s, ok := data[key].(string); ok && s != "" {
			vals = append(vals, s)
		}
		for _, f := range uploaded {
			vals = append(vals, f)
		}
		data[key] = vals
	}
	return rec.ReplaceModifiers(data)
}
