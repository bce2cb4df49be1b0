// Package listrule applies a collection's list rule to a query of our own
// exactly as PocketBase's records list API applies it, so a custom route
// or an export that reads records in SQL never restates who may read
// them: the figures, the ledger (台账) and anything else that counts or
// writes out records call Narrow.
package listrule

import (
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// ListRoute is the route pattern of PocketBase's records list API.
const ListRoute = http.MethodGet + " /api/collections/{collection}/records"

// Listed returns the collection e lists when e is a request of
// PocketBase's records list API; nil otherwise, or when it names no
// collection (PocketBase answers that one 404).
func Listed(e *core.RequestEvent) *core.Collection {
	if e.Request.Pattern != ListRoute {
		return nil
	}
	coll, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil {
		return nil
	}
	return coll
}

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
	for _, filter := range []string{Hint(coll.ListRule, viewer.Auth), *coll.ListRule} {
		if filter == "" {
			continue
		}
		expr, err := search.FilterData(filter).BuildExpr(resolver)
		if err != nil {
			return fmt.Errorf("list rule of %s: %w", collection, err)
		}
		q.AndWhere(expr)
	}
	if err := resolver.UpdateQuery(q); err != nil {
		return fmt.Errorf("list rule of %s: %w", collection, err)
	}
	return nil
}

// noRecord is a filter no record passes, answered from the primary key
// (record ids are [a-z0-9]: "-" is none).
const noRecord = `id = "-"`

// Hint is the filter a list by auth (nil: a guest) narrows by beside the
// collection's list rule: the rule specialized to the caller (Specialize).
// ANDed with the rule it changes nothing the caller sees, but where the
// whole rule, every role's branches ORed, makes SQLite scan the table,
// the caller's own branch plans as an index search. "" when it would not
// narrow (the rule is empty or always true for the caller, or has what
// Specialize does not rewrite).
func Hint(rule *string, auth *core.Record) string {
	if rule == nil || *rule == "" {
		return ""
	}
	text, always, never, ok := Specialize(*rule, auth)
	switch {
	case !ok || always:
		return ""
	case never:
		return noRecord
	}
	return text
}
