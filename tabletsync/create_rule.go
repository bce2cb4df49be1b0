package tabletsync

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"
)

// This file copies PocketBase's create rule check, because PocketBase
// keeps it inside its REST handler: recordCreate in apis/record_crud.go of
// github.com/pocketbase/pocketbase v0.39.11 (the "check the request and
// record data against the create and manage rules" block). When go.mod
// moves to another PocketBase version, compare that block with canCreate;
// TestCanCreateAgreesWithREST checks both agree for every role × pushable
// collection. Left out: the manage rule (for auth collections, which no
// tablet pushes) and SetVerified(false) (likewise).

// canCreate checks the create rule against the record about to be created,
// the way PocketBase's create handler does: the record's values stand in a
// one-row CTE named after the collection. A rule that reads nothing of the
// record nor of other tables (issues: "@request.body.community =
// @request.auth.org" and role checks) depends only on its parameters: it
// is evaluated alone, once per push for equal parameters (cache).
func canCreate(tx core.App, st *pushState, coll *core.Collection, rec *core.Record, info *core.RequestInfo) (bool, error) {
	if info.HasSuperuserAuth() {
		return true, nil
	}
	if coll.CreateRule == nil {
		return false, nil
	}
	if *coll.CreateRule == "" {
		return true, nil
	}
	// the rule's shape decides whether its value depends on more than the
	// request body fields it reads; then equal values give equal answers
	body := bodyFieldsOf(*coll.CreateRule)
	var values strings.Builder
	for _, f := range body {
		v, ok := info.Body[f]
		fmt.Fprintf(&values, "%s=%t:%#v;", f, ok, v)
	}
	shapeKey := coll.Id + "\x00" + *coll.CreateRule
	valueKey := shapeKey + "\x00" + values.String()
	if standaloneShape, known := st.shapes[shapeKey]; known && standaloneShape {
		if v, hit := st.rules[valueKey]; hit {
			return v, nil
		}
	}
	suffix := "__pb_create__" + security.PseudorandomString(6)
	dc := *coll
	dc.Id += suffix
	dc.Name += inflector.Columnify(suffix)
	resolver := core.NewRecordFieldResolver(tx, &dc, info, true)
	expr, err := search.FilterData(*dc.CreateRule).BuildExpr(resolver)
	if err != nil {
		return false, err
	}
	var exists int
	if standalone(st.sqlDB, resolver, expr, dc.Name, info.Auth) {
		st.shapes[shapeKey] = true
		q := tx.NonconcurrentDB().Select("(1)").From("(SELECT 1) AS __one").AndWhere(expr)
		if err := resolver.UpdateQuery(q); err != nil {
			return false, err
		}
		if err := q.Limit(1).Row(&exists); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		st.rules[valueKey] = exists > 0
		return exists > 0, nil
	}
	st.shapes[shapeKey] = false
	export, err := rec.Clone().DBExport(tx)
	if err != nil {
		return false, err
	}
	params := make(dbx.Params, len(export))
	selects := make([]string, 0, len(export))
	for k, v := range export {
		k = inflector.Columnify(k)
		p := "__pb_create__" + k
		params[p] = v
		selects = append(selects, "{:"+p+"} AS [["+k+"]]")
	}
	q := tx.NonconcurrentDB().Select("(1)").
		PreFragment(fmt.Sprintf("WITH {{%s}} as (SELECT %s)", dc.Name, strings.Join(selects, ","))).
		From(dc.Name).AndBind(params)
	q.AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return false, err
	}
	if err := q.Limit(1).Row(&exists); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	return exists > 0, nil
}

var (
	bodyFieldRE = regexp.MustCompile(`@request\.body\.(\w+)`)
	bodyFields  sync.Map // rule → []string
)

// bodyFieldsOf lists the request body fields a rule reads.
func bodyFieldsOf(rule string) []string {
	if v, ok := bodyFields.Load(rule); ok {
		return v.([]string)
	}
	out := readBodyFields(rule)
	bodyFields.Store(rule, out)
	return out
}

func readBodyFields(rule string) []string {
	var out []string
	for _, m := range bodyFieldRE.FindAllStringSubmatch(rule, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// standalone reports whether a built rule reads neither the record nor any
// table but the caller's own auth record (PocketBase joins it for
// "@request.auth.*", and a push never changes it).
func standalone(db *dbx.DB, resolver *core.RecordFieldResolver, expr dbx.Expression, table string, auth *core.Record) bool {
	if db == nil || auth == nil {
		return false
	}
	probe := db.Select("(1)")
	if err := resolver.UpdateQuery(probe); err != nil {
		return false
	}
	for _, j := range probe.Info().Join {
		if j.Table != auth.Collection().Name+" __auth_"+auth.Collection().Name {
			return false
		}
	}
	return !strings.Contains(expr.Build(db, dbx.Params{}), table)
}
