package tabletsync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"yuetan/demo"
	"yuetan/tabletsync"
	"yuetan/tabletsync/client"
	"yuetan/tabletsync/wire"
	"yuetan/workflow"
)

// TestRestoreFromBackup runs the real binary and restores it from one of
// PocketBase's own backups while tablets hold cursors and acknowledged
// mutations from after the backup. Five tablets (two sharing an account)
// sync and push; the server is backed up; four of them push more (all
// acknowledged; two also pull past the backup, one pushes without pulling,
// one of a shared account pulls only) while one stays offline; the backup
// is restored (the server restarts on the backup's data); someone edits a
// record over REST before any tablet is back. Then every tablet syncs:
//
//   - each tablet that holds a position or an acknowledged mutation the
//     restored server lost is told so (409 server_restored), starts over
//     and pushes its journal again: the mutations the backup has are
//     answered as duplicates, the lost ones applied, each exactly once
//     (one row, one create event), and the tablet's user gets a notice;
//   - the offline tablet, whose cursor the backup has, goes on without a
//     full sync;
//   - once each has synced again (to get the others' re-pushed work),
//     every tablet holds exactly what a fresh full sync of its account
//     gets, the REST edit made after the restore included (new seqs do not
//     reuse positions the lost data handed out).
func TestRestoreFromBackup(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	dir := t.TempDir()
	srv := startServer(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	hc := &http.Client{Timeout: 30 * time.Second}
	suToken := superuserToken(t, ctx, hc, srv.URL())

	type tablet struct {
		name    string
		c       *client.Client
		org     string
		issues  []string // the issues it created
		apps    []string // the applications it created (staff)
		before  int      // its mutations applied before the backup
		lost    int      // its mutations applied after the backup
		offline bool     // neither pushes nor pulls after the backup
		short   bool     // its journal keeps only what it applied after the backup
	}
	accounts := []struct{ name, email string }{
		{"grid", gridEmail}, {"staff", staffEmail}, {"grid2", grid2Email}, {"staff2", "staff2@yuetan.example"}, {"grid-b", gridEmail},
	}
	tokens, users := map[string]string{}, map[string]map[string]any{}
	var tablets []*tablet
	for _, a := range accounts {
		c, err := client.Open(filepath.Join(dir, a.name+".db"), srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.HTTP = hc
		user := users[a.email]
		if tok, ok := tokens[a.email]; ok {
			if err := c.SetToken(tok); err != nil {
				t.Fatal(err)
			}
		} else if user, err = c.Login(ctx, a.email, demo.Password); err != nil {
			t.Fatal(err)
		}
		tokens[a.email], users[a.email] = c.Token(), user
		tablets = append(tablets, &tablet{name: a.name, c: c, org: user["org"].(string)})
	}
	collect := func(tb *tablet, label string, n int) {
		t.Helper()
		for k := 0; k < n; k++ {
			id, err := tb.c.Create("issues", map[string]any{"community": tb.org, "kind": "problem",
				"title": fmt.Sprintf("恢复测试 %s %s %d", tb.name, label, k), "source": "door_to_door"})
			if err != nil {
				t.Fatal(err)
			}
			tb.issues = append(tb.issues, id)
		}
	}
	apply := func(tb *tablet, label string) {
		t.Helper()
		if !strings.HasPrefix(tb.name, "staff") {
			return
		}
		leader := ""
		ids, _ := tb.c.Records("users")
		for _, id := range ids {
			if u, _, _ := tb.c.Record("users", id); u["role"] == "leader" && u["leader_rank"] == "four_teams" {
				leader = id
			}
		}
		id, err := tb.c.Create("applications", map[string]any{"community": tb.org, "applicant_kind": "community",
			"subject": "恢复测试申请 " + tb.name + " " + label, "category": workflow.CategoryCommunityBuilding,
			"target_leader": leader, "talk_form": "visit"})
		if err != nil {
			t.Fatal(err)
		}
		tb.apps = append(tb.apps, id)
	}
	syncAll := func(tb *tablet) (client.PushStats, client.PullStats) {
		t.Helper()
		ps, pl, err := tb.c.Sync(ctx)
		if err != nil {
			t.Fatalf("%s: sync: %v", tb.name, err)
		}
		return ps, pl
	}

	// before the backup: every tablet syncs with three issues of its own
	for _, tb := range tablets {
		if _, err := tb.c.Pull(ctx); err != nil {
			t.Fatal(err)
		}
		collect(tb, "备份前", 3)
		apply(tb, "备份前")
		tb.before = len(tb.issues) + len(tb.apps)
		if ps, _ := syncAll(tb); ps.Applied != tb.before {
			t.Fatalf("%s: %d applied before the backup, want %d", tb.name, ps.Applied, tb.before)
		}
	}
	backupAt := time.Now()
	if res := superuserCall(t, ctx, hc, suToken, http.MethodPost, srv.URL()+"/api/backups", `{"name":"before_tablets.zip"}`); res != http.StatusNoContent {
		t.Fatalf("create backup: %d", res)
	}

	// after the backup: more work, all acknowledged
	for i, tb := range tablets {
		switch i {
		case 0, 1: // push and pull past the backup
			collect(tb, "备份后", 2)
			apply(tb, "备份后")
			if err := tb.c.Update("issues", tb.issues[0], map[string]any{"description": "备份后补充：" + tb.name}); err != nil {
				t.Fatal(err)
			}
			tb.lost = len(tb.issues) + len(tb.apps) - tb.before + 1
			if ps, _ := syncAll(tb); ps.Applied != tb.lost {
				t.Fatalf("%s: %d applied after the backup, want %d", tb.name, ps.Applied, tb.lost)
			}
			if i == 1 {
				// an edit based on a position only the lost data has: issue
				// 1 edited, pulled back at a seq past the backup, edited again
				for _, edit := range []map[string]any{{"address": "备份后补充的地址"}, {"description": "备份后第二次修改"}} {
					if err := tb.c.Update("issues", tb.issues[1], edit); err != nil {
						t.Fatal(err)
					}
					if ps, _ := syncAll(tb); ps.Applied != 1 {
						t.Fatalf("%s: edit after the backup: %+v", tb.name, ps)
					}
					tb.lost++
				}
			}
		case 2: // pushes, never pulls: only its acknowledged mutations are past the
			// backup; and its journal keeps only what was applied since just now
			// (the backup's three, applied before, go from it: what it no longer
			// has it cannot push again, and must say so)
			collect(tb, "备份后", 2)
			time.Sleep(10 * time.Millisecond)
			tb.c.Keep = 5 * time.Millisecond
			tb.short = true
			ps, err := tb.c.Push(ctx)
			if err != nil || ps.Applied != 2 {
				t.Fatalf("%s: push after the backup: %+v %v", tb.name, ps, err)
			}
			tb.lost = 2
		case 3: // stays offline
			tb.offline = true
		case 4: // pulls the others' work (shares grid's account)
			if _, err := tb.c.Pull(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	lostIssue := tablets[0].issues[len(tablets[0].issues)-1]

	// restore: PocketBase replaces the data dir and restarts the server
	if res := superuserCall(t, ctx, hc, suToken, http.MethodPost, srv.URL()+"/api/backups/before_tablets.zip/restore", ""); res != http.StatusNoContent {
		t.Fatalf("restore backup: %d", res)
	}
	for {
		// restored once an issue made after the backup is gone
		if ctx.Err() != nil {
			t.Fatalf("the server did not come back restored; see %s", filepath.Join(dir, "server.log"))
		}
		time.Sleep(200 * time.Millisecond)
		if superuserCall(t, ctx, hc, suToken, http.MethodGet, srv.URL()+"/api/collections/issues/records/"+lostIssue, "") == http.StatusNotFound {
			break
		}
	}
	// someone edits over REST before any tablet is back: the same field of
	// the issue staff edited twice after the backup (its base then is a
	// position only the lost data has: the edit made here after the
	// restore must still count as newer than it)
	edited := tablets[1].issues[1] // a staff issue from before the backup, in 划船社区
	if res := superuserCall(t, ctx, hc, suToken, http.MethodPatch, srv.URL()+"/api/collections/issues/records/"+edited,
		`{"description":"恢复后在网页上修改"}`); res != http.StatusOK {
		t.Fatalf("edit after the restore: %d", res)
	}

	// every tablet comes back
	for _, tb := range tablets {
		ps, pl := syncAll(tb)
		notices, err := tb.c.Notices()
		if err != nil {
			t.Fatal(err)
		}
		if tb.offline {
			if pl.Restored || pl.Resynced || len(notices) != 0 {
				t.Fatalf("%s: the backup has its cursor, yet it was made to start over: %+v %v", tb.name, pl, notices)
			}
			continue
		}
		if !pl.Restored && !ps.Restored {
			t.Fatalf("%s: not told of the restore: %+v %+v", tb.name, ps, pl)
		}
		if len(notices) != 1 || notices[0].Kind != client.NoticeRestored || !strings.Contains(notices[0].Message, "备份恢复") {
			t.Fatalf("%s: notices %+v", tb.name, notices)
		}
		// the journal went again: the backup's as duplicates, the lost ones
		// applied, but for staff's second edit, which conflicts with the
		// REST edit made after the restore (and is reported so)
		conflicts := 0
		if tb == tablets[1] {
			conflicts = 1
		}
		dups := tb.before
		if tb.short {
			dups = 0
			if !strings.Contains(notices[0].Message, "无法自动补传") {
				t.Fatalf("%s: the notice does not say what could not be pushed again: %s", tb.name, notices[0].Message)
			}
		} else if strings.Contains(notices[0].Message, "无法自动补传") {
			t.Fatalf("%s: the notice says edits are lost that the journal has: %s", tb.name, notices[0].Message)
		}
		if ps.Applied != tb.lost-conflicts || ps.Duplicate != dups || ps.Conflict != conflicts || ps.Rejected != 0 {
			t.Fatalf("%s: re-push %+v, want %d applied, %d duplicates, %d conflict", tb.name, ps, tb.lost-conflicts, dups, conflicts)
		}
		t.Logf("%s: %s", tb.name, notices[0].Message)
	}
	if time.Since(backupAt) > 3*time.Minute {
		t.Log("slow machine: the test took long")
	}

	// once all are back (each has pushed what it kept), one more sync each:
	// every tablet holds what a fresh full sync of its account gets
	for _, tb := range tablets {
		if ps, pl := syncAll(tb); ps.Requests != 0 || pl.Resynced {
			t.Fatalf("%s: second sync after the restore: %+v %+v", tb.name, ps, pl)
		}
	}
	for _, tb := range tablets {
		fresh, err := client.Open(filepath.Join(dir, tb.name+"-fresh.db"), srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		fresh.HTTP = hc
		if err := fresh.SetToken(tb.c.Token()); err != nil {
			t.Fatal(err)
		}
		if _, err := fresh.Pull(ctx); err != nil {
			t.Fatal(err)
		}
		for _, e := range tabletsync.Table {
			want, got := snapshot(t, fresh, e.Collection), snapshot(t, tb.c, e.Collection)
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("%s: %s differ from a fresh sync:\n%s", tb.name, e.Collection, diffKeys(want, got))
			}
		}
		if rec, _, ok := tb.c.Record("issues", edited); tb.org == tablets[1].org && (!ok || rec["description"] != "恢复后在网页上修改") {
			t.Fatalf("%s: the edit made after the restore did not arrive: %v", tb.name, rec)
		}
	}

	// in the database: every acknowledged mutation once
	srv.kill()
	one := countIn(t, dir)
	for _, tb := range tablets {
		outcomes, err := tb.c.Outcomes()
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outcomes {
			if o.Status == wire.StatusConflict && tb == tablets[1] && o.Record == edited {
				if !strings.Contains(o.Error, "他人修改") {
					t.Fatalf("%s: conflict told as %q", tb.name, o.Error)
				}
				continue
			}
			if o.Status != wire.StatusApplied && o.Outcome != wire.StatusApplied {
				t.Fatalf("%s: %s %s: %s %s", tb.name, o.ID, o.Op, o.Status, o.Error)
			}
			if n := one("SELECT COUNT(*) FROM _sync_mutations WHERE client = ? AND id = ? AND status = 'applied'", tb.c.ID(), o.ID); n != 1 {
				t.Fatalf("%s: mutation %s logged %d times", tb.name, o.ID, n)
			}
		}
		for _, id := range tb.apps {
			if n := one("SELECT COUNT(*) FROM events WHERE record_id = ? AND action = 'create'", id); n != 1 {
				t.Fatalf("%s: application %s has %d create events", tb.name, id, n)
			}
		}
		if n := one("SELECT COUNT(*) FROM issues WHERE title LIKE ?", "恢复测试 "+tb.name+" %"); n != len(tb.issues) {
			t.Fatalf("%s: %d issues on the server, %d created", tb.name, n, len(tb.issues))
		}
	}
	if got := one("SELECT COUNT(*) FROM issues WHERE id = ? AND description = ?", tablets[0].issues[0], "备份后补充：grid"); got != 1 {
		t.Fatal("the lost edit was not pushed again")
	}
}

// snapshot is what a tablet holds of a collection: id → record.
func snapshot(t *testing.T, c *client.Client, collection string) map[string]map[string]any {
	t.Helper()
	ids, err := c.Records(collection)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, id := range ids {
		rec, _, _ := c.Record(collection, id)
		out[id] = rec
	}
	return out
}

func diffKeys(want, got map[string]map[string]any) string {
	var b strings.Builder
	for id, w := range want {
		if g, ok := got[id]; !ok {
			fmt.Fprintf(&b, "missing %s\n", id)
		} else if !reflect.DeepEqual(w, g) {
			fmt.Fprintf(&b, "%s: want %v\n      got %v\n", id, w, g)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			fmt.Fprintf(&b, "extra %s\n", id)
		}
	}
	return b.String()
}

// superuserToken signs the demo superuser in.
func superuserToken(t *testing.T, ctx context.Context, hc *http.Client, server string) string {
	t.Helper()
	body := fmt.Sprintf(`{"identity":%q,"password":%q}`, demo.SuperuserEmail, demo.Password)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, server+"/api/collections/_superusers/auth-with-password", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("superuser sign-in: %d %v", res.StatusCode, err)
	}
	return out.Token
}

// superuserCall sends a request as the superuser and returns the status
// (0 when the server does not answer, as while it restarts).
func superuserCall(t *testing.T, ctx context.Context, hc *http.Client, token, method, url, body string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, method, url, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", token)
	res, err := hc.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 400 && res.StatusCode != http.StatusNotFound {
		t.Logf("%s %s: %d %s", method, url, res.StatusCode, raw)
	}
	return res.StatusCode
}
