package stmtcache_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/internal/stmtcache"
)

func open(t *testing.T) *dbx.DB {
	t.Helper()
	db, err := stmtcache.Connect(filepath.Join(t.TempDir(), "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.DB().SetMaxOpenConns(1) // one connection: every statement is its cache's
	exec(t, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
	return db
}

func exec(t *testing.T, db *dbx.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.DB().Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func names(t *testing.T, db *dbx.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.DB().Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReusedStatementsAnswerAnew runs the same statements again and again
// with other arguments: each run binds its own (no argument of a previous
// run left bound), an empty answer included.
func TestReusedStatementsAnswerAnew(t *testing.T) {
	db := open(t)
	for i := range 300 {
		exec(t, db, "INSERT INTO t (id, name) VALUES (?, ?)", i, fmt.Sprint("n", i))
	}
	for i := range 300 {
		got := names(t, db, "SELECT name FROM t WHERE id = ?", i)
		if len(got) != 1 || got[0] != fmt.Sprint("n", i) {
			t.Fatalf("id %d: %v", i, got)
		}
	}
	if got := names(t, db, "SELECT name FROM t WHERE id = ?", 1000); len(got) != 0 {
		t.Fatalf("missing id: %v", got)
	}
	var n int
	if err := db.NewQuery("SELECT count(*) FROM t WHERE id >= {:min}").Bind(dbx.Params{"min": 100}).Row(&n); err != nil || n != 200 {
		t.Fatalf("count: %d %v", n, err)
	}
	// INSERT … RETURNING on a reused statement returns the new row's value
	for i := range 3 {
		var id int
		if err := db.NewQuery("INSERT INTO t (name) VALUES ({:n}) RETURNING id").Bind(dbx.Params{"n": "r"}).Row(&id); err != nil || id != 300+i {
			t.Fatalf("returning: %d %v", id, err)
		}
	}
}

// TestNestedSameStatement reads with a statement while running the same
// SQL again inside the loop (its cached statement busy): both answer.
func TestNestedSameStatement(t *testing.T) {
	db := open(t)
	for i := range 5 {
		exec(t, db, "INSERT INTO t (id, name) VALUES (?, ?)", i, fmt.Sprint("n", i))
	}
	const q = "SELECT name FROM t WHERE id >= ? ORDER BY id"
	tx, err := db.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	outer, err := tx.Query(q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for outer.Next() {
		var s string
		if err := outer.Scan(&s); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, s)
		inner, err := tx.Query(q, 3)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for inner.Next() {
			k++
		}
		inner.Close()
		if k != 2 {
			t.Fatalf("inner read %d rows, want 2", k)
		}
	}
	outer.Close()
	if fmt.Sprint(seen) != "[n0 n1 n2 n3 n4]" {
		t.Fatalf("outer read %v", seen)
	}
}

// TestSchemaChangeReprepares changes the table under a cached statement:
// the next run sees the new schema, and a statement on a dropped table
// fails as it would uncached.
func TestSchemaChangeReprepares(t *testing.T) {
	db := open(t)
	exec(t, db, "INSERT INTO t (id, name) VALUES (1, 'a')")
	cols := func() []string {
		rows, err := db.DB().Query("SELECT * FROM t")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, _ := rows.Columns()
		return c
	}
	if got := fmt.Sprint(cols()); got != "[id name]" {
		t.Fatal(got)
	}
	exec(t, db, "ALTER TABLE t ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'")
	if got := fmt.Sprint(cols()); got != "[id name extra]" {
		t.Fatalf("after ALTER: %s", got)
	}
	exec(t, db, "DROP TABLE t")
	if _, err := db.DB().Query("SELECT * FROM t"); err == nil {
		t.Fatal("query of a dropped table succeeded")
	}
}

// TestEvictionAndScripts runs more distinct statements than a connection
// keeps, while one of the first is busy, and a script of two statements
// (never cached: both run).
func TestEvictionAndScripts(t *testing.T) {
	db := open(t)
	exec(t, db, "INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')")
	tx, err := db.DB().Begin() // one connection for all that follows
	if err != nil {
		t.Fatal(err)
	}
	busy, err := tx.Query("SELECT name FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if !busy.Next() {
		t.Fatal("no first row")
	}
	for i := range 2 * stmtcache.PerConn {
		var s string
		if err := tx.QueryRow(fmt.Sprintf("SELECT name FROM t WHERE id = ? AND %d = %d", i, i), 1).Scan(&s); err != nil || s != "a" {
			t.Fatalf("statement %d: %q %v", i, s, err)
		}
	}
	var s string
	if err := busy.Scan(&s); err != nil || s != "a" || !busy.Next() || busy.Scan(&s) != nil || s != "b" {
		t.Fatalf("busy rows after eviction: %q %v", s, err)
	}
	busy.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	exec(t, db, "INSERT INTO t (id, name) VALUES (3, 'c'); INSERT INTO t (id, name) VALUES (4, 'd')")
	if got := names(t, db, "SELECT name FROM t WHERE id > ? ORDER BY id", 2); fmt.Sprint(got) != "[c d]" {
		t.Fatalf("script: %v", got)
	}
}

// TestConcurrentConnections runs the same statements from many goroutines
// over a pool of connections, each with its own cache (run with -race).
func TestConcurrentConnections(t *testing.T) {
	db := open(t)
	db.DB().SetMaxOpenConns(8)
	exec(t, db, "INSERT INTO t (id, name) VALUES (1, 'a')")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				var s string
				if err := db.DB().QueryRowContext(ctx, "SELECT name FROM t WHERE id = ?", 1).Scan(&s); err != nil || s != "a" {
					errs <- fmt.Errorf("goroutine %d read %d: %q %v", g, i, s, err)
					return
				}
				if err := db.DB().QueryRowContext(ctx, "SELECT name FROM t WHERE id = ?", 2).Scan(&s); err != sql.ErrNoRows {
					errs <- fmt.Errorf("goroutine %d: missing row: %v", g, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkCachedVsDefault runs a save's kind of statements (a relation
// check, an insert of 20 columns, as of an issue) on PocketBase's own
// connection and on a caching one, alternating; cached_speedup_x =
// default time / cached time.
func BenchmarkCachedVsDefault(b *testing.B) {
	dir := b.TempDir()
	var dbs [2]*dbx.DB
	for i, connect := range []func(string) (*dbx.DB, error){core.DefaultDBConnect, stmtcache.Connect} {
		db, err := connect(filepath.Join(dir, fmt.Sprint(i, ".db")))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		if _, err := db.NewQuery("CREATE TABLE t (id TEXT PRIMARY KEY" +
			columns(func(c string) string { return ", " + c + " TEXT NOT NULL DEFAULT ''" }) + ")").Execute(); err != nil {
			b.Fatal(err)
		}
		dbs[i] = db
	}
	var took [2]time.Duration
	n := 0
	for b.Loop() {
		for k := range 2 {
			i := (n + k) % 2
			start := time.Now()
			err := dbs[i].Transactional(func(tx *dbx.Tx) error {
				for j := range 100 {
					var c int
					if err := tx.Select("count(*)").From("t").Where(dbx.HashExp{"id": fmt.Sprint("o", j%5)}).Row(&c); err != nil {
						return err
					}
					row := dbx.Params{"id": fmt.Sprint(n, "-", j)}
					columns(func(c string) string { row[c] = "压测问题"; return "" })
					if _, err := tx.Insert("t", row).Execute(); err != nil {
						return err
					}
				}
				return nil
			})
			took[i] += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	b.ReportMetric(float64(took[0])/float64(took[1]), "cached_speedup_x")
}

// columns joins f's answers for the 19 columns c1…c19.
func columns(f func(c string) string) string {
	var b strings.Builder
	for i := 1; i < 20; i++ {
		b.WriteString(f(fmt.Sprint("c", i)))
	}
	return b.String()
}
