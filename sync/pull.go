package sync

import (
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"

	"yuetan/collections"
)

// Change is one entry of a pull: a record to upsert (as the list API would
// show it to the caller) or to delete.
type Change struct {
	Seq        int64        `json:"seq"`
	Collection string       `json:"collection"`
	ID         string       `json:"id"`
	Op         string       `json:"op"`
	Record     *core.Record `json:"record,omitempty"`
}

// PullResponse is the body of GET /api/sync/pull.
type PullResponse struct {
	Changes []Change `json:"changes"`
	Cursor  string   `json:"cursor"`
	More    bool     `json:"more"`
}

// How much of the feed one pull may scan looking for the caller's changes:
// a user with a small scope in a large district gets a short (even empty)
// page with more=true rather than a slow one.
const (
	firstChunk = 500
	maxChunk   = 5000
	scanBudget = 300 * time.Millisecond
)

func (s *service) pull(e *core.RequestEvent) error {
	if err := checkSchema(e); err != nil {
		return err
	}
	q := e.Request.URL.Query()
	limit := DefaultPullLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPullLimit {
			return badRequest("limit", "invalid_limit", fmt.Sprintf("每页条数应为 1 到 %d 之间的整数。", MaxPullLimit))
		}
		limit = n
	}
	cur, err := ParseCursor(q.Get("cursor"))
	if err != nil {
		return badRequest("cursor", "invalid_cursor", "同步游标无效：请使用服务器返回的游标，或留空从头完整同步。")
	}
	client := q.Get("client")
	if client != "" && !validClientID(client) {
		return badRequest("client", "invalid_client", "设备编号无效：只能包含字母、数字和 . _ : -，最长 100 个字符。")
	}
	scope := scopeKey(e.App, e.Auth)
	if cur.Session == 0 {
		id, err := newSession(e.App, e.Auth.Id, client, scope)
		if err != nil {
			return e.InternalServerError("", err)
		}
		cur = Cursor{Session: id}
	} else if err := checkSession(e.App, cur, e.Auth.Id, scope); err != nil {
		return err
	}
	res, err := s.readPage(e, e.Auth, cur, limit)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, res)
}

// scopeKey fingerprints everything that decides what a user may pull: who
// they are, their role and org, and the list rules. A pull session is tied
// to it; when it changes, the tablet must sync again from scratch.
func scopeKey(app core.App, auth *core.Record) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "v%d|%s|%s|%s|%s|%s", SchemaVersion, auth.Collection().Name, auth.Id,
		auth.GetString(collections.UserRole), auth.GetString(collections.UserOrg), auth.GetString(collections.UserLeaderRank))
	for _, en := range Table {
		if en.Dir&Down == 0 {
			continue
		}
		rule := "<none>"
		if c, err := app.FindCachedCollectionByNameOrId(en.Collection); err == nil && c.ListRule != nil {
			rule = *c.ListRule
		}
		fmt.Fprintf(h, "|%s:%s:%s", en.Collection, rule, strings.Join(en.Fields, ","))
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

func newSession(app core.App, user, client, scope string) (int64, error) {
	var id int64
	err := app.RunInTransaction(func(tx core.App) error {
		if client != "" {
			// a device starting over drops what its earlier sessions held
			if err := dropSessions(tx, dbx.HashExp{"user": user, "client": client}); err != nil {
				return err
			}
		}
		res, err := tx.DB().Insert(tableSessions, dbx.Params{"user": user, "client": client, "scope": scope}).Execute()
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

func dropSessions(tx core.App, where dbx.Expression) error {
	var ids []int64
	if err := tx.DB().Select("id").From(tableSessions).Where(where).Column(&ids); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.DB().Delete(tableHeld, dbx.HashExp{"session": id}).Execute(); err != nil {
			return err
		}
		if _, err := tx.DB().Delete(tableSessions, dbx.HashExp{"id": id}).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// checkSession accepts a cursor of the caller's own, current session.
func checkSession(app core.App, cur Cursor, user, scope string) error {
	var s struct {
		User  string `db:"user"`
		Scope string `db:"scope"`
	}
	err := app.DB().Select("user", "scope").From(tableSessions).Where(dbx.HashExp{"id": cur.Session}).One(&s)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return resync("同步会话已过期，请重新完整同步。")
	case err != nil:
		return apis.NewInternalServerError("", err)
	case s.User != user:
		return badRequest("cursor", "invalid_cursor", "同步游标无效：请使用服务器返回的游标，或留空从头完整同步。")
	case s.Scope != scope:
		return resync("您的角色、所属单位或数据权限已变更，请重新完整同步。")
	}
	if horizon := prunedThrough(app); cur.Seq < horizon {
		return resync("离上次同步太久，部分删除记录已清理，请重新完整同步。")
	}
	return nil
}

// feedRow is a row of the change feed as a pull reads it.
type feedRow struct {
	Seq        int64  `db:"seq"`
	Collection string `db:"collection"`
	Record     string `db:"record"`
	Op         string `db:"op"`
}

// readPage walks the feed after cur and returns up to limit changes the
// caller may see: records its list rule lets it see now (upserts), and
// deletes for records this session handed out that are gone or no longer
// visible. The cost follows the number of changes, not the table sizes.
func (s *service) readPage(e *core.RequestEvent, auth *core.Record, cur Cursor, limit int) (*PullResponse, error) {
	app := e.App
	deadline := time.Now().Add(scanBudget)
	out := &PullResponse{Changes: []Change{}}
	after := cur.Seq
	chunk := max(firstChunk, limit)
	for {
		var rows []feedRow
		err := app.DB().NewQuery("SELECT seq, collection, record, op FROM " + tableChanges +
			" WHERE seq > {:after} ORDER BY seq LIMIT {:n}").
			Bind(dbx.Params{"after": after, "n": chunk}).All(&rows)
		if err != nil {
			return nil, fmt.Errorf("read feed: %w", err)
		}
		items, err := resolveRows(app, auth, cur.Session, rows)
		if err != nil {
			return nil, err
		}
		full := false
		for i, r := range rows {
			after = r.Seq
			if it := items[i]; it.Op != "" {
				out.Changes = append(out.Changes, it)
				if len(out.Changes) == limit {
					full = true
					out.More = i < len(rows)-1 || len(rows) == chunk
					break
				}
			}
		}
		if full {
			break
		}
		if len(rows) < chunk {
			break
		}
		if time.Now().After(deadline) {
			out.More = true
			break
		}
		chunk = min(chunk*2, maxChunk)
	}
	if err := finishChanges(e, out.Changes); err != nil {
		return nil, err
	}
	if err := rememberHeld(app, cur.Session, out.Changes); err != nil {
		return nil, err
	}
	out.Cursor = Cursor{Session: cur.Session, Seq: after}.String()
	return out, nil
}

// resolveRows decides, row by row, what the caller gets: an upsert with
// the record, a delete, or nothing (Op "").
func resolveRows(app core.App, auth *core.Record, session int64, rows []feedRow) ([]Change, error) {
	byColl := map[string][]string{}
	for _, r := range rows {
		if r.Op == OpUpsert && downSynced(r.Collection) {
			byColl[r.Collection] = append(byColl[r.Collection], r.Record)
		}
	}
	visible := map[string]map[string]*core.Record{}
	for name, ids := range byColl {
		recs, err := recordsByRule(app, name, auth, ids, func(c *core.Collection) *string { return c.ListRule })
		if err != nil {
			return nil, err
		}
		m := make(map[string]*core.Record, len(recs))
		for _, r := range recs {
			m[r.Id] = r
		}
		visible[name] = m
	}
	// what else this session may hold and must drop
	candidates := map[string][]string{}
	for _, r := range rows {
		if downSynced(r.Collection) && visible[r.Collection][r.Record] == nil {
			candidates[r.Collection] = append(candidates[r.Collection], r.Record)
		}
	}
	held := map[string]map[string]sql.NullInt64{}
	for name, ids := range candidates {
		h, err := heldRecords(app, session, name, ids)
		if err != nil {
			return nil, err
		}
		held[name] = h
	}
	out := make([]Change, len(rows))
	for i, r := range rows {
		if rec := visible[r.Collection][r.Record]; rec != nil {
			out[i] = Change{Seq: r.Seq, Collection: r.Collection, ID: r.Record, Op: OpUpsert, Record: rec}
			continue
		}
		if gone, ok := held[r.Collection][r.Record]; ok && (!gone.Valid || gone.Int64 >= r.Seq) {
			out[i] = Change{Seq: r.Seq, Collection: r.Collection, ID: r.Record, Op: OpDelete}
		}
	}
	return out, nil
}

func downSynced(collection string) bool {
	e, ok := entry(collection)
	return ok && e.Dir&Down != 0
}

// recordsByRule loads those of ids the caller may see by the collection's
// rule (the list rule for a pull), the way the list API filters.
func recordsByRule(app core.App, name string, auth *core.Record, ids []string, ruleOf func(*core.Collection) *string) ([]*core.Record, error) {
	coll, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", name, err)
	}
	info := requestInfo(auth, http.MethodGet, nil)
	rule := ruleOf(coll)
	if !info.HasSuperuserAuth() && rule == nil {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := app.RecordQuery(coll).AndWhere(dbx.In(coll.Name+".id", args...))
	if !info.HasSuperuserAuth() && *rule != "" {
		resolver := core.NewRecordFieldResolver(app, coll, info, true)
		expr, err := search.FilterData(*rule).BuildExpr(resolver)
		if err != nil {
			return nil, fmt.Errorf("rule of %s: %w", name, err)
		}
		q.AndWhere(expr)
		if err := resolver.UpdateQuery(q); err != nil {
			return nil, fmt.Errorf("rule of %s: %w", name, err)
		}
	}
	var recs []*core.Record
	if err := q.All(&recs); err != nil {
		return nil, fmt.Errorf("visible %s: %w", name, err)
	}
	return recs, nil
}

func heldRecords(app core.App, session int64, name string, ids []string) (map[string]sql.NullInt64, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var rows []struct {
		Record string        `db:"record"`
		Gone   sql.NullInt64 `db:"gone"`
	}
	err := app.DB().Select("record", "gone").From(tableHeld).
		Where(dbx.HashExp{"session": session, "collection": name}).
		AndWhere(dbx.In("record", args...)).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("held %s: %w", name, err)
	}
	m := make(map[string]sql.NullInt64, len(rows))
	for _, r := range rows {
		m[r.Record] = r.Gone
	}
	return m, nil
}

// finishChanges prepares the pulled records as the list API would show
// them to the caller (OnRecordEnrich hides residents' details from those
// who may not see them), then keeps only a collection's public fields
// where the table says so.
func finishChanges(e *core.RequestEvent, changes []Change) error {
	byColl := map[string][]*core.Record{}
	var order []string
	for _, c := range changes {
		if c.Record == nil {
			continue
		}
		if _, ok := byColl[c.Collection]; !ok {
			order = append(order, c.Collection)
		}
		byColl[c.Collection] = append(byColl[c.Collection], c.Record)
	}
	for _, name := range order {
		recs := byColl[name]
		if err := apis.EnrichRecords(e, recs); err != nil {
			return fmt.Errorf("enrich %s: %w", name, err)
		}
		if en, _ := entry(name); len(en.Fields) > 0 {
			hide := hiddenBeyond(recs[0].Collection(), en.Fields)
			for _, r := range recs {
				r.Hide(hide...)
			}
		}
	}
	return nil
}

// hiddenBeyond lists the fields of c not in keep (keep is a projection).
func hiddenBeyond(c *core.Collection, keep []string) []string {
	var out []string
	for _, f := range c.Fields {
		if !slices.Contains(keep, f.GetName()) {
			out = append(out, f.GetName())
		}
	}
	return out
}

// rememberHeld records what this page hands out (upserts) and takes back
// (deletes, kept with their seq so a retried page deletes again).
func rememberHeld(app core.App, session int64, changes []Change) error {
	return app.RunInTransaction(func(tx core.App) error {
		const per = 200
		for start := 0; start < len(changes); start += per {
			part := changes[start:min(start+per, len(changes))]
			var sb strings.Builder
			sb.WriteString("INSERT INTO " + tableHeld + " (session, collection, record, gone) VALUES ")
			params := dbx.Params{"s": session}
			for i, c := range part {
				if i > 0 {
					sb.WriteString(", ")
				}
				fmt.Fprintf(&sb, "({:s}, {:c%d}, {:r%d}, {:g%d})", i, i, i)
				params[fmt.Sprintf("c%d", i)] = c.Collection
				params[fmt.Sprintf("r%d", i)] = c.ID
				if c.Op == OpDelete {
					params[fmt.Sprintf("g%d", i)] = c.Seq
				} else {
					params[fmt.Sprintf("g%d", i)] = nil
				}
			}
			sb.WriteString(" ON CONFLICT (session, collection, record) DO UPDATE SET gone = excluded.gone")
			if _, err := tx.DB().NewQuery(sb.String()).Bind(params).Execute(); err != nil {
				return fmt.Errorf("remember held: %w", err)
			}
		}
		_, err := tx.DB().Update(tableSessions, dbx.Params{"seen": nowText()}, dbx.HashExp{"id": session}).Execute()
		return err
	})
}

func nowText() string { return time.Now().UTC().Format("2006-01-02 15:04:05.000Z") }
