// Package privacy keeps personal fields (collections.PersonalFields) from
// callers who may not see them: it hides them from the records a caller
// receives, and it refuses any client filter or sort — on a list request or
// a realtime subscription — whose field paths read such a field, through
// whatever relations, or whose relations would cost too much to run.
//
// PocketBase applies a joined collection's list rule to the records a
// filter reaches through a relation, but not inside its multi-match
// subqueries (`=`, `!=`, `~` … over a multiple relation, a back-relation or
// @collection range over every related record), and it knows nothing of
// fields hidden per caller. So a personal field is usable through a
// relation only by callers who see it on every record, and on the listed
// collection itself by callers who see it on every record the list rule
// gives them.
package privacy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/search"

	"yuetan/collections"
)

// Bounds on the relations a client's filter and sort may follow. Following
// a single relation joins one record. A multiple relation, a back-relation
// or :each joins many; as the first step from the listed records the rows
// joined are at most those of the related collection, but after another
// step every listed record sharing that step gets all of them again (with
// 20,000 issues, collected_by.issues_via_collected_by.title ran into
// PocketBase's 30 s query timeout), and two of them multiply each other.
// So: one such step, first, and a back-relation only through an indexed
// single relation field (a lookup, not a scan per row).
const (
	// MaxSteps is the most relations one field path may follow.
	MaxSteps = 3
	// MaxJoins is the most distinct relations a filter and sort may follow together.
	MaxJoins = 8
	// MaxFanOuts is the most steps that multiply rows a filter and sort may hold together.
	MaxFanOuts = 1
)

// Query is a client's filter and sort on a collection.
type Query struct {
	Collection *core.Collection
	// Rule is the API rule that scopes the records the query ranges over:
	// the list rule for a list or a collection subscription, the view
	// rule for a record subscription.
	Rule    *string
	Info    *core.RequestInfo
	Filters []string
	Sorts   []string
}

// Check refuses q (a 403 or 400 *router.ApiError) when one of its field
// paths reads a personal field where the caller does not see it, or when
// its relations exceed the bounds above. Superusers are not checked.
func Check(app core.App, q Query) error {
	var auth *core.Record
	if q.Info != nil {
		auth = q.Info.Auth
	}
	if auth != nil && auth.IsSuperuser() {
		return nil
	}
	filters, allMatch, err := filterFields(app, q)
	if err != nil {
		return refusal(400, search.FilterQueryParam, "invalid", "筛选条件无效。", err)
	}
	sorts, err := sortFields(app, q)
	if err != nil {
		return refusal(400, search.SortQueryParam, "invalid", "排序条件无效。", err)
	}
	var paths []path
	for _, set := range []struct {
		param string
		names []string
	}{{search.FilterQueryParam, filters}, {search.SortQueryParam, sorts}} {
		for _, name := range set.names {
			p, err := resolvePath(app, q.Collection, auth, name)
			if err != nil {
				return refusal(400, set.param, "invalid", "筛选或排序条件无效："+name+"。", err)
			}
			if !maySee(auth, q, p) {
				return refusal(403, set.param, "personal_field",
					fmt.Sprintf("不能按您无权查看的个人信息筛选或排序（%s）。", name), nil)
			}
			p.param, p.allMatch = set.param, set.param == search.FilterQueryParam && allMatch[name]
			paths = append(paths, p)
		}
	}
	return checkCost(paths)
}

// maySee reports whether the caller sees p's field on every record p can
// reach from the records q ranges over.
func maySee(auth *core.Record, q Query, p path) bool {
	if p.collection == nil {
		return true // the caller's own request data
	}
	switch collections.SightOf(auth, p.collection.Name, p.field) {
	case collections.SeesAll:
		return true
	case collections.SeesListed:
		return p.origin == fromBase && len(p.steps) == 0 && scopedByListRule(q)
	case collections.SeesOwn:
		return p.origin == fromSelf && len(p.steps) == 0
	}
	return false
}

// scopedByListRule reports whether q ranges only over records the
// collection's list rule gives the caller.
func scopedByListRule(q Query) bool {
	l := q.Collection.ListRule
	return q.Rule != nil && l != nil && *q.Rule == *l
}

// checkCost applies the bounds on relations to the paths of one query.
func checkCost(paths []path) error {
	joins, fanOuts := map[string]bool{}, map[string]bool{}
	for _, p := range paths {
		if p.origin == fromCollection {
			return refusal(400, p.param, "too_costly",
				fmt.Sprintf("筛选或排序不能用 @collection 关联整个集合（%s）。", p.raw), nil)
		}
		if len(p.steps) > MaxSteps {
			return refusal(400, p.param, "too_costly",
				fmt.Sprintf("筛选或排序最多经过 %d 层关联（%s）。", MaxSteps, p.raw), nil)
		}
		for i, s := range p.steps {
			joins[s.prefix] = true
			if s.kind == forward {
				continue
			}
			fanOuts[s.prefix] = true
			if i > 0 || p.origin != fromBase {
				return refusal(400, p.param, "too_costly", fmt.Sprintf(
					"一对多的关联（多选关联或反向关联 …_via_…）只能是从所查记录出发的第一步（%s）。", p.raw), nil)
			}
			if s.kind == back && (s.via.IsMultiple() || !s.indexed) {
				return refusal(400, p.param, "too_costly", fmt.Sprintf(
					"反向关联（…_via_…）只能经过有索引的单选关联字段（%s）。", p.raw), nil)
			}
		}
		if p.each {
			fanOuts[p.raw] = true
			if len(p.steps) > 0 {
				return refusal(400, p.param, "too_costly", fmt.Sprintf(
					":each 只能用于所查记录自己的字段（%s）。", p.raw), nil)
			}
		}
		if p.allMatch && p.fansOut() {
			return refusal(400, p.param, "all_match", fmt.Sprintf(
				"经过多选关联或反向关联筛选时，只能用「任一」运算符（?=、?!=、?~、?!~、?>、?>=、?<、?<=）：其他运算符要比对每一条关联记录，包括您无权查看的（%s）。", p.raw), nil)
		}
	}
	if len(joins) > MaxJoins {
		return refusal(400, search.FilterQueryParam, "too_costly",
			fmt.Sprintf("筛选和排序合计最多经过 %d 个关联，这里有 %d 个。", MaxJoins, len(joins)), nil)
	}
	if len(fanOuts) > MaxFanOuts {
		return refusal(400, search.FilterQueryParam, "too_costly", fmt.Sprintf(
			"筛选和排序合计最多有 %d 处一对多的关联（反向关联、多选关联或 :each），这里有 %d 处：%s。",
			MaxFanOuts, len(fanOuts), strings.Join(slices.Sorted(maps.Keys(fanOuts)), "、")), nil)
	}
	return nil
}

// filterFields returns every field path q's filters name, as PocketBase's
// own parser and resolver see them (function arguments included), and
// those of them PocketBase would check against every related record (a
// multi-match subquery: a multiple relation, a back-relation or :each
// compared with =, !=, ~, !~, <, … rather than ?=, ?!=, …).
func filterFields(app core.App, q Query) ([]string, map[string]bool, error) {
	rec := newRecorder(app, q)
	for _, f := range q.Filters {
		if f == "" {
			continue
		}
		if len(f) > search.MaxFilterLength {
			return nil, nil, search.ErrFilterLengthLimit
		}
		expr, err := search.FilterData(f).BuildExprWithLimit(rec, search.DefaultFilterExprLimit)
		if err != nil {
			return nil, nil, err
		}
		// building the SQL text (never run) is when PocketBase adds a
		// multi-match subquery, and only for the operators that need one
		expr.Build(sqlText, dbx.Params{})
	}
	return rec.names, rec.allMatch, nil
}

// sqlText builds SQL text; it has no connection.
var sqlText = dbx.NewFromDB(nil, "sqlite")

// sortFields returns every field path q's sorts name.
func sortFields(app core.App, q Query) ([]string, error) {
	rec := newRecorder(app, q)
	for _, s := range q.Sorts {
		if s == "" {
			continue
		}
		fields := search.ParseSortFromString(s)
		if len(fields) > search.DefaultSortExprLimit {
			return nil, search.ErrSortExprLimit
		}
		for _, f := range fields {
			if f.Name == "@random" || f.Name == "@rowid" {
				continue
			}
			if _, err := rec.Resolve(f.Name); err != nil {
				return nil, err
			}
		}
	}
	return rec.names, nil
}

// recorder is a search.FieldResolver that notes every field path PocketBase
// resolves while building an expression; resolution itself is PocketBase's.
type recorder struct {
	inner    *core.RecordFieldResolver
	names    []string
	allMatch map[string]bool // paths whose multi-match subquery was built
}

func newRecorder(app core.App, q Query) *recorder {
	return &recorder{inner: core.NewRecordFieldResolver(app, q.Collection, q.Info, false), allMatch: map[string]bool{}}
}

func (r *recorder) Resolve(name string) (*search.ResolverResult, error) {
	res, err := r.inner.Resolve(name)
	if err != nil {
		return nil, err
	}
	r.names = append(r.names, name)
	if mm := res.MultiMatchSubQuery; mm != nil {
		// a join whose condition reports when the subquery is built
		mm.Joins = append(mm.Joins, &search.Join{TableName: "yuetan_marker", TableAlias: "yuetan_marker",
			On: marker(func() { r.allMatch[name] = true })})
	}
	return res, nil
}

func (r *recorder) UpdateQuery(*dbx.SelectQuery) error { return nil }

// marker is a SQL expression that calls itself when built.
type marker func()

func (m marker) Build(*dbx.DB, dbx.Params) string {
	m()
	return "1=1"
}

// refusal builds the API error for a refused filter or sort.
func refusal(status int, param, code, message string, cause error) *router.ApiError {
	data := validation.Errors{param: validation.NewError(code, message)}
	if status == 403 {
		return router.NewForbiddenError(message, data)
	}
	e := router.NewBadRequestError(message, data)
	if cause != nil {
		e.Data[param] = map[string]any{"code": code, "message": message + " " + cause.Error()}
	}
	return e
}
