package tabletsync

import (
	"cmp"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/types"

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

	listed bool // from a snapshot list: check the feed row has not moved
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
		id, dropped, err := newSession(e.App, e.Auth.Id, client, scope)
		if err != nil {
			return e.InternalServerError("", err)
		}
		s.snaps.drop(dropped...)
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

// MaxSessionsPerUser is how many pull sessions (each with the records it
// has handed out in _sync_held) one user keeps: room for a community's
// eight tablets sharing one account (as the simulator runs them) and a few
// browsers. A new one drops the user's least recently used beyond it; a
// device starting over (client=) drops its own earlier ones first.
const MaxSessionsPerUser = 16

// newSession opens a pull session and returns it with the sessions it
// dropped to make room.
func newSession(app core.App, user, client, scope string) (id int64, dropped []int64, err error) {
	err = app.RunInTransaction(func(tx core.App) error {
		dropped = nil
		if client != "" {
			// a device starting over drops what its earlier sessions held
			ids, err := dropSessions(tx, dbx.HashExp{"user": user, "client": client})
			if err != nil {
				return err
			}
			dropped = append(dropped, ids...)
		}
		// the user's least recently used sessions beyond the bound go
		var old []any
		if err := tx.DB().Select("id").From(tableSessions).Where(dbx.HashExp{"user": user}).
			OrderBy("used DESC", "id DESC").Offset(MaxSessionsPerUser - 1).Limit(-1).Column(&old); err != nil {
			return err
		}
		if len(old) > 0 {
			ids, err := dropSessions(tx, inList("id", old))
			if err != nil {
				return err
			}
			dropped = append(dropped, ids...)
		}
		res, err := tx.DB().NewQuery("INSERT INTO " + tableSessions + " (user, client, scope, used) VALUES ({:u}, {:c}, {:s}, " + nextUse + ")").
			Bind(dbx.Params{"u": user, "c": client, "s": scope}).Execute()
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, dropped, err
}

// nextUse is the next number in the sessions' order of use (in a write
// transaction: strictly increasing).
const nextUse = "(SELECT COALESCE(MAX(used), 0) + 1 FROM " + tableSessions + ")"

// dropSessions deletes the sessions matching where, with what they held,
// and returns their ids.
func dropSessions(tx core.App, where dbx.Expression) ([]int64, error) {
	var ids []int64
	if err := tx.DB().Select("id").From(tableSessions).Where(where).Column(&ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := tx.DB().Delete(tableHeld, dbx.HashExp{"session": id}).Execute(); err != nil {
			return nil, err
		}
		if _, err := tx.DB().Delete(tableSessions, dbx.HashExp{"id": id}).Execute(); err != nil {
			return nil, err
		}
	}
	return ids, nil
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
		// expired, or dropped for the user's newer sessions (MaxSessionsPerUser)
		return resync("同步会话已失效（长期未同步，或本账号已在其他设备或页面上开始了新的完整同步），请重新完整同步。")
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

// readPage walks the feed after cur and returns up to limit changes the
// caller may see: records its list rule lets it see now (upserts), and
// deletes for records this session handed out that are gone or no longer
// visible. It walks seq windows; in each, SQL picks the caller's visible
// upserts per collection and the session's held records, so only what the
// page returns comes back to Go. The cost follows the number of changes,
// not the table sizes; a budget bounds the scan of one request.
func (s *service) readPage(e *core.RequestEvent, auth *core.Record, cur Cursor, limit int) (*PullResponse, error) {
	app := e.App
	deadline := time.Now().Add(scanBudget)
	out := &PullResponse{Changes: []Change{}}
	var hi int64
	if err := app.DB().NewQuery("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '" + tableChanges + "'), 0)").Row(&hi); err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	holds, err := holdsAnything(app, cur.Session)
	if err != nil {
		return nil, err
	}
	after := cur.Seq
	rules := map[string]listRule{}
	snap := s.snaps.get(cur.Session)
	if snap == nil && !holds && hi-after >= snapshotMinRange {
		if snap, err = listVisible(app, auth, rules, after, hi); err != nil {
			return nil, err
		}
		if snap != nil {
			s.snaps.put(cur.Session, auth.Id, snap)
		}
	}
	if snap != nil && after < snap.to {
		items, reached := snap.page(after, limit)
		if hi == snap.to {
			// nothing was written since the list was made: no row has moved
			for i := range items {
				items[i].listed = false
			}
		}
		out.Changes = append(out.Changes, items...)
		after = reached
		if after >= snap.to {
			s.snaps.drop(cur.Session)
		}
	}
	if after < hi && len(out.Changes) < limit {
		items, reached, ok, err := scopedPage(app, auth, rules, cur.Session, holds, after, hi, limit-len(out.Changes))
		if err != nil {
			return nil, err
		}
		if ok {
			out.Changes = append(out.Changes, items...)
			after = reached
		}
	}
	window := int64(max(firstChunk, limit))
	var walked int64
	for after < hi && len(out.Changes) < limit {
		last := min(after+window, hi)
		items, err := resolveWindow(app, auth, rules, cur.Session, holds, after, last)
		if err != nil {
			return nil, err
		}
		if room := limit - len(out.Changes); len(items) >= room {
			out.Changes = append(out.Changes, items[:room]...)
			after = out.Changes[len(out.Changes)-1].Seq
			break
		}
		out.Changes = append(out.Changes, items...)
		walked += last - after
		after = last
		if time.Now().After(deadline) {
			break
		}
		// the next window is sized for what is missing at the density seen so far
		density := float64(len(out.Changes)+1) / float64(walked)
		window = int64(min(max(float64(limit-len(out.Changes))/density*1.2, firstChunk), maxChunk))
	}
	out.More = after < hi
	if err := loadRecords(app, out); err != nil {
		return nil, err
	}
	if err := finishChanges(e, out.Changes); err != nil {
		return nil, err
	}
	if err := s.held.remember(app, cur.Session, out.Changes); err != nil {
		return nil, err
	}
	out.Cursor = Cursor{Session: cur.Session, Seq: after}.String()
	return out, nil
}

// resolveWindow returns, in seq order, what the caller gets of the feed
// rows in (after, last]: upserts (records loaded later, for the changes a
// page keeps) and deletes. A record changed meanwhile has left the window
// and comes in a later one.
func resolveWindow(app core.App, auth *core.Record, rules map[string]listRule, session int64, holds bool, after, last int64) ([]Change, error) {
	var present []string
	if err := app.DB().NewQuery("SELECT DISTINCT collection FROM " + tableChanges + " WHERE seq > {:a} AND seq <= {:b}").
		Bind(dbx.Params{"a": after, "b": last}).Column(&present); err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	var out []Change
	visible := map[string]bool{}
	for _, name := range present {
		if !downSynced(name) {
			continue
		}
		r, ok := rules[name]
		if !ok {
			var err error
			if r, err = listRuleFor(app, name, auth); err != nil {
				return nil, err
			}
			rules[name] = r
		}
		rows, err := visibleInRange(app, r, auth, after, last)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			visible[name+"/"+row.ID] = true
			out = append(out, Change{Seq: row.Seq, Collection: name, ID: row.ID, Op: OpUpsert})
		}
	}
	if holds {
		held, err := heldInRange(app, session, after, last)
		if err != nil {
			return nil, err
		}
		for _, h := range held {
			if visible[h.Collection+"/"+h.Record] || !downSynced(h.Collection) || (h.Gone.Valid && h.Gone.Int64 < h.Seq) {
				continue
			}
			out = append(out, Change{Seq: h.Seq, Collection: h.Collection, ID: h.Record, Op: OpDelete})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// listRule is a collection's list rule as it reads for one caller.
type listRule struct {
	coll *core.Collection
	rule *string // nil: sees nothing; "": sees everything
}

func listRuleFor(app core.App, name string, auth *core.Record) (listRule, error) {
	coll, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return listRule{}, fmt.Errorf("collection %s: %w", name, err)
	}
	r := listRule{coll: coll, rule: coll.ListRule}
	switch {
	case auth.IsSuperuser():
		r.rule = types.Pointer("")
	case coll.ListRule != nil && *coll.ListRule != "":
		text, always, never, ok := specialize(*coll.ListRule, auth)
		switch {
		case !ok:
		case always:
			r.rule = types.Pointer("")
		case never:
			r.rule = nil
		default:
			r.rule = &text
		}
	}
	return r, nil
}

// seqRow is a record id with its feed seq.
type seqRow struct {
	ID  string `db:"id"`
	Seq int64  `db:"seq"`
}

// visibleInRange returns the records of the collection with a feed upsert
// in (after, last] that the caller's list rule lets it see. The feed drives
// the query (CROSS JOIN keeps SQLite from scanning the collection through
// an index the rule offers): the cost follows the changes, not the table.
func visibleInRange(app core.App, r listRule, auth *core.Record, after, last int64) ([]seqRow, error) {
	if r.rule == nil {
		return nil, nil
	}
	name := r.coll.Name
	q := app.DB().Select("[["+name+".id]] AS id", "[[__c.seq]] AS seq").From(tableChanges+" __c").
		Join("CROSS JOIN", name, dbx.NewExp("[["+name+".id]] = [[__c.record]]")).
		AndWhere(dbx.NewExp("[[__c.collection]] = {:rc} AND [[__c.op]] = 'upsert' AND [[__c.seq]] > {:ra} AND [[__c.seq]] <= {:rb}",
			dbx.Params{"rc": name, "ra": after, "rb": last}))
	if err := applyRule(app, q, r.coll, r.rule, requestInfo(auth, http.MethodGet, nil)); err != nil {
		return nil, err
	}
	var rows []seqRow
	if err := q.All(&rows); err != nil {
		return nil, fmt.Errorf("visible %s: %w", name, err)
	}
	return rows, nil
}

// loadRecords loads the records of a page's upserts; one deleted since the
// visibility check leaves the page (its tombstone comes later).
func loadRecords(app core.App, page *PullResponse) error {
	byColl := map[string][]any{}
	for _, c := range page.Changes {
		if c.Op == OpUpsert {
			byColl[c.Collection] = append(byColl[c.Collection], c.ID)
		}
	}
	loaded := map[string]*core.Record{}
	moved, err := movedListed(app, page.Changes)
	if err != nil {
		return err
	}
	for name, ids := range byColl {
		coll, err := app.FindCachedCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		var recs []*core.Record
		if err := app.RecordQuery(coll).AndWhere(inList(coll.Name+".id", ids)).All(&recs); err != nil {
			return fmt.Errorf("load %s: %w", name, err)
		}
		for _, r := range recs {
			loaded[name+"/"+r.Id] = r
		}
	}
	kept := page.Changes[:0]
	for _, c := range page.Changes {
		if moved[c.Collection+"/"+c.ID] {
			continue
		}
		if c.Op == OpUpsert {
			if c.Record = loaded[c.Collection+"/"+c.ID]; c.Record == nil {
				continue
			}
		}
		kept = append(kept, c)
	}
	page.Changes = kept
	return nil
}

// movedListed returns the listed changes whose feed row is no longer at
// the listed seq (the walk after the list meets them again).
func movedListed(app core.App, changes []Change) (map[string]bool, error) {
	byColl := map[string][]any{}
	want := map[string]int64{}
	for _, c := range changes {
		if c.listed {
			byColl[c.Collection] = append(byColl[c.Collection], c.ID)
			want[c.Collection+"/"+c.ID] = c.Seq
		}
	}
	moved := map[string]bool{}
	for name, ids := range byColl {
		var rows []seqRow
		// (the (collection, record) index: SQLite would rather walk (collection, seq))
		err := app.DB().Select("record AS id", "seq").From("{{" + tableChanges + "}} INDEXED BY _sync_changes_record").
			Where(dbx.HashExp{"collection": name}).AndWhere(inList("record", ids)).All(&rows)
		if err != nil {
			return nil, fmt.Errorf("listed %s: %w", name, err)
		}
		now := make(map[string]int64, len(rows))
		for _, r := range rows {
			now[r.ID] = r.Seq
		}
		for _, id := range ids {
			key := name + "/" + id.(string)
			if now[id.(string)] != want[key] {
				moved[key] = true
			}
		}
	}
	return moved, nil
}

// inList is "column IN (values)" with the values as one JSON parameter: a
// page's hundreds of ids as separate named parameters cost more to bind
// than the query takes.
func inList(column string, values []any) dbx.Expression {
	raw, _ := json.Marshal(values)
	return dbx.NewExp("[["+column+"]] IN (SELECT value FROM json_each({:inlist}))", dbx.Params{"inlist": string(raw)})
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

// holdsAnything reports whether the session has handed out any record.
func holdsAnything(app core.App, session int64) (bool, error) {
	var n int
	err := app.DB().NewQuery("SELECT EXISTS (SELECT 1 FROM " + tableHeld + " WHERE session = {:s})").
		Bind(dbx.Params{"s": session}).Row(&n)
	return n > 0, err
}

// heldRow is a record the session handed out, with its feed row.
type heldRow struct {
	Collection string        `db:"collection"`
	Record     string        `db:"record"`
	Seq        int64         `db:"seq"`
	Gone       sql.NullInt64 `db:"gone"`
}

// heldInRange returns the records the session holds that have a feed row
// in (after, last].
func heldInRange(app core.App, session, after, last int64) ([]heldRow, error) {
	var rows []heldRow
	err := app.DB().NewQuery("SELECT h.collection, h.record, c.seq, h.gone FROM " + tableChanges + " c JOIN " + tableHeld +
		" h ON h.session = {:s} AND h.collection = c.collection AND h.record = c.record WHERE c.seq > {:a} AND c.seq <= {:b}").
		Bind(dbx.Params{"s": session, "a": after, "b": last}).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("held: %w", err)
	}
	return rows, nil
}

func downSynced(collection string) bool {
	e, ok := entry(collection)
	return ok && e.Dir&Down != 0
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

// heldWriter records what pages hand out (upserts) and take back
// (deletes, kept with their seq so a retried page deletes again). Pages
// that finish together are written together, in one short transaction
// (group commit): the database has one writer, which pushes need. Each
// page still waits for its rows to be committed before it answers.
type heldWriter struct {
	mu      sync.Mutex
	pending []heldBatch
	running bool
}

type heldBatch struct {
	session int64
	changes []Change
	done    chan error
}

func (w *heldWriter) remember(app core.App, session int64, changes []Change) error {
	b := heldBatch{session: session, changes: changes, done: make(chan error, 1)}
	w.mu.Lock()
	w.pending = append(w.pending, b)
	if !w.running {
		w.running = true
		go w.flush(app)
	}
	w.mu.Unlock()
	return <-b.done
}

// flush writes what is pending until nothing is.
func (w *heldWriter) flush(app core.App) {
	for {
		w.mu.Lock()
		batches := w.pending
		w.pending = nil
		if len(batches) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		err := writeHeld(app, batches)
		for _, b := range batches {
			b.done <- err
		}
	}
}

func writeHeld(app core.App, batches []heldBatch) error {
	// one parameter: the rows as a JSON array of [session, collection, id, gone]
	var rows [][4]any
	var sessions []any
	for _, b := range batches {
		sessions = append(sessions, b.session)
		for _, c := range b.changes {
			row := [4]any{b.session, c.Collection, c.ID, nil}
			if c.Op == OpDelete {
				row[3] = c.Seq
			}
			rows = append(rows, row)
		}
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		if len(rows) > 0 {
			// (a session dropped while its page was read keeps nothing)
			_, err := tx.DB().NewQuery("INSERT INTO " + tableHeld + ` (session, collection, record, gone)
				SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
				FROM json_each({:rows}) WHERE json_extract(value, '$[0]') IN (SELECT id FROM ` + tableSessions + `)
				ON CONFLICT (session, collection, record) DO UPDATE SET gone = excluded.gone`).
				Bind(dbx.Params{"rows": string(raw)}).Execute()
			if err != nil {
				return fmt.Errorf("remember held: %w", err)
			}
		}
		// every page marks its session used: a session syncing keeps its place
		_, err := tx.DB().Update(tableSessions, dbx.Params{"seen": nowText(), "used": dbx.NewExp(nextUse)}, inList("id", sessions)).Execute()
		return err
	})
}

func nowText() string { return time.Now().UTC().Format("2006-01-02 15:04:05.000Z") }
