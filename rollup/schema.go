package rollup

import (
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
var ErrSchemaTooNew = errors.New("schema too new")

// ErrSchemaDirty is returned when a migration failed half way earlier.
var ErrSchemaDirty = errors.New("schema dirty")

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

// Migrate brings db's schema to this binary's version. A database of a
// newer version (another, newer yuetan migrated it) or one left dirty by a
// failed migration is refused before anything is written.
func Migrate(db *sql.DB) error {
	m, err := newMigrate(db)
	if err != nil {
		return err
	}
	v, dirty, err := m.Version()
	switch {
	case errors.Is(err, migrate.ErrNilVersion):
	case err != nil:
		return fmt.Errorf("read schema version: %w", err)
	case dirty:
		return fmt.Errorf("%w: 数据库结构版本 %d 的迁移曾中途失败（dirty），请检查后用 migrate force 修复", ErrSchemaDirty, v)
	case v > SchemaVersion():
		return fmt.Errorf("%w: 数据库结构版本为 %d，比本程序支持的 %d 新，请先升级 yuetan", ErrSchemaTooNew, v, SchemaVersion())
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
