package rollup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/golang-migrate/migrate/v4"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pocketbase/dbx"

	"yuetan/stats"
	"yuetan/workdays"
)

// The city's figures: stats.ComputeDB — the very queries and Go code behind
// GET /api/stats — run over the figures views (migrations/000002), which
// show the replicated tables in a district's SQLite shape. Nothing here
// restates a definition.

// OpenFigures opens the roll-up database for reading figures. It refuses a
// database whose schema is not this binary's version.
func OpenFigures(postgres string) (*dbx.DB, error) {
	cfg, err := pgx.ParseConfig(postgres)
	if err != nil {
		return nil, fmt.Errorf("%w：PostgreSQL 地址无效（%s）：%v", ErrBadOptions, Redact(postgres), err)
	}
	db := stdlib.OpenDB(*cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("无法连接 PostgreSQL %s：%w", Redact(postgres), err)
	}
	// (golang-migrate would create its table in an empty database: a
	// read path writes nothing)
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('public."+MigrationsTable+"') IS NOT NULL").Scan(&exists); err != nil || !exists {
		db.Close()
		return nil, fmt.Errorf("数据库 %s 中还没有汇总数据（请先运行 yuetan replicate）", Redact(postgres))
	}
	m, err := newMigrate(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	v, dirty, err := m.Version()
	switch {
	case errors.Is(err, migrate.ErrNilVersion):
		err = fmt.Errorf("数据库 %s 中还没有汇总数据（请先运行 yuetan replicate）", Redact(postgres))
	case err != nil:
		err = fmt.Errorf("read schema version: %w", err)
	case dirty:
		err = fmt.Errorf("%w：数据库结构版本 %d 的迁移曾中途失败", ErrSchemaDirty, v)
	case v > SchemaVersion():
		err = fmt.Errorf("%w：数据库结构版本为 %d，比本程序支持的 %d 新，请先升级 yuetan", ErrSchemaTooNew, v, SchemaVersion())
	case v < SchemaVersion():
		err = fmt.Errorf("数据库结构版本为 %d，旧于本程序的 %d（请先用本版本运行 yuetan replicate 升级）", v, SchemaVersion())
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return dbx.NewFromDB(db, "pgx"), nil
}

// District is one district in the roll-up database.
type District struct {
	Code       string    `db:"code" json:"code"`
	Name       string    `db:"name" json:"name"`
	AppliedSeq int64     `db:"applied_seq" json:"applied_seq"`
	HeadSeq    int64     `db:"head_seq" json:"head_seq"`
	AppliedAt  time.Time `db:"applied_at" json:"applied_at"`
}

// Districts lists the districts replicated into db, by code.
func Districts(db dbx.Builder) ([]District, error) {
	var out []District
	err := db.NewQuery("SELECT code, name, applied_seq, head_seq, COALESCE(applied_at, 'epoch') AS applied_at FROM yuetan.districts ORDER BY code").All(&out)
	if err != nil {
		return nil, fmt.Errorf("list districts: %w", err)
	}
	return out, nil
}

// withView runs fn in a read-only, repeatable-read transaction whose
// search path is the figures view schema (yuetan_district for one
// district, yuetan_city for all), so every statement sees one snapshot.
func withView(ctx context.Context, db *dbx.DB, district string, fn func(tx *dbx.Tx) error) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	defer tx.Rollback()
	schema := "yuetan_city"
	if district != "" {
		schema = "yuetan_district"
	}
	// JIT compiling costs more than these queries run (seconds for the
	// city); the sorts and hashes of a city's rows fit in 64 MB
	if _, err := tx.NewQuery("SELECT set_config('search_path', {:s}, true), set_config('yuetan.district', {:d}, true), " +
		"set_config('jit', 'off', true), set_config('work_mem', '64MB', true)").
		Bind(dbx.Params{"s": schema, "d": district}).Execute(); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	return fn(tx)
}

// calendar is the working-day calendar of the days in view: the built-in
// notices plus the district's calendar_days (for the city: none, the
// national calendar; a district's local overrides apply to its own rows).
func calendar(tx *dbx.Tx, district string) (*workdays.Calendar, error) {
	cal := workdays.New()
	if district == "" {
		return cal, nil
	}
	var days []workdays.Day
	if err := tx.NewQuery("SELECT date, workday, name, source FROM calendar_days").All(&days); err != nil {
		return nil, fmt.Errorf("calendar_days: %w", err)
	}
	cal.SetOverrides(days)
	return cal, nil
}

// DistrictFigures computes one district's figures from the roll-up: what
// GET /api/stats answers on that district's server for the same query.
func DistrictFigures(ctx context.Context, db *dbx.DB, district string, q stats.Query, now time.Time) (*stats.Figures, error) {
	if district == "" {
		return nil, fmt.Errorf("%w：请指定区代码", ErrBadOptions)
	}
	var f *stats.Figures
	err := withView(ctx, db, district, func(tx *dbx.Tx) error {
		cal, err := calendar(tx, district)
		if err != nil {
			return err
		}
		f, err = stats.ComputeDB(tx, cal, q, now)
		return err
	})
	return f, err
}

// CityFigures computes the figures of every replicated district together
// (ids in them are "CODE/id").
func CityFigures(ctx context.Context, db *dbx.DB, q stats.Query, now time.Time) (*stats.Figures, error) {
	var f *stats.Figures
	err := withView(ctx, db, "", func(tx *dbx.Tx) error {
		cal, err := calendar(tx, "")
		if err != nil {
			return err
		}
		f, err = stats.ComputeDB(tx, cal, q, now)
		return err
	})
	return f, err
}
