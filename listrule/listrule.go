// Package listrule applies a collection's list rule to a query of our own
// exactly as PocketBase's records list API applies it, so a custom route
// or an export that reads records in SQL never restates who may read
// them: the figures, the ledger (台账) and anything else that counts or
// writes out records call Narrow.
package listrule

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// Narrow narrows q, a query on collection (selected FROM its table under
// its own name), to the records the collection's list rule lets viewer
// see: a superuser sees all; no viewer, or no rule (superusers only),
// none; an empty rule, all.
func Narrow(app core.App, q *dbx.SelectQuery, collection string, viewer *core.RequestInfo) error {
	if viewer == nil {
		q.AndWhere(dbx.NewExp("1 = 0"))
		return nil
	}
	if viewer.HasSuperuserAuth() {
		return nil
	}
	coll, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return fmt.Errorf("list rule of %s: %w", collection, err)
	}
	switch {
	case coll.ListRule == nil:
		q.AndWhere(dbx.NewExp("1 = 0"))
		return nil
	case *coll.ListRule == "":
		return nil
	}
	resolver := core.NewRecordFieldResolver(app, coll, viewer, true)
	expr, err := search.FilterData(*coll.ListRule).BuildExpr(resolver)
	if err != nil {
		return fmt.Errorf("list rule of %s: %w", collection, err)
	}
	q.AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return fmt.Errorf("list rule of %s: %w", collection, err)
	}
	return nil
}
