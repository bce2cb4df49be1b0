package rollup_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"yuetan/internal/pgtest"
	"yuetan/rollup"
)

// released are the migrations shipped so far, by content. A released
// migration never changes (databases already ran it): change the schema
// with a new numbered pair and add it here.
var released = map[string]string{
	"000001_tables.down.sql":           "adc9ff20d7631642c2158ca95250d0ba6c41fb26369727157c350779033859db",
	"000001_tables.up.sql":             "c30655634b161c534b8dd0abb3d18fe5aafdaf61229520ab690f8bbcf6d3925a",
	"000002_figures_views.down.sql":    "4741eb43df757eb261a487a9113c37a4e62b9d2b2948c17ed2b108dc815bb09b",
	"000002_figures_views.up.sql":      "4c910b06d5dc9de24eef6b16efd49996fd3f2215ea420b59f2c0319665de1db7",
	"000003_issue_duplicates.down.sql": "0f5a973a5164351dc8767212bbae815a45afb8aa1ef176df810ad9bdd8464a37",
	"000003_issue_duplicates.up.sql":   "780a6562d9ae604fb223612e640a34ef7d0ec33ce8eaaa3d25a2297123fbd3ad",
	"000004_clocks.down.sql":           "037e26e8f6bb806c669f097a05ae9658c12f334e8144032242e3eff90bb19167",
	"000004_clocks.up.sql":             "b25668affc17390c192219b6f2e6b92ab38125bdd1d9fe3483bf36a6c1876b59",
}

// TestReleasedMigrationsNeverChange compares every migration file with its
// released checksum, and fails on a new file not yet listed.
func TestReleasedMigrationsNeverChange(t *testing.T) {
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		name := filepath.Base(f)
		want, ok := released[name]
		switch {
		case !ok:
			t.Errorf("%s is not listed in released (add it with sha256 %x)", name, sum)
		case want != hex.EncodeToString(sum[:]):
			t.Errorf("released migration %s changed (sha256 %x, released %s): add a new migration instead", name, sum, want)
		}
	}
	if len(files) != len(released) {
		t.Errorf("%d migration files, %d released: a released migration was deleted", len(files), len(released))
	}
}

func openSQL(t testing.TB, pg string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var _ = stdlib.GetDefaultDriver

// schemaObjects lists the roll-up's schemas, tables, views and functions.
func schemaObjects(t testing.TB, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname LIKE 'yuetan%' UNION ALL SELECT nspname FROM pg_namespace WHERE nspname LIKE 'yuetan%'
		UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname LIKE 'yuetan%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// TestMigrationsUpAndDown: up to the newest, every step down and up
// again, all the way down (nothing of ours left) and up: the same schema
// each time, and a replication works on the result.
func TestMigrationsUpAndDown(t *testing.T) {
	pg := newDB(t)
	db := openSQL(t, pg)
	if err := rollup.Migrate(db); err != nil {
		t.Fatal(err)
	}
	full := schemaObjects(t, db)
	if len(full) < 30 {
		t.Fatalf("schema has %d objects", len(full))
	}
	for v := rollup.SchemaVersion() - 1; v >= 1; v-- {
		if err := rollup.MigrateTo(db, v); err != nil {
			t.Fatalf("down to %d: %v", v, err)
		}
		if len(schemaObjects(t, db)) >= len(full) {
			t.Errorf("down to %d removed nothing", v)
		}
	}
	if err := rollup.MigrateTo(db, 0); err != nil {
		t.Fatal(err)
	}
	if left := schemaObjects(t, db); len(left) != 0 {
		t.Fatalf("after all downs: %v", left)
	}
	if err := rollup.Migrate(db); err != nil {
		t.Fatal(err)
	}
	if again := schemaObjects(t, db); strings.Join(again, ",") != strings.Join(full, ",") {
		t.Fatalf("up after down differs:\n%v\n%v", full, again)
	}
	d := newDistrict(t, "330102")
	d.catchUp(pg, rollup.Options{})
	assertReplica(t, d, pg, false)
}

// TestDirtyMigrationSettles: a crash in the middle of a migration leaves
// golang-migrate's version dirty. Each migration is one transaction, so
// its marker tells whether it committed: applied, the version is kept;
// rolled back, the migration runs again. Either way replication goes on.
// Every version's marker is true exactly when it is applied.
func TestDirtyMigrationSettles(t *testing.T) {
	pg := newDB(t)
	db := openSQL(t, pg)
	for v := uint(0); v <= rollup.SchemaVersion(); v++ {
		if v == 0 {
			if err := rollup.MigrateTo(db, 0); err != nil {
				t.Fatal(err)
			}
		} else if err := rollup.MigrateTo(db, v); err != nil {
			t.Fatal(err)
		}
		for k := uint(1); k <= rollup.SchemaVersion(); k++ {
			if applied, err := rollup.MigrationApplied(db, k); err != nil || applied != (k <= v) {
				t.Errorf("at version %d, marker of %d says %v (%v)", v, k, applied, err)
			}
		}
	}
	// committed, then the crash: dirty at the newest version
	if _, err := db.Exec("UPDATE " + rollup.MigrationsTable + " SET dirty = true"); err != nil {
		t.Fatal(err)
	}
	if err := rollup.Migrate(db); err != nil {
		t.Fatalf("dirty but applied: %v", err)
	}
	// rolled back by the crash: dirty at 2 with 2's objects absent
	if err := rollup.MigrateTo(db, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE " + rollup.MigrationsTable + " SET version = 2, dirty = true"); err != nil {
		t.Fatal(err)
	}
	if err := rollup.Migrate(db); err != nil {
		t.Fatalf("dirty and rolled back: %v", err)
	}
	if applied, _ := rollup.MigrationApplied(db, 2); !applied {
		t.Fatal("migration 2 was not run again")
	}
	// the very first migration rolled back: no version at all
	if err := rollup.MigrateTo(db, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO " + rollup.MigrationsTable + " (version, dirty) VALUES (1, true)"); err != nil {
		t.Fatal(err)
	}
	d := newDistrict(t, "330102")
	d.catchUp(pg, rollup.Options{})
	assertReplica(t, d, pg, false)
}

// TestBadInput: a wrong URL, an unreachable server, a database of a newer
// schema version (dirty or not) and a bad district code are each refused
// with a clear message, and nothing is written.
func TestBadInput(t *testing.T) {
	d := newDistrict(t, "330102")
	for _, c := range []struct{ name, url, district, want string }{
		{"malformed URL", "postgres://user@host:port-not-a-number/db", "330102", "地址无效"},
		{"empty URL", "", "330102", "请指定 PostgreSQL 地址"},
		{"bad code", pgtest.URL(t), "33 01/02", "区代码"},
	} {
		_, err := rollup.New(d.App, rollup.Options{Postgres: c.url, District: c.district})
		if !errors.Is(err, rollup.ErrBadOptions) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// nothing listens on this port
	r, err := rollup.New(d.App, rollup.Options{Postgres: "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", District: "330102"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := r.CatchUp(ctx); err == nil || !strings.Contains(err.Error(), "无法连接 PostgreSQL") || strings.Contains(err.Error(), "password=") {
		t.Errorf("unreachable server: %v", err)
	}

	// a database a newer yuetan migrated
	pg := newDB(t)
	db := openSQL(t, pg)
	if err := rollup.Migrate(db); err != nil {
		t.Fatal(err)
	}
	before := schemaObjects(t, db)
	if _, err := db.Exec("UPDATE " + rollup.MigrationsTable + " SET version = 99"); err != nil {
		t.Fatal(err)
	}
	r, _ = d.replicator(pg, rollup.Options{})
	_, err = r.CatchUp(t.Context())
	if !errors.Is(err, rollup.ErrSchemaTooNew) || !strings.Contains(err.Error(), "比本程序支持的") {
		t.Fatalf("newer schema: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM yuetan.districts").Scan(&n); err != nil || n != 0 {
		t.Errorf("newer schema: %d districts registered (%v)", n, err)
	}
	if after := schemaObjects(t, db); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Error("newer schema: the schema was changed")
	}
	if _, err := rollup.OpenFigures(pg); !errors.Is(err, rollup.ErrSchemaTooNew) {
		t.Errorf("figures on a newer schema: %v", err)
	}
	// a dirty version newer than ours stays refused
	if _, err := db.Exec("UPDATE " + rollup.MigrationsTable + " SET version = 99, dirty = true"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CatchUp(t.Context()); !errors.Is(err, rollup.ErrSchemaTooNew) {
		t.Errorf("dirty newer schema: %v", err)
	}
}
