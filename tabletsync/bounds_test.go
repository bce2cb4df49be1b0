package tabletsync_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/tabletsync"
	"yuetan/tabletsync/client"
	"yuetan/tabletsync/wire"
)

// sessionsOf counts a user's pull sessions and the rows they hold.
func sessionsOf(t *testing.T, env *testenv.Env, email string) (sessions, held int) {
	t.Helper()
	p := dbx.Params{"u": env.User(email).Id}
	return count(t, env, "SELECT COUNT(*) FROM _sync_sessions WHERE user = {:u}", p),
		count(t, env, "SELECT COUNT(*) FROM _sync_held h JOIN _sync_sessions s ON s.id = h.session WHERE s.user = {:u}", p)
}

// devicePage pulls one page as email from device client (empty cursor:
// the device starts over) and returns the response.
func devicePage(t *testing.T, env *testenv.Env, email, device, cursor string, limit int) response {
	t.Helper()
	url := "/api/sync/pull?limit=" + strconv.Itoa(limit) + "&cursor=" + cursor
	if cursor == "" && device != "" {
		url += "&client=" + device
	}
	return call(t, env, http.MethodGet, url, email, nil, schemaNow, "")
}

// TestPullSessionsBoundedPerUser has one supervisor start 60 full syncs
// (empty cursors, no device id, as the review did 256 times), each with a
// snapshot list: the user keeps at most MaxSessionsPerUser sessions and
// what they hold, and at most two snapshot lists. A session dropped that
// way is answered 409 resync_required. Meanwhile a tablet of the same user
// runs a paged initial sync with three more full syncs started between
// each of its pages (far more than the bound in all): its own pages keep
// its session, and it ends with exactly what a fresh sync gets.
func TestPullSessionsBoundedPerUser(t *testing.T) {
	defer tabletsync.WithSnapshots(1)()
	env := testenv.New(t)
	const limit = 20
	var first string
	for i := 0; i < 60; i++ {
		page := pullPage(t, env, supEmail, "", limit)
		if len(page.Changes) != limit || !page.More {
			t.Fatalf("full sync %d: %d changes, more=%v", i, len(page.Changes), page.More)
		}
		if i == 0 {
			first = page.Cursor
		}
		sessions, held := sessionsOf(t, env, supEmail)
		if sessions > tabletsync.MaxSessionsPerUser || held > tabletsync.MaxSessionsPerUser*limit {
			t.Fatalf("after %d full syncs: %d sessions holding %d rows (bound %d sessions)", i+1, sessions, held, tabletsync.MaxSessionsPerUser)
		}
		if lists, _ := tabletsync.Snapshots(env.App, env.User(supEmail).Id); lists > 2 {
			t.Fatalf("after %d full syncs: %d snapshot lists", i+1, lists)
		}
	}
	if sessions, held := sessionsOf(t, env, supEmail); sessions != tabletsync.MaxSessionsPerUser || held != tabletsync.MaxSessionsPerUser*limit {
		t.Fatalf("%d sessions holding %d rows, want the bound (%d) of %d each", sessions, held, tabletsync.MaxSessionsPerUser, limit)
	}
	res := call(t, env, http.MethodGet, "/api/sync/pull?cursor="+first, supEmail, nil, schemaNow, "")
	if res.Status != http.StatusConflict || !strings.Contains(res.String(), "resync_required") || !hasHanTest(res.String()) {
		t.Fatalf("a dropped session's cursor: %s", res)
	}
	// other users keep their sessions
	staffPage := pullPage(t, env, staffEmail, "", 5)
	for i := 0; i < 3*tabletsync.MaxSessionsPerUser; i++ {
		pullPage(t, env, supEmail, "", limit)
	}
	if res := call(t, env, http.MethodGet, "/api/sync/pull?cursor="+staffPage.Cursor, staffEmail, nil, schemaNow, ""); res.Status != http.StatusOK {
		t.Fatalf("another user's session was dropped: %s", res)
	}

	// the tablet: a paged initial sync between other full syncs
	r := replica{}
	cursor, pages := "", 0
	for {
		res := devicePage(t, env, supEmail, "tab-sup", cursor, 10)
		if res.Status != http.StatusOK {
			t.Fatalf("tablet page %d: %s", pages+1, res)
		}
		var page pullReply
		if err := json.Unmarshal(res.Body, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range page.Changes {
			if c.Op == wire.OpUpsert {
				r[c.Collection+"/"+c.ID] = c.Record
			} else {
				delete(r, c.Collection+"/"+c.ID)
			}
		}
		for i := 0; i < 3; i++ {
			pullPage(t, env, supEmail, "", limit)
		}
		cursor = page.Cursor
		if !page.More {
			break
		}
	}
	if 3*pages <= tabletsync.MaxSessionsPerUser {
		t.Fatalf("only %d tablet pages: the other syncs never exceeded the bound", pages)
	}
	fresh := replica{}
	pullAll(t, env, wgEmail, "", 0, replica{}) // (another user: unaffected)
	pullAll(t, env, supEmail, "", 0, fresh)
	if !reflect.DeepEqual(keys(fresh), keys(r)) {
		t.Fatalf("the tablet holds %d records after %d pages, a fresh sync %d", len(r), pages, len(fresh))
	}
	if lists, items := tabletsync.Snapshots(env.App, env.User(supEmail).Id); lists > 2 || items > 2*len(fresh) {
		t.Fatalf("%d snapshot lists, %d items kept", lists, items)
	}
}

// TestClientStartsOverWhenItsSessionIsDropped syncs a tablet with the
// reference client, then has its user start more full syncs elsewhere than
// the server keeps sessions for: the tablet's next pull is told to start
// over (409), does so by itself and ends with what a fresh sync gets.
func TestClientStartsOverWhenItsSessionIsDropped(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	ctx := context.Background()
	tab, err := client.Open(filepath.Join(t.TempDir(), "tab.db"), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if _, err := tab.Login(ctx, staffEmail, demo.Password); err != nil {
		t.Fatal(err)
	}
	if st, err := tab.Pull(ctx); err != nil || st.Resynced || st.Upserts == 0 {
		t.Fatalf("first sync: %+v %v", st, err)
	}
	for i := 0; i < tabletsync.MaxSessionsPerUser; i++ {
		pullPage(t, env, staffEmail, "", 5)
	}
	push(t, env, gridEmail, "tab-grid", createIssue(env.Org("DL-HC").Id, "重新同步期间新增"))
	st, err := tab.Pull(ctx)
	if err != nil || !st.Resynced {
		t.Fatalf("pull after the session was dropped: %+v %v", st, err)
	}
	fresh := replica{}
	pullAll(t, env, staffEmail, "", 0, fresh)
	var have []string
	for _, e := range tabletsync.Table {
		ids, err := tab.Records(e.Collection)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			have = append(have, e.Collection+"/"+id)
		}
	}
	slices.Sort(have)
	if !reflect.DeepEqual(have, keys(fresh)) {
		t.Fatalf("the tablet holds %d records after starting over, a fresh sync %d", len(have), len(fresh))
	}
}
