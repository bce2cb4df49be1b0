package rollup_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/internal/pgtest"
	"yuetan/internal/testenv"
	"yuetan/rollup"
	"yuetan/savectx"
)

// district is a test district: a PocketBase test app with the demo data
// and a server identity of its own (test apps are clones of one template,
// so they would otherwise share it).
type district struct {
	*testenv.Env
	code string
}

func newDistrict(t testing.TB, code string) *district {
	t.Helper()
	env := testenv.New(t)
	d := &district{Env: env, code: code}
	d.setServerID(randomID())
	return d
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (d *district) setServerID(id string) {
	d.T.Helper()
	if _, err := d.App.DB().NewQuery("UPDATE _rollup_meta SET value = {:v} WHERE key = 'server_id'").
		Bind(map[string]any{"v": id}).Execute(); err != nil {
		d.T.Fatal(err)
	}
}

// logBuffer collects a replicator's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// replicator returns a replicator of d into pg (closed at the end).
func (d *district) replicator(pg string, opts rollup.Options) (*rollup.Replicator, *logBuffer) {
	d.T.Helper()
	opts.Postgres, opts.District = pg, d.code
	logs := &logBuffer{}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(logs, nil))
	}
	r, err := rollup.New(d.App, opts)
	if err != nil {
		d.T.Fatal(err)
	}
	d.T.Cleanup(r.Close)
	return r, logs
}

// catchUp replicates d into pg until caught up.
func (d *district) catchUp(pg string, opts rollup.Options) *rollup.Replicator {
	d.T.Helper()
	r, _ := d.replicator(pg, opts)
	if _, err := r.CatchUp(context.Background()); err != nil {
		d.T.Fatalf("catch up %s: %v", d.code, err)
	}
	return r
}

// pgConn connects to pg for the test.
func pgConn(t testing.TB, pg string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func count(t testing.TB, c *pgx.Conn, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := c.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// pgColumn is a replicated column as information_schema tells it.
type pgColumn struct{ name, typ string }

func pgColumns(t testing.TB, c *pgx.Conn, table string) []pgColumn {
	t.Helper()
	rows, err := c.Query(context.Background(), `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'yuetan' AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []pgColumn
	for rows.Next() {
		var col pgColumn
		if err := rows.Scan(&col.name, &col.typ); err != nil {
			t.Fatal(err)
		}
		out = append(out, col)
	}
	return out
}

// pgRows reads a district's rows of a table: id → column → value.
func pgRows(t testing.TB, c *pgx.Conn, table, code string) map[string]map[string]any {
	t.Helper()
	rows, err := c.Query(context.Background(), "SELECT * FROM yuetan."+table+" WHERE district = $1", code)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string]any{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		for i, fd := range rows.FieldDescriptions() {
			m[fd.Name] = vals[i]
		}
		id := m["id"].(string)
		if out[id] != nil {
			t.Fatalf("%s/%s twice", table, id)
		}
		out[id] = m
	}
	return out
}

// expected is what PostgreSQL must hold for one column of rec, read
// through PocketBase's record API (not the replicator's own conversion).
func expected(rec *core.Record, col pgColumn, personal bool) any {
	if contains(rollup.Personal[rec.Collection().Name], col.name) && !personal {
		return nil
	}
	switch col.typ {
	case "bigint":
		return int64(rec.GetInt(col.name))
	case "double precision":
		if base, ok := strings.CutSuffix(col.name, "_lon"); ok {
			g, _ := rec.Get(base).(types.GeoPoint)
			return g.Lon
		}
		if base, ok := strings.CutSuffix(col.name, "_lat"); ok {
			g, _ := rec.Get(base).(types.GeoPoint)
			return g.Lat
		}
		return rec.GetFloat(col.name)
	case "boolean":
		return rec.GetBool(col.name)
	case "timestamp with time zone":
		dt := rec.GetDateTime(col.name)
		if dt.IsZero() {
			return nil
		}
		return dt.Time().UTC()
	case "ARRAY":
		return rec.GetStringSlice(col.name)
	}
	return rec.GetString(col.name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func same(want, got any) bool {
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		return ok && w.Equal(g)
	case float64:
		g, ok := got.(float64)
		return ok && math.Abs(w-g) < 1e-9
	case []string:
		var gs []string
		switch g := got.(type) {
		case []any:
			for _, x := range g {
				gs = append(gs, fmt.Sprint(x))
			}
		case []string:
			gs = g
		}
		if len(w) == 0 && len(gs) == 0 {
			return true
		}
		return reflect.DeepEqual(w, gs)
	}
	return reflect.DeepEqual(want, got)
}

// assertReplica checks that pg holds exactly d's records of every
// replicated collection: the same ids (each once) and the same values.
func assertReplica(t testing.TB, d *district, pg string, personal bool) {
	t.Helper()
	c := pgConn(t, pg)
	for _, coll := range rollup.Collections {
		recs, err := d.App.FindAllRecords(coll)
		if err != nil {
			t.Fatal(err)
		}
		got := pgRows(t, c, coll, d.code)
		cols := pgColumns(t, c, coll)
		var diffs []string
		for _, rec := range recs {
			row := got[rec.Id]
			if row == nil {
				diffs = append(diffs, "missing "+rec.Id)
				continue
			}
			for _, col := range cols {
				if col.name == "district" || col.name == "seq" {
					continue
				}
				if w := expected(rec, col, personal); !same(w, row[col.name]) {
					diffs = append(diffs, fmt.Sprintf("%s.%s: want %#v, got %#v", rec.Id, col.name, w, row[col.name]))
				}
			}
			delete(got, rec.Id)
		}
		for id := range got {
			diffs = append(diffs, "extra "+id)
		}
		if len(diffs) > 0 {
			sort.Strings(diffs)
			if len(diffs) > 10 {
				diffs = append(diffs[:10], fmt.Sprintf("… %d more", len(diffs)-10))
			}
			t.Fatalf("district %s, %s (%d records): %s", d.code, coll, len(recs), strings.Join(diffs, "; "))
		}
	}
}

// save sets data on a record of coll (a new one when id is "") as the system.
func (d *district) save(coll, id string, data map[string]any) *core.Record {
	d.T.Helper()
	var rec *core.Record
	if id == "" {
		c, err := d.App.FindCachedCollectionByNameOrId(coll)
		if err != nil {
			d.T.Fatal(err)
		}
		rec = core.NewRecord(c)
	} else {
		var err error
		if rec, err = d.App.FindRecordById(coll, id); err != nil {
			d.T.Fatal(err)
		}
	}
	for k, v := range data {
		rec.Set(k, v)
	}
	if err := d.App.SaveWithContext(system, rec); err != nil {
		d.T.Fatalf("save %s: %v", coll, err)
	}
	return rec
}

// newDB is a fresh roll-up database for t.
func newDB(t testing.TB) string { return pgtest.NewDatabase(t) }

// quiet is a logger that drops everything.
func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func itoa(n int) string { return strconv.Itoa(n) }

func pgxConnect(url string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return pgx.Connect(ctx, url)
}

// system is the context of the tests' own writes: trusted server code, as
// cron and the demo seeding save (the workflow refuses saves by nobody).
var system = savectx.AsSystem(context.Background())
