package tabletsync_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"

	"yuetan/internal/testenv"
	"yuetan/tabletsync"
	"yuetan/tabletsync/wire"
)

// TestCursorLineage attacks the epoch check with the states a restored
// database is in (TestRestoreFromBackup does it with a real backup): a
// cursor whose epoch the database does not know, one whose mark lies
// beyond where its epoch ends here, one of before epochs; and a push
// carrying a lost cursor. A server that merely restarted (a new epoch at
// or above the cursor's mark) goes on.
func TestCursorLineage(t *testing.T) {
	env := testenv.New(t)
	org := env.Org("DL-HC").Id
	r := replica{}
	cursor, _ := pullAll(t, env, gridEmail, "", 0, r)
	cur, err := tabletsync.ParseCursor(cursor)
	if err != nil || cur.Epoch == 0 || cur.Mark < cur.Seq {
		t.Fatalf("pull cursor %+v %v", cur, err)
	}
	// a push with the cursor answers it with the mark raised to its seqs
	res := call(t, env, http.MethodPost, "/api/sync/push", gridEmail, map[string]any{"client": "tab-1", "cursor": cursor,
		"mutations": []map[string]any{createIssue(org, "游标测试")}}, schemaNow, "")
	if res.Status != http.StatusOK {
		t.Fatalf("push: %s", res)
	}
	var pr pushReply
	if err := json.Unmarshal(res.Body, &pr); err != nil {
		t.Fatal(err)
	}
	after, err := tabletsync.ParseCursor(pr.Cursor)
	if err != nil || after.Session != cur.Session || after.Seq != cur.Seq || after.Mark != pr.Results[0].Seq || after.Mark <= cur.Mark {
		t.Fatalf("push answered cursor %+v (sent %+v, seq %d) %v", after, cur, pr.Results[0].Seq, err)
	}

	status := func(c string) (int, map[string]any) {
		res := call(t, env, http.MethodGet, "/api/sync/pull?cursor="+c, gridEmail, nil, schemaNow, "")
		var body struct {
			Data map[string]any `json:"data"`
		}
		_ = json.Unmarshal(res.Body, &body)
		return res.Status, body.Data
	}
	restoredCode := func(data map[string]any) bool {
		m, _ := data["restore"].(map[string]any)
		return m["code"] == wire.CodeServerRestored
	}

	// restarted: the next epoch begins at the feed's end, past the mark
	if _, err := env.App.DB().NewQuery("INSERT INTO _sync_epochs (epoch, start) VALUES (77, (SELECT seq FROM sqlite_sequence WHERE name = '_sync_changes'))").Execute(); err != nil {
		t.Fatal(err)
	}
	if st, data := status(pr.Cursor); st != http.StatusOK {
		t.Fatalf("after a restart: %d %v", st, data)
	}

	cases := []struct {
		name     string
		cursor   string
		prepare  string
		restored bool
	}{
		{"mark beyond where its epoch ends", pr.Cursor,
			"UPDATE _sync_epochs SET start = " + itoa(after.Mark-1) + " WHERE epoch = 77", true},
		{"unknown epoch", tabletsync.Cursor{Epoch: 12345, Session: cur.Session, Seq: cur.Seq, Mark: cur.Seq}.String(), "", true},
		{"mark beyond the feed", tabletsync.Cursor{Epoch: cur.Epoch, Session: cur.Session, Seq: cur.Seq, Mark: after.Mark + 1000}.String(),
			"DELETE FROM _sync_epochs WHERE epoch = 77", true},
		{"before epochs", tabletsync.Cursor{Session: cur.Session, Seq: cur.Seq}.String(), "", false},
	}
	for _, c := range cases {
		if c.prepare != "" {
			if _, err := env.App.DB().NewQuery(c.prepare).Execute(); err != nil {
				t.Fatal(err)
			}
		}
		st, data := status(c.cursor)
		if st != http.StatusConflict || data["cursor"].(map[string]any)["code"] != wire.CodeResync || restoredCode(data) != c.restored {
			t.Fatalf("%s: %d %v", c.name, st, data)
		}
	}
	// the lost cursor above raised the feed: new seqs lie above its mark
	if hi := count(t, env, "SELECT seq FROM sqlite_sequence WHERE name = '_sync_changes'", nil); int64(hi) < after.Mark+1000 {
		t.Fatalf("feed at %d after a cursor marked %d", hi, after.Mark+1000)
	}

	// a push with a lost cursor writes nothing
	lost := tabletsync.Cursor{Epoch: 999, Session: cur.Session, Seq: cur.Seq, Mark: cur.Seq}.String()
	before := count(t, env, "SELECT COUNT(*) FROM issues", nil)
	res = call(t, env, http.MethodPost, "/api/sync/push", gridEmail, map[string]any{"client": "tab-1", "cursor": lost,
		"mutations": []map[string]any{createIssue(org, "不应写入")}}, schemaNow, "")
	if res.Status != http.StatusConflict || count(t, env, "SELECT COUNT(*) FROM issues", nil) != before {
		t.Fatalf("push with a lost cursor: %s", res)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM _sync_mutations WHERE client = 'tab-1'", dbx.Params{}); n != 1 {
		t.Fatalf("%d mutations logged for tab-1, want the first push's one", n)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestLostCursorsWhilePushing: tablets of a lost lineage come back (each
// raising the feed above its mark) while others push: every push is
// applied, the feed ends above every mark, its seqs stay unique, and no
// record is left without its feed row. (Run under -race.)
func TestLostCursorsWhilePushing(t *testing.T) {
	env := testenv.New(t)
	org := env.Org("DL-HC").Id
	cursor, _ := pullAll(t, env, gridEmail, "", 0, replica{})
	cur, _ := tabletsync.ParseCursor(cursor)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 4; g++ {
		wg.Add(2)
		go func(g int) { // a pusher
			defer wg.Done()
			for i := 0; i < 5; i++ {
				res := call(t, env, http.MethodPost, "/api/sync/push", gridEmail, map[string]any{"client": fmt.Sprintf("tab-%d", g), "cursor": cursor,
					"mutations": []map[string]any{createIssue(org, fmt.Sprintf("并发 %d-%d", g, i))}}, schemaNow, "")
				if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"applied"`) {
					errs <- res.String()
				}
			}
		}(g)
		go func(g int) { // a tablet of a lost lineage
			defer wg.Done()
			for i := 0; i < 5; i++ {
				lost := tabletsync.Cursor{Epoch: int64(1000 + g), Session: cur.Session, Seq: cur.Seq, Mark: cur.Seq + int64(1000*(g*5+i+1))}.String()
				if res := call(t, env, http.MethodGet, "/api/sync/pull?cursor="+lost, gridEmail, nil, schemaNow, ""); res.Status != http.StatusConflict {
					errs <- res.String()
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM issues WHERE title LIKE '并发 %'", nil); n != 20 {
		t.Fatalf("%d of 20 pushed issues", n)
	}
	if hi := count(t, env, "SELECT seq FROM sqlite_sequence WHERE name = '_sync_changes'", nil); int64(hi) < cur.Seq+20000 {
		t.Fatalf("feed at %d, below the highest mark %d", hi, cur.Seq+20000)
	}
	if n := count(t, env, "SELECT COUNT(*) - COUNT(DISTINCT seq) FROM _sync_changes", nil); n != 0 {
		t.Fatalf("%d duplicate seqs", n)
	}
	if n := orphans(t, env); n != 0 {
		t.Fatalf("%d records and feed rows without each other", n)
	}
}
