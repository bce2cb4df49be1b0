package tabletsync

import (
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/listrule"
)

// ruleFilter applies an API rule to a record lookup, as the REST handlers do.
func ruleFilter(app core.App, coll *core.Collection, rule *string, info *core.RequestInfo) func(q *dbx.SelectQuery) error {
	return func(q *dbx.SelectQuery) error {
		if rule == nil || *rule == "" {
			return nil
		}
		resolver := core.NewRecordFieldResolver(app, coll, info, true)
		expr, err := search.FilterData(*rule).BuildExpr(resolver)
		if err != nil {
			return err
		}
		q.AndWhere(expr)
		return resolver.UpdateQuery(q)
	}
}

// applyRule filters q by an API rule for the caller (nothing for superusers).
func applyRule(app core.App, q *dbx.SelectQuery, coll *core.Collection, rule *string, info *core.RequestInfo) error {
	if info.HasSuperuserAuth() || rule == nil || *rule == "" {
		return nil
	}
	resolver := core.NewRecordFieldResolver(app, coll, info, true)
	expr, err := search.FilterData(*rule).BuildExpr(resolver)
	if err != nil {
		return fmt.Errorf("rule of %s: %w", coll.Name, err)
	}
	q.AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return fmt.Errorf("rule of %s: %w", coll.Name, err)
	}
	return nil
}

// recordsByRule loads those of ids the caller may see by the collection's
// rule (the list rule for a pull), the way the list API filters.
func recordsByRule(app core.App, name string, auth *core.Record, ids []string, ruleOf func(*core.Collection) *string) ([]*core.Record, error) {
	q, err := ruleQuery(app, name, auth, ids, ruleOf)
	if q == nil || err != nil {
		return nil, err
	}
	var recs []*core.Record
	if err := q.All(&recs); err != nil {
		return nil, fmt.Errorf("visible %s: %w", name, err)
	}
	return recs, nil
}

// visibleIDs returns those of ids the caller may see by the rule.
func visibleIDs(app core.App, name string, auth *core.Record, ids []string, ruleOf func(*core.Collection) *string) (map[string]bool, error) {
	q, err := ruleQuery(app, name, auth, ids, ruleOf)
	if q == nil || err != nil {
		return nil, err
	}
	var found []string
	if err := q.Select(name + ".id").Column(&found); err != nil {
		return nil, fmt.Errorf("visible %s: %w", name, err)
	}
	out := make(map[string]bool, len(found))
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// ruleQuery selects those of ids the rule lets auth see (nil: none).
func ruleQuery(app core.App, name string, auth *core.Record, ids []string, ruleOf func(*core.Collection) *string) (*dbx.SelectQuery, error) {
	coll, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", name, err)
	}
	info := requestInfo(auth, http.MethodGet, nil)
	rule := ruleOf(coll)
	if !info.HasSuperuserAuth() && rule == nil {
		return nil, nil
	}
	if !info.HasSuperuserAuth() && *rule != "" {
		// the rule as it reads for the caller, as a pull reads it: the
		// other roles' branches (and their joins) are not evaluated per id
		text, always, never, ok := listrule.Specialize(*rule, auth)
		switch {
		case !ok:
		case never:
			return nil, nil
		case always:
			rule = types.Pointer("")
		default:
			rule = &text
		}
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := app.RecordQuery(coll).AndWhere(inList(coll.Name+".id", args))
	if err := applyRule(app, q, coll, rule, info); err != nil {
		return nil, err
	}
	return q, nil
}
