package rollup_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/rollup"
	"yuetan/server"
	"yuetan/tabletsync"
)

// snapshot is every row of a district in PostgreSQL with its row version
// (xmin): equal snapshots mean nothing of that district was rewritten.
func snapshot(t testing.TB, pg, code string) map[string]string {
	t.Helper()
	c := pgConn(t, pg)
	out := map[string]string{}
	for _, coll := range rollup.Collections {
		rows, err := c.Query(context.Background(), "SELECT id, seq, xmin::text FROM yuetan."+coll+" WHERE district = $1", code)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, xmin string
			var seq int64
			if err := rows.Scan(&id, &seq, &xmin); err != nil {
				t.Fatal(err)
			}
			out[coll+"/"+id] = fmt.Sprint(seq, "@", xmin)
		}
		rows.Close()
	}
	var reg string
	if err := c.QueryRow(context.Background(), "SELECT COALESCE((SELECT row_to_json(d)::text FROM yuetan.districts d WHERE code = $1), '')", code).Scan(&reg); err != nil {
		t.Fatal(err)
	}
	out["registry"] = reg
	return out
}

func sameSnapshot(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// edits makes n changes in d: new issues, edits of them, a deletion.
func (d *district) edits(n int, tag string) {
	d.T.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		switch {
		case i%5 == 4 && len(ids) > 0:
			rec, err := d.App.FindRecordById(collections.Issues, ids[0])
			if err != nil {
				d.T.Fatal(err)
			}
			if err := d.App.DeleteWithContext(system, rec); err != nil {
				d.T.Fatal(err)
			}
			ids = ids[1:]
		case i%3 == 2 && len(ids) > 0:
			d.save(collections.Issues, ids[len(ids)-1], map[string]any{collections.IssueDescription: fmt.Sprintf("%s 修改 %d", tag, i)})
		default:
			rec := d.save(collections.Issues, "", map[string]any{collections.IssueCommunity: d.Org("DL-HC").Id, collections.IssueKind: "problem",
				collections.IssueTitle: fmt.Sprintf("%s 问题 %d", tag, i), collections.IssueSource: "door_to_door"})
			ids = append(ids, rec.Id)
		}
	}
}

// clone is a copy of d's data dir served as another app: a backup of d
// restored (same server identity, the feed as it was).
func (d *district) clone(t *testing.T) *district {
	t.Helper()
	app, err := tests.NewTestApp(d.App.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	if err := server.Register(app); err != nil {
		t.Fatal(err)
	}
	return &district{Env: testenv.Wrap(t, app), code: d.code}
}

// TestManyDistrictsOneDatabase: three districts whose records have the very
// same ids (clones of one demo) replicate into one database at once while
// each keeps writing; each district's rows match its own database.
func TestManyDistrictsOneDatabase(t *testing.T) {
	pg := newDB(t)
	ds := []*district{newDistrict(t, "330102"), newDistrict(t, "330105"), newDistrict(t, "330106")}
	for i, d := range ds {
		d.edits(10*(i+1), d.code)
	}
	var wg gosync.WaitGroup
	errs := make(chan error, len(ds))
	for _, d := range ds {
		r, _ := d.replicator(pg, rollup.Options{BatchSize: 20})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 3; round++ {
				if _, err := r.CatchUp(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, d := range ds {
		d.catchUp(pg, rollup.Options{})
		assertReplica(t, d, pg, false)
	}
	c := pgConn(t, pg)
	if n := count(t, c, "SELECT count(DISTINCT district) FROM yuetan.orgs"); n != 3 {
		t.Errorf("orgs of %d districts", n)
	}
}

// TestDistrictCodeOfAnotherServer: a second server (another identity)
// claiming a code in use is refused with a clear error and writes nothing;
// with --replace it takes the code over and the district is resynchronised
// from it.
func TestDistrictCodeOfAnotherServer(t *testing.T) {
	pg := newDB(t)
	a := newDistrict(t, "330102")
	a.catchUp(pg, rollup.Options{})
	before := snapshot(t, pg, "330102")

	b := newDistrict(t, "330102") // another server, same code
	b.edits(7, "乙")
	r, _ := b.replicator(pg, rollup.Options{})
	_, err := r.CatchUp(t.Context())
	if !errors.Is(err, rollup.ErrDistrictTaken) || !strings.Contains(err.Error(), "已由另一台服务器") || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("want a clear 'code taken' error, got %v", err)
	}
	if after := snapshot(t, pg, "330102"); !sameSnapshot(before, after) {
		t.Fatal("a refused server wrote to the roll-up database")
	}
	// the refusal holds on every batch, not only at registration
	a.edits(3, "甲")
	a.catchUp(pg, rollup.Options{})

	b.catchUp(pg, rollup.Options{Replace: true})
	assertReplica(t, b, pg, false)
	// and now the first server is the one refused
	ra, _ := a.replicator(pg, rollup.Options{})
	if _, err := ra.CatchUp(t.Context()); !errors.Is(err, rollup.ErrDistrictTaken) {
		t.Fatalf("old server after takeover: %v", err)
	}
}

// TestRestoredDistrictResyncs: a district restored from a backup (its feed
// back in time) is detected and resynchronised — both when its feed's head
// is behind the cursor and when new writes have carried the head past it
// (the probes catch that) — while the other district's rows are not
// touched at all.
func TestRestoredDistrictResyncs(t *testing.T) {
	pg := newDB(t)
	a := newDistrict(t, "330102")
	other := newDistrict(t, "330105")
	a.edits(10, "甲")
	a.catchUp(pg, rollup.Options{})
	other.catchUp(pg, rollup.Options{})
	backup := a.clone(t)  // restored later, with new writes
	backup2 := a.clone(t) // restored later as it was
	a.edits(40, "备份后")
	a.catchUp(pg, rollup.Options{})
	assertReplica(t, a, pg, false)
	untouched := snapshot(t, pg, other.code)

	// restored, then more writes than were lost: the head passes the cursor
	backup.edits(80, "恢复后")
	r, logs := backup.replicator(pg, rollup.Options{})
	if _, err := r.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := r.Status(); s.Resyncs != 1 {
		t.Errorf("resyncs %d, want 1", s.Resyncs)
	}
	if !strings.Contains(logs.String(), "变更流倒退") {
		t.Errorf("no log line for the resync: %s", logs)
	}
	assertReplica(t, backup, pg, false)

	// restored as it was: the head is behind the cursor
	r2, logs2 := backup2.replicator(pg, rollup.Options{})
	if _, err := r2.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs2.String(), "小于已复制的") {
		t.Errorf("head-behind resync not logged: %s", logs2)
	}
	assertReplica(t, backup2, pg, false)
	if !sameSnapshot(untouched, snapshot(t, pg, other.code)) {
		t.Fatal("resynchronising one district rewrote another's rows")
	}
	// an ordinary catch-up afterwards does not resync again
	backup2.edits(5, "再")
	r3 := backup2.catchUp(pg, rollup.Options{})
	if s := r3.Status(); s.Resyncs != 0 {
		t.Errorf("a normal catch-up resynchronised (%d)", s.Resyncs)
	}
	assertReplica(t, backup2, pg, false)
}

// TestPrunedTombstonesResync: deletes the replica has not seen yet, whose
// tombstones the district then prunes (older than the retention), would be
// lost: the district is resynchronised, the deleted records leave
// PostgreSQL, and the catch-ups after do not resynchronise again. A fresh
// database replicating a district with a pruned history copies it once.
func TestPrunedTombstonesResync(t *testing.T) {
	pg := newDB(t)
	d := newDistrict(t, "330102")
	d.edits(20, "旧")
	d.catchUp(pg, rollup.Options{})
	var gone []string
	if err := d.App.DB().NewQuery("SELECT id FROM issues WHERE title LIKE '旧 问题%' ORDER BY id LIMIT 5").Column(&gone); err != nil {
		t.Fatal(err)
	}
	if len(gone) != 5 {
		t.Fatalf("%d issues to delete", len(gone))
	}
	for _, id := range gone {
		rec, err := d.App.FindRecordById(collections.Issues, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.App.DeleteWithContext(system, rec); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.App.DB().NewQuery("UPDATE _sync_changes SET at = '2020-01-01 00:00:00.000Z' WHERE op = 'delete'").Execute(); err != nil {
		t.Fatal(err)
	}
	if err := tabletsync.Prune(d.App, tabletsync.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	d.edits(5, "新")
	r, logs := d.replicator(pg, rollup.Options{BatchSize: 50})
	if _, err := r.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := r.Status(); s.Resyncs != 1 || !strings.Contains(logs.String(), "已被清理") {
		t.Errorf("resyncs %d, log %s", s.Resyncs, logs)
	}
	assertReplica(t, d, pg, false)
	d.edits(5, "再")
	if _, err := r.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := r.Status(); s.Resyncs != 1 {
		t.Errorf("resynchronised again (%d)", s.Resyncs)
	}
	assertReplica(t, d, pg, false)

	fresh := newDB(t)
	r2, _ := d.replicator(fresh, rollup.Options{BatchSize: 50})
	if _, err := r2.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := r2.Status(); s.Resyncs != 0 {
		t.Errorf("a fresh copy of a pruned district resynchronised %d times", s.Resyncs)
	}
	assertReplica(t, d, fresh, false)
}
