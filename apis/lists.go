package apis

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/search"

	"yuetan/listrule"
)

// listHints is the id of the middleware that adds the caller's branch of
// a list rule to a records list request.
const listHints = "yuetan.listHints"

// hintList is a router middleware on PocketBase's records list API: it
// ANDs the caller's own branch of the collection's list rule
// (listrule.Hint) to the request's filter. PocketBase still applies the
// whole rule, so the caller sees exactly what the rule lets it see; the
// hint only lets SQLite find those records through an index instead of
// testing every role's branch on every row of the table. It runs after
// the privacy guard, which checks the client's own filter.
func hintList(e *core.RequestEvent) error {
	coll := listrule.Listed(e)
	if coll == nil {
		return e.Next()
	}
	// PocketBase reads the client's own filter from the request info (its
	// throttle of repeated empty searches, its superuser-only fields
	// check): take it before the hint is added, so they see the client's.
	info, err := e.RequestInfo()
	if err != nil || info.HasSuperuserAuth() {
		return e.Next()
	}
	hint := listrule.Hint(coll.ListRule, info.Auth)
	if hint == "" || !buildsAsFilter(e.App, coll, info, hint) {
		return e.Next()
	}
	q := e.Request.URL.Query()
	if f := q.Get(search.FilterQueryParam); f != "" {
		hint = "(" + hint + ") && (" + f + ")"
	}
	q.Set(search.FilterQueryParam, hint)
	e.Request.URL.RawQuery = q.Encode()
	return e.Next()
}

// buildsAsFilter reports whether filter builds as a client's filter would
// (hidden fields refused): a hint PocketBase would refuse is left out
// rather than turning the caller's list into an error.
func buildsAsFilter(app core.App, coll *core.Collection, info *core.RequestInfo, filter string) bool {
	resolver := core.NewRecordFieldResolver(app, coll, info, false)
	_, err := search.FilterData(filter).BuildExpr(resolver)
	return err == nil
}

// listHintsHandler binds hintList after the privacy guard (priority 0).
var listHintsHandler = &hook.Handler[*core.RequestEvent]{Id: listHints, Func: hintList, Priority: 10}
