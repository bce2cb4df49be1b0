package rollup

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"

	"github.com/golang-migrate/migrate/v4"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// MigrationsTable is golang-migrate's bookkeeping table (in public).
const MigrationsTable = "yuetan_schema_migrations"

// ErrSchemaTooNew is returned for a database migrated by a newer yuetan.
var ErrSchemaTooNew = errors.New("数据库结构版本过新")

// ErrSchemaDirty is returned when a migration failed half way earlier.
var ErrSchemaDirty = errors.New("数据库结构迁移未完成")

// SchemaVersion is the newest migration this binary carries.
func SchemaVersion() uint {
	vs := migrationVersions()
	return vs[len(vs)-1]
}

var migrationName = regexp.MustCompile(`^(\d+)_\w+\.(up|down)\.sql$`)

func migrationVersions() []uint {
	entries, _ := fs.ReadDir(migrationFiles, "migrations")
	var out []uint
	for _, e := range entries {
		if m := migrationName.FindStringSubmatch(e.Name()); m != nil {
			v, _ := strconv.ParseUint(m[1], 10, 32)
			if !slices.Contains(out, uint(v)) {
				out = append(out, uint(v))
			}
		}
	}
	slices.Sort(out)
	return out
}

// newMigrate binds the embedded migrations to db.
func newMigrate(db *sql.DB) (*migrate.Migrate, error) {
	src, err := iofs.New(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("embedded migrations: %w", err)
	}
	drv, err := pgxmigrate.WithInstance(db, &pgxmigrate.Config{MigrationsTable: MigrationsTable})
	if err != nil {
		return nil, fmt.Errorf("migration driver: %w", err)
	}
	return migrate.NewWithInstance("iofs", src, "pgx5", drv)
}

// migrateLock is our advisory lock around golang-migrate's work: its own
// lock covers Up but not reading the version first, so a second replicator
// starting at once would see the first's migration in flight as dirty.
const migrateLock = 0x797565_74616e // "yuetan"

// markers tell, per migration, whether its objects exist. Each migration
// file runs as one statement batch, which PostgreSQL executes as a single
// transaction (its DDL is transactional), so a version left dirty by a
// crash (golang-migrate marks it dirty before running it) was applied
// entirely or not at all; the marker says which.
var markers = map[uint]string{
	1: "SELECT to_regclass('yuetan.districts') IS NOT NULL",
	2: "SELECT to_regprocedure('yuetan.pb_time(timestamptz)') IS NOT NULL",
	3: "SELECT to_regclass('yuetan.issues_duplicate_of') IS NOT NULL",
	4: "SELECT to_regclass('yuetan.supervisions_target') IS NOT NULL",
}

// MigrationApplied reports whether migration version's objects exist in db.
func MigrationApplied(db *sql.DB, version uint) (bool, error) {
	q, ok := markers[version]
	if !ok {
		return false, fmt.Errorf("migration %d has no marker", version)
	}
	var applied bool
	err := db.QueryRow(q).Scan(&applied)
	return applied, err
}

// Migrate brings db's schema to this binary's version. A database of a
// newer version (another, newer yuetan migrated it) is refused before
// anything is written. A version left dirty by a crash mid-migration is
// settled from its marker (applied or not) and the migrations go on.
func Migrate(db *sql.DB) error {
	ctx := context.Background()
	conn, err := db.Conn(ctx) // the session holding the lock
	if err != nil {
		return fmt.Errorf("无法连接 PostgreSQL：%w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return fmt.Errorf("lock for migrations: %w", err)
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", migrateLock)
	m, err := newMigrate(db)
	if err != nil {
		return err
	}
	v, dirty, err := m.Version()
	switch {
	case errors.Is(err, migrate.ErrNilVersion):
	case err != nil:
		return fmt.Errorf("read schema version: %w", err)
	case v > SchemaVersion():
		return fmt.Errorf("%w：数据库结构版本为 %d，比本程序支持的 %d 新，请先升级 yuetan", ErrSchemaTooNew, v, SchemaVersion())
	case dirty:
		applied, err := MigrationApplied(db, v)
		if err != nil {
			return fmt.Errorf("%w：数据库结构版本 %d 的迁移曾中途失败（dirty），无法判断是否已完成：%v", ErrSchemaDirty, v, err)
		}
		to := int(v)
		if !applied {
			to = int(v) - 1
			if to == 0 {
				to = -1 // no version: nothing applied
			}
		}
		if err := m.Force(to); err != nil {
			return fmt.Errorf("settle dirty schema version %d: %w", v, err)
		}
	}
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("数据库结构迁移失败：%w", err)
	}
	return nil
}

// MigrateTo moves db's schema to version (0: everything down); for tests
// and for an operator rolling back a release.
func MigrateTo(db *sql.DB, version uint) error {
	m, err := newMigrate(db)
	if err != nil {
		return err
	}
	if version == 0 {
		err = m.Down()
	} else {
		err = m.Migrate(version)
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate to %d: %w", version, err)
	}
	return nil
}
