package rollup_test

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/pgtest"
	"yuetan/internal/testtool"
	"yuetan/rollup"
)

// bulkIssues inserts n issues (with residents' details) and their feed
// rows straight into d's database, the way the sync migration backfills.
func bulkIssues(t testing.TB, d *district, n int, tag string) {
	t.Helper()
	params := dbx.Params{"n": n, "now": time.Now().UTC().Format("2006-01-02 15:04:05.000Z"), "c": d.Org("DL-HC").Id, "tag": tag}
	err := d.App.RunInTransaction(func(tx core.App) error {
		if _, err := tx.DB().NewQuery(`WITH RECURSIVE seq(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM seq WHERE k < {:n})
			INSERT INTO issues (id, community, grid, kind, title, description, address, location, resident_name, resident_phone, photos, source, status, collected_at, created, updated)
			SELECT printf('%s%012d', {:tag}, k), {:c}, {:tag}, 'problem', '批量问题 ' || k,
				'压测用的问题描述，长度与真实记录相当：小区低洼地积水，居民希望改造。', (k % 40) || '幢',
				'{"lon":120.' || (k % 1000) || ',"lat":30.5}', '居民' || k, '139' || printf('%08d', k), '[]',
				'door_to_door', 'open', {:now}, {:now}, {:now}
			FROM seq`).Bind(params).Execute(); err != nil {
			return err
		}
		_, err := tx.DB().NewQuery(`INSERT OR REPLACE INTO _sync_changes (collection, record, op)
			SELECT 'issues', id, 'upsert' FROM issues WHERE grid = {:tag} ORDER BY id`).Bind(params).Execute()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writer keeps writing to d through PocketBase (every hook, the feed):
// creates, edits and deletes, until stopped.
type writer struct {
	stop atomic.Bool
	done chan struct{}
	n    atomic.Int64
	err  atomic.Value
}

func startWriter(d *district, tag string) *writer {
	w := &writer{done: make(chan struct{})}
	d.T.Cleanup(func() { w.stop.Store(true); <-w.done }) // before the app closes
	go func() {
		defer close(w.done)
		var ids []string
		for i := 0; !w.stop.Load(); i++ {
			err := func() error {
				switch {
				case i%7 == 6 && len(ids) > 0:
					rec, err := d.App.FindRecordById(collections.Issues, ids[0])
					if err != nil {
						return err
					}
					ids = ids[1:]
					return d.App.DeleteWithContext(system, rec)
				case i%3 == 2 && len(ids) > 0:
					rec, err := d.App.FindRecordById(collections.Issues, ids[len(ids)-1])
					if err != nil {
						return err
					}
					rec.Set(collections.IssueDescription, fmt.Sprintf("%s 修改 %d", tag, i))
					return d.App.SaveWithContext(system, rec)
				}
				c, err := d.App.FindCachedCollectionByNameOrId(collections.Issues)
				if err != nil {
					return err
				}
				rec := core.NewRecord(c)
				rec.Set(collections.IssueCommunity, d.Org("BH-DH").Id)
				rec.Set(collections.IssueKind, "suggestion")
				rec.Set(collections.IssueTitle, fmt.Sprintf("%s 写入 %d", tag, i))
				rec.Set(collections.IssueSource, "door_to_door")
				rec.Set(collections.IssueResidentName, "写入居民")
				if err := d.App.SaveWithContext(system, rec); err != nil {
					return err
				}
				ids = append(ids, rec.Id)
				return nil
			}()
			if err != nil {
				w.err.Store(err)
				return
			}
			w.n.Add(1)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return w
}

func (w *writer) halt(t testing.TB) {
	t.Helper()
	w.stop.Store(true)
	<-w.done
	if err, _ := w.err.Load().(error); err != nil {
		t.Fatalf("district writer: %v", err)
	}
	if w.n.Load() == 0 {
		t.Fatal("the district writer wrote nothing")
	}
}

// inTransaction waits until the replicator of code has a transaction open
// in PostgreSQL (it is in the middle of a batch); false on timeout.
func inTransaction(t testing.TB, admin, code string, timeout time.Duration) bool {
	t.Helper()
	c := pgConn(t, admin)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var n int
		_ = c.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction')`,
			"yuetan-replicate "+code).Scan(&n)
		if n > 0 {
			return true
		}
	}
	return false
}

func appliedSeq(t testing.TB, pg, code string) int64 {
	t.Helper()
	c, err := pgxConnect(pg)
	if err != nil {
		return -1
	}
	defer c.Close(context.Background())
	var n int64
	_ = c.QueryRow(context.Background(), "SELECT COALESCE((SELECT applied_seq FROM yuetan.districts WHERE code = $1), 0)", code).Scan(&n)
	return n
}

// TestKillReplicatorMidBatch runs `yuetan replicate` (the real binary) on
// the district's data dir and SIGKILLs it five times, each time while it
// has a batch's transaction open in PostgreSQL, while the district keeps
// writing (through PocketBase, and in bulk). After a final `--once`, every
// record matches — count and content, none twice — and the cursor
// advanced between kills (no batch was applied twice or lost).
func TestKillReplicatorMidBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the yuetan binary")
	}
	bin := testtool.Binary(t)
	pg := newDB(t)
	d := newDistrict(t, "330102")
	bulkIssues(t, d, 6000, "kla")
	w := startWriter(d, "杀进程")
	args := []string{"replicate", "--dev=false", "--dir", d.App.DataDir(), "--postgres", pg, "--district", d.code, "--batch", "300", "--interval", "50ms"}
	midBatch := 0
	var seqs []int64
	for k := 0; k < 5; k++ {
		if k > 0 {
			bulkIssues(t, d, 3000, fmt.Sprintf("kl%d", k))
		}
		cmd := exec.Command(bin, args...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// let it commit some batches, then kill it inside the next one
		last := int64(0)
		if len(seqs) > 0 {
			last = seqs[len(seqs)-1]
		}
		waitFor(t, 60*time.Second, "the replicator to commit a batch", func() bool { return appliedSeq(t, pg, d.code) > last })
		if inTransaction(t, pg, d.code, 60*time.Second) {
			midBatch++
		}
		_ = cmd.Process.Kill() // SIGKILL
		_ = cmd.Wait()
		seqs = append(seqs, appliedSeq(t, pg, d.code))
		if strings.Contains(out.String(), "错误") {
			t.Fatalf("replicator failed before the kill: %s", out.String())
		}
	}
	w.halt(t)
	if midBatch < 3 {
		t.Fatalf("only %d of 5 kills landed while a batch was open", midBatch)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Errorf("no progress between kills: %v", seqs)
		}
	}
	once := exec.Command(bin, append(args, "--once")...)
	if out, err := once.CombinedOutput(); err != nil {
		t.Fatalf("replicate --once: %v\n%s", err, out)
	}
	assertReplica(t, d, pg, false)
	t.Logf("%d kills mid-batch; cursor after each kill %v; %d writes through PocketBase meanwhile", midBatch, seqs, w.n.Load())
}

// TestPostgresStopsMidBatch stops PostgreSQL (immediate shutdown, like a
// crash) twice while the replicator, running in process as serve runs it,
// has a batch open and the district keeps writing; the replicator logs
// that it falls behind, retries, and after PostgreSQL is back every record
// matches — count and content, none twice.
func TestPostgresStopsMidBatch(t *testing.T) {
	srv := pgtest.StartServer(t)
	pg := pgtest.CreateDatabase(t, srv.URL())
	d := newDistrict(t, "330102")
	bulkIssues(t, d, 8000, "pga")
	logs := &logBuffer{}
	r, _ := d.replicator(pg, rollup.Options{BatchSize: 300, Interval: 50 * time.Millisecond, LagWarn: 500 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- r.Run(ctx) }()
	w := startWriter(d, "停库")
	for k := 0; k < 2; k++ {
		if k > 0 {
			bulkIssues(t, d, 4000, fmt.Sprintf("pg%d", k))
		}
		// after it has committed batches (not while it migrates or
		// registers), inside the next one
		last := appliedSeq(t, pg, d.code)
		waitFor(t, 60*time.Second, "the replicator to commit a batch", func() bool { return appliedSeq(t, pg, d.code) > last })
		if !inTransaction(t, pg, d.code, 60*time.Second) {
			t.Fatalf("round %d: the replicator never had a batch open", k)
		}
		if err := srv.Stop(); err != nil {
			t.Fatal(err)
		}
		// the district goes on; the replica falls behind and says so (the
		// log at most once a minute while it stays behind)
		waitFor(t, 60*time.Second, "the replicator to notice", func() bool { return r.Status().State == "error" })
		waitFor(t, 60*time.Second, "the log to say the replica falls behind", func() bool {
			return strings.Contains(logs.String(), "falling behind")
		})
		if s := r.Status(); s.Pending == 0 || s.LagSeconds <= 0 {
			t.Errorf("round %d: PostgreSQL down but status shows no lag: %+v", k, s)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
	}
	w.halt(t)
	caught := func() bool {
		s := r.Status()
		return s.Pending == 0 && s.Error == ""
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !caught() {
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not catch up: %+v\n%s", r.Status(), logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	assertReplica(t, d, pg, false)
	if !strings.Contains(logs.String(), "retrying") || !strings.Contains(logs.String(), "caught up") {
		t.Errorf("log lacks the retry or the catch-up: %s", logs)
	}
}

func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
