package tabletsync_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pocketbase/dbx"

	"yuetan/internal/testenv"
	"yuetan/tabletsync"
	"yuetan/tabletsync/client"
	"yuetan/tabletsync/wire"
)

// Demo accounts used across the tests.
const (
	gridEmail    = "grid@yuetan.example"  // 划船社区
	grid2Email   = "grid2@yuetan.example" // 东海花园社区
	staffEmail   = "staff@yuetan.example" // 划船社区
	streetEmail  = "street@yuetan.example"
	wgEmail      = "wg@yuetan.example"
	leaderEmail  = "secretary@yuetan.example"
	handlerEmail = "handler@yuetan.example"
	supEmail     = "sup@yuetan.example"
)

// response is a sync API response.
type response struct {
	Status int
	Body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// call sends a sync request as email with the schema header (schema "" omits it).
func call(t testing.TB, env *testenv.Env, method, url, email string, body any, schema string, contentType string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, url, rd)
	if contentType == "" {
		contentType = "application/json"
	}
	req.Header.Set("Content-Type", contentType)
	if schema != "" {
		req.Header.Set(wire.SchemaHeader, schema)
	}
	if tok := env.Token(email); tok != "" {
		req.Header.Set("Authorization", tok)
	}
	rec := httptest.NewRecorder()
	env.Handler().ServeHTTP(rec, req)
	return response{Status: rec.Code, Body: rec.Body.Bytes()}
}

var schemaNow = strconv.Itoa(wire.SchemaVersion)

// pushReply and pushResult are a push's answer as a tablet decodes it.
type (
	pushReply  = wire.PushResponse[map[string]any]
	pushResult = wire.Result[map[string]any]
)

// push sends mutations as email from client and expects a 200.
func push(t testing.TB, env *testenv.Env, email, client string, muts ...map[string]any) pushReply {
	t.Helper()
	res := call(t, env, http.MethodPost, "/api/sync/push", email, map[string]any{"client": client, "mutations": muts}, schemaNow, "")
	if res.Status != http.StatusOK {
		t.Fatalf("push as %s: %s", email, res)
	}
	var out pushReply
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatalf("decode push: %v: %s", err, res.Body)
	}
	if len(out.Results) != len(muts) {
		t.Fatalf("push: %d results for %d mutations", len(out.Results), len(muts))
	}
	return out
}

// pulledChange and pullReply are a pull's answer as a tablet decodes it.
type (
	pulledChange = wire.Change[map[string]any]
	pullReply    = wire.PullResponse[map[string]any]
)

// pullPage pulls one page as email.
func pullPage(t testing.TB, env *testenv.Env, email, cursor string, limit int) pullReply {
	t.Helper()
	url := "/api/sync/pull?cursor=" + cursor
	if limit > 0 {
		url += "&limit=" + strconv.Itoa(limit)
	}
	res := call(t, env, http.MethodGet, url, email, nil, schemaNow, "")
	if res.Status != http.StatusOK {
		t.Fatalf("pull as %s: %s", email, res)
	}
	var out pullReply
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatalf("decode pull: %v", err)
	}
	return out
}

// replica is what a tablet holds after applying pulls.
type replica map[string]map[string]any // "collection/id" → record

// pullAll pulls until more is false, applying changes to r, and returns
// the new cursor and the number of pages.
func pullAll(t testing.TB, env *testenv.Env, email, cursor string, limit int, r replica) (string, int) {
	t.Helper()
	pages := 0
	last := int64(-1)
	for {
		page := pullPage(t, env, email, cursor, limit)
		pages++
		prev, inPage := last, int64(-1)
		for _, c := range page.Changes {
			// in seq order; below the cursor only a directory record a
			// record of the page references (tabletsync/directory.go)
			if c.Seq <= inPage || (c.Seq <= prev && !(directory(c.Collection) && c.Op == wire.OpUpsert)) {
				t.Fatalf("pull: %s seq %d after %d (page from %d)", c.Collection, c.Seq, inPage, prev)
			}
			inPage, last = c.Seq, max(last, c.Seq)
			key := c.Collection + "/" + c.ID
			switch c.Op {
			case wire.OpUpsert:
				r[key] = c.Record
			case wire.OpDelete:
				delete(r, key)
			default:
				t.Fatalf("pull: op %q", c.Op)
			}
		}
		cursor = page.Cursor
		if !page.More {
			return cursor, pages
		}
		if pages > 10000 {
			t.Fatal("pull does not end")
		}
	}
}

// directory reports whether a pull narrows collection to a directory.
func directory(collection string) bool {
	i := slices.IndexFunc(tabletsync.Table, func(e tabletsync.Entry) bool { return e.Collection == collection })
	return i >= 0 && tabletsync.Table[i].Directory != ""
}

// newID returns a PocketBase-style record id made by a tablet.
func newID() string { return client.NewID() }

var mutationN atomic.Int64

// mid returns a new mutation id (tests make them from many goroutines).
func mid() string { return fmt.Sprintf("m%d-%s", mutationN.Add(1), newID()[:6]) }

// createIssue is a mutation creating an issue in community.
func createIssue(community, title string) map[string]any {
	return map[string]any{"id": mid(), "collection": "issues", "op": "create", "record": newID(), "data": map[string]any{
		"community": community, "kind": "problem", "title": title, "source": "door_to_door",
		"resident_name": "测试居民", "resident_phone": "13912345678",
	}}
}

// count returns the number of rows matching a query.
func count(t testing.TB, env *testenv.Env, sql string, params dbx.Params) int {
	t.Helper()
	var n int
	if err := env.App.DB().NewQuery(sql).Bind(params).Row(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// orphans returns the synced records without a feed row and the feed
// upserts without a record.
func orphans(t testing.TB, env *testenv.Env) int {
	t.Helper()
	n := 0
	for _, e := range tabletsync.Table {
		n += count(t, env, fmt.Sprintf(`SELECT COUNT(*) FROM [[%s]] r WHERE NOT EXISTS
			(SELECT 1 FROM _sync_changes c WHERE c.collection = '%s' AND c.record = r.id AND c.op = 'upsert')`, e.Collection, e.Collection), nil)
		n += count(t, env, fmt.Sprintf(`SELECT COUNT(*) FROM _sync_changes c WHERE c.collection = '%s' AND c.op = 'upsert'
			AND NOT EXISTS (SELECT 1 FROM [[%s]] r WHERE r.id = c.record)`, e.Collection, e.Collection), nil)
	}
	return n
}

// countIn opens the database of a stopped server's data dir (its records
// as written, no app in between) and returns a reader of one count; the
// database is closed with the test.
func countIn(t *testing.T, dir string) func(q string, args ...any) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "pb_data", "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
}
