package tabletsync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/forms"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"

	"yuetan/collections"
	"yuetan/messages"
	"yuetan/savectx"
	"yuetan/siteurl"
)

// Result is the outcome of one mutation, in the order of the push.
type Result struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Outcome is, for a duplicate, what the first push of it got.
	Outcome string `json:"outcome,omitempty"`
	// Seq is the record's feed position after the mutation (the base for
	// the tablet's next edit of it).
	Seq int64 `json:"seq,omitempty"`
	// Record is the record as the server has it now (applied, duplicate,
	// conflict), as the caller may see it.
	Record *core.Record `json:"record,omitempty"`
	// Error says why a mutation was rejected or conflicted, in
	// PocketBase's error shape with a message for people.
	Error *router.ApiError `json:"error,omitempty"`

	collection, record string
	show               bool
	first              int64        // the first feed seq the mutation wrote
	saved              *core.Record // the record as this mutation saved it
}

// PushResponse is the body of POST /api/sync/push. Cursor echoes the
// client's pull cursor: a push never moves it, so the next pull brings the
// tablet's own writes back with what the server set on them.
type PushResponse struct {
	Results []Result `json:"results"`
	Cursor  string   `json:"cursor"`
}

func (s *service) push(e *core.RequestEvent) error {
	if err := checkSchema(e); err != nil {
		return err
	}
	req, err := readPush(e)
	if err != nil {
		return err
	}
	if err := checkMutations(e.App, req); err != nil {
		return apis.NewBadRequestError("同步请求中有无效的变更，本次未写入任何数据。", err)
	}
	hashes := make([]string, len(req.Mutations))
	for i := range req.Mutations {
		if hashes[i], err = req.Mutations[i].hash(); err != nil {
			return apis.NewBadRequestError("无法读取随变更提交的文件。", err)
		}
	}
	results, err := s.apply(e.App, e.Auth, siteurl.Origin(e.Request), req, hashes)
	if err != nil {
		e.App.Logger().Error("sync push", "client", req.Client, "error", err)
		return apis.NewInternalServerError("同步失败，本次未写入任何数据，请稍后重试。", err)
	}
	if err := showRecords(e, results); err != nil {
		return apis.NewInternalServerError("", err)
	}
	return e.JSON(http.StatusOK, PushResponse{Results: results, Cursor: req.Cursor})
}

// readPush reads a JSON body, or a multipart one whose "@jsonPayload" part
// is the JSON and whose file parts are named "<mutation id>.<field>".
func readPush(e *core.RequestEvent) (*PushRequest, error) {
	tooLarge := func(err error) bool {
		var mb *http.MaxBytesError
		return errors.As(err, &mb)
	}
	if !strings.HasPrefix(e.Request.Header.Get("Content-Type"), "multipart/form-data") {
		raw, err := io.ReadAll(io.LimitReader(e.Request.Body, MaxPushJSON+1))
		if tooLarge(err) || len(raw) > MaxPushJSON {
			return nil, router.NewApiError(http.StatusRequestEntityTooLarge, "同步数据过大，请分批提交。", nil)
		}
		if err != nil {
			return nil, apis.NewBadRequestError("无法读取同步请求。", err)
		}
		req, err := DecodePush(raw)
		if err != nil {
			return nil, apis.NewBadRequestError("同步请求格式错误，本次未写入任何数据。", err)
		}
		return req, nil
	}
	if err := e.Request.ParseMultipartForm(32 << 20); err != nil {
		if tooLarge(err) {
			return nil, router.NewApiError(http.StatusRequestEntityTooLarge, "同步数据过大，请分批提交。", nil)
		}
		return nil, apis.NewBadRequestError("无法读取同步请求（multipart）。", err)
	}
	form := e.Request.MultipartForm
	payload := form.Value["@jsonPayload"]
	if len(payload) != 1 || len(payload[0]) > MaxPushJSON {
		return nil, badRequest("@jsonPayload", "missing_payload", "multipart 同步请求须有且只有一个 @jsonPayload 部分。")
	}
	req, err := DecodePush([]byte(payload[0]))
	if err != nil {
		return nil, apis.NewBadRequestError("同步请求格式错误，本次未写入任何数据。", err)
	}
	byID := make(map[string]*Mutation, len(req.Mutations))
	for i := range req.Mutations {
		byID[req.Mutations[i].ID] = &req.Mutations[i]
	}
	for key, headers := range form.File {
		id, field, ok := strings.Cut(key, ".")
		m := byID[id]
		if !ok || m == nil || field == "" {
			return nil, badRequest("files", "unknown_file_part", "文件部分的名称须为“变更编号.字段名”，且变更编号在本次同步中："+clip(key))
		}
		for _, fh := range headers {
			f, err := filesystem.NewFileFromMultipart(fh)
			if err != nil {
				return nil, apis.NewBadRequestError("无法读取随变更提交的文件。", err)
			}
			if m.files == nil {
				m.files = map[string][]*filesystem.File{}
			}
			m.files[field] = append(m.files[field], f)
		}
	}
	for k := range form.Value {
		if k != "@jsonPayload" {
			return nil, badRequest("body", "unknown_part", "multipart 同步请求中有未知部分："+clip(k))
		}
	}
	return req, nil
}

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
func (s *service) apply(app core.App, auth *core.Record, origin string, req *PushRequest, hashes []string) ([]Result, error) {
	ctx := savectx.WithOrigin(savectx.AsUser(context.Background(), auth), origin)
	settled := map[int]Result{} // refused after writing, in an earlier pass
	for {
		results := make([]Result, len(req.Mutations))
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
			st := &pushState{client: req.Client, own: map[string]writes{}, rules: map[string]bool{}, shapes: map[string]bool{}}
			st.sqlDB, _ = app.ConcurrentDB().(*dbx.DB)
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
					case res.Status == StatusApplied:
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
	own    map[string]writes // what this push's applied mutations wrote, by record
	rules  map[string]bool   // answers of standalone create rules, by rule and body values
	shapes map[string]bool   // whether a create rule is standalone, by collection and rule
	sqlDB  *dbx.DB           // for building (quoting) expressions
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
func mutate(tx core.App, ctx context.Context, auth *core.Record, st *pushState, m *Mutation) Result {
	res := Result{ID: m.ID, collection: m.Collection, record: m.Record}
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
	exists := func() (Result, bool) {
		visible, err := visibleIDs(tx, coll.Name, auth, []string{m.Record}, func(c *core.Collection) *string { return c.ViewRule })
		if err != nil || !visible[m.Record] {
			return Result{}, false
		}
		ver, _, _ := findVersion(db, coll.Name, m.Record)
		res.show = true
		return res.conflict(router.NewApiError(http.StatusConflict, "这条记录已经提交过，服务器上已有，请以服务器上的记录为准。", nil), ver.Seq), true
	}
	// an update or delete of a record the caller may not write, or that
	// does not exist (or is deleted and was never the caller's): one answer
	missing := func() Result {
		msg := "记录不存在，或您无权修改这条记录。"
		if m.Op == OpDelete {
			msg = "记录不存在，或您无权删除这条记录。"
		}
		return res.reject(router.NewNotFoundError(msg, nil))
	}
	var saved *core.Record
	switch m.Op {
	case OpCreate:
		rec := core.NewRecord(coll)
		saved = rec
		rec.Set(core.FieldNameId, m.Record)
		data := withFiles(rec, m)
		info := requestInfo(auth, http.MethodPost, data)
		form := forms.NewRecordUpsert(tx, rec)
		if superuser {
			form.GrantSuperuserAccess()
		}
		form.Load(data)
		if ok, err := canCreate(tx, st, coll, rec, info); err != nil || !ok {
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
	case OpUpdate, OpDelete:
		current, _ := tx.FindRecordById(coll, m.Record)
		ver, versioned, err := findVersion(db, coll.Name, m.Record)
		if err != nil {
			return res.reject(err)
		}
		if current == nil {
			known := false
			if versioned && ver.Op == OpDelete {
				if known, err = heldOrWritten(db, auth, st, coll.Name, m.Record); err != nil {
					return res.reject(err)
				}
			}
			if known {
				if m.Op == OpDelete {
					// already gone: what the tablet asked for holds
					res.Status, res.Seq = StatusApplied, ver.Seq
					return res
				}
				return res.conflict(router.NewApiError(http.StatusConflict, "这条记录已在服务器上删除，您的修改无法保存。", nil), ver.Seq)
			}
			return missing()
		}
		data := withFiles(current, m)
		method, rule := http.MethodPatch, coll.UpdateRule
		if m.Op == OpDelete {
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
			if m.Op == OpDelete {
				fields = nil
			}
			since := ver.changedSince(m.Base, fields, m.Op == OpDelete)
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
				if m.Op == OpUpdate && fmt.Sprint(rec.Get(f)) == fmt.Sprint(data[f]) {
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
		if m.Op == OpDelete {
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
	res.Status = StatusApplied
	res.show = m.Op != OpDelete
	res.first, res.Seq = stashedSeqs(saved)
	if m.Op != OpDelete {
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
		Bind(dbx.Params{"u": auth.Id, "cl": st.client, "c": collection, "r": id, "applied": StatusApplied}).Row(&n)
	if err != nil {
		return false, fmt.Errorf("held or written: %w", err)
	}
	return n > 0, nil
}

func (r Result) reject(err error) Result {
	r.Status = StatusRejected
	r.Error = messages.Chinese(messages.Public(err))
	r.show = false
	return r
}

func (r Result) conflict(err *router.ApiError, seq int64) Result {
	r.Status = StatusConflict
	r.Seq = seq
	messages.Tidy(err)
	r.Error = err
	return r
}

func conflictError(op string, fields []string) *router.ApiError {
	if op == OpDelete {
		return router.NewApiError(http.StatusConflict, "这条记录在您离线期间已被他人修改，未删除。请核对服务器上的内容后再决定。", nil)
	}
	errs := validation.Errors{}
	for _, f := range fields {
		errs[f] = validation.NewError("changed_since_base", "该字段在您离线期间已被他人修改。")
	}
	return router.NewApiError(http.StatusConflict,
		fmt.Sprintf("这条记录在您离线期间已被他人修改（%s），您的修改未保存。请以服务器上的内容为准后重新修改。", strings.Join(fields, "、")), errs)
}

// mergeable lists the fields of data a stale update is checked on: all
// but the workflow's, which the state machine decides whatever the base.
func mergeable(collection string, data map[string]any) []string {
	wf := workflowFields(collection)
	var out []string
	for k := range data {
		f := fieldOfKey(k)
		if !containsString(wf, f) && !containsString(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// withFiles merges the mutation's uploaded files into its data (added to
// a field's files on an update) and resolves PocketBase's modifiers.
func withFiles(rec *core.Record, m *Mutation) map[string]any {
	data := make(map[string]any, len(m.Data)+len(m.files))
	maps.Copy(data, m.Data)
	for field, files := range m.files {
		key := field
		if m.Op == OpUpdate {
			key = field + "+"
		}
		var vals []any
		if existing, ok := data[key].([]any); ok {
			vals = append(vals, existing...)
		} else if s, ok := data[key].(string); ok && s != "" {
			vals = append(vals, s)
		}
		for _, f := range files {
			vals = append(vals, f)
		}
		data[key] = vals
	}
	return rec.ReplaceModifiers(data)
}

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

var bodyFieldRE = regexp.MustCompile(`@request\.body\.(\w+)`)

// bodyFieldsOf lists the request body fields a rule reads.
func bodyFieldsOf(rule string) []string {
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

// loggedMutation is a remembered mutation.
type loggedMutation struct {
	ID     string `db:"id"`
	User   string `db:"user"`
	Hash   string `db:"hash"`
	Status string `db:"status"`
	Seq    int64  `db:"seq"`
	Error  string `db:"error"`
}

func loggedMutations(tx core.App, req *PushRequest) (map[string]loggedMutation, error) {
	out := map[string]loggedMutation{}
	const per = 500
	for start := 0; start < len(req.Mutations); start += per {
		part := req.Mutations[start:min(start+per, len(req.Mutations))]
		ids := make([]any, len(part))
		for i, m := range part {
			ids[i] = m.ID
		}
		var rows []loggedMutation
		err := tx.NonconcurrentDB().Select("id", "user", "hash", "status", "seq", "error").From(tableMutations).
			Where(dbx.HashExp{"client": req.Client}).AndWhere(inList("id", ids)).All(&rows)
		if err != nil {
			return nil, fmt.Errorf("read mutation log: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}

// replay answers a retried mutation with its first outcome, writing nothing.
func (l loggedMutation) replay(m *Mutation, user, hash string) Result {
	res := Result{ID: m.ID, collection: m.Collection, record: m.Record}
	switch {
	case l.User != user:
		return res.reject(router.NewForbiddenError("该变更编号已被其他账号使用，请为这条修改换一个编号。", nil))
	case l.Hash != hash:
		return res.reject(router.NewApiError(http.StatusConflict,
			"该变更编号已提交过不同的内容，本次未写入。新的修改须使用新的变更编号。", nil))
	}
	res.Status, res.Outcome, res.Seq = StatusDuplicate, l.Status, l.Seq
	if l.Error != "" {
		var e router.ApiError
		if json.Unmarshal([]byte(l.Error), &e) == nil {
			res.Error = &e
		}
	}
	res.show = l.Status != StatusRejected
	return res
}

// logRow is a mutation to remember.
type logRow struct {
	m    *Mutation
	hash string
	res  Result
}

// logMutations remembers a push's answered mutations, in one statement
// whose only parameter is the rows as JSON.
func logMutations(tx core.App, client, user string, rows []logRow) error {
	if len(rows) == 0 {
		return nil
	}
	data := make([][9]any, len(rows))
	for i, r := range rows {
		var errText string
		if r.res.Error != nil {
			raw, err := json.Marshal(r.res.Error)
			if err != nil {
				return err
			}
			errText = string(raw)
		}
		data[i] = [9]any{r.m.ID, r.hash, r.m.Collection, r.m.Record, r.m.Op, r.res.Status, r.res.Seq, errText, r.res.first}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = tx.NonconcurrentDB().NewQuery(`INSERT INTO ` + tableMutations + `
		(client, user, id, hash, collection, record, op, status, seq, error, first)
		SELECT {:client}, {:user}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
			json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
			json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]')
		FROM json_each({:data})`).
		Bind(dbx.Params{"client": client, "user": user, "data": string(raw)}).Execute()
	if err != nil {
		return fmt.Errorf("log mutations: %w", err)
	}
	return nil
}

// showRecords loads, after the commit, the records the results show, as
// the caller may view them.
// showRecords attaches, after the commit, the records the results show, as
// the caller may view them: the saved records themselves when the view rule
// lets the caller see them, else (conflicts, duplicates) as stored now.
func showRecords(e *core.RequestEvent, results []Result) error {
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

// writes are the feed seq ranges (first, last] a client's applied
// mutations of one record wrote.
type writes [][2]int64

func (w writes) contains(seq int64) bool {
	for _, r := range w {
		if seq >= r[0] && seq <= r[1] {
			return true
		}
	}
	return false
}

// ownWrites returns what the client's own applied mutations of a record
// wrote after base (this push's earlier ones included).
func ownWrites(db dbx.Builder, client, collection, record string, base int64) (writes, error) {
	var rows []struct {
		First int64 `db:"first"`
		Seq   int64 `db:"seq"`
	}
	err := db.Select("first", "seq").From(tableMutations).
		Where(dbx.HashExp{"client": client, "collection": collection, "record": record, "status": StatusApplied}).
		AndWhere(dbx.NewExp("seq > {:base}", dbx.Params{"base": base})).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("own writes: %w", err)
	}
	out := make(writes, len(rows))
	for i, r := range rows {
		out[i] = [2]int64{r.First, r.Seq}
	}
	return out, nil
}
