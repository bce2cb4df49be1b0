package migrations_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"yuetan/collections"
	"yuetan/forms"
	"yuetan/notify"
)

// migrated returns a test app on a copy of dataDir (blank when empty) with
// every pending migration run, PocketBase's and ours, one by one as serve
// runs them.
func migrated(t *testing.T, dataDir string) *tests.TestApp {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	app, err := tests.NewTestApp(dataDir)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	t.Cleanup(app.Cleanup)
	return app
}

// declared returns a blank app (PocketBase's system migrations only) into
// which the schema the code declares today is imported: collections.Apply,
// forms.NewFormPrints, notify.All and collections.NewArchiveJobs.
func declared(t *testing.T) core.App {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: t.TempDir()})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.ResetBootstrapState() })
	if err := collections.Apply(app); err != nil {
		t.Fatalf("apply the declared schema: %v", err)
	}
	if err := app.Save(forms.NewFormPrints()); err != nil {
		t.Fatalf("declared form_prints: %v", err)
	}
	for _, c := range append(notify.All(), collections.NewArchiveJobs()) {
		if err := app.Save(c); err != nil {
			t.Fatalf("declared %s: %v", c.Name, err)
		}
	}
	return app
}

// schema is every collection of app by name, as PocketBase stores it:
// each top-level property, field (by name) and index as compact JSON.
// created/updated are left out, and the order of fields and indexes, which
// only the dashboard shows.
func schema(t *testing.T, app core.App) map[string]map[string]string {
	t.Helper()
	all, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, c := range all {
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var props map[string]json.RawMessage
		if err := json.Unmarshal(raw, &props); err != nil {
			t.Fatal(err)
		}
		parts := map[string]string{}
		for k, v := range props {
			switch k {
			case "created", "updated", "fields", "indexes":
			default:
				parts[k] = string(v)
			}
		}
		for _, f := range c.Fields {
			raw, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			parts["field "+f.GetName()] = string(raw)
		}
		for _, idx := range c.Indexes {
			parts["index "+idx] = "present"
		}
		out[c.Name] = parts
	}
	return out
}

// schemaDiff lists, line by line, where the collections of got and want
// differ.
func schemaDiff(got, want map[string]map[string]string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(merge(got, want))) {
		g, w := got[name], want[name]
		switch {
		case g == nil:
			out = append(out, fmt.Sprintf("collection %s: missing", name))
			continue
		case w == nil:
			out = append(out, fmt.Sprintf("collection %s: not expected", name))
			continue
		}
		for _, part := range slices.Sorted(maps.Keys(merge(g, w))) {
			if g[part] == w[part] {
				continue
			}
			switch {
			case g[part] == "":
				out = append(out, fmt.Sprintf("%s %s: missing, want %s", name, part, w[part]))
			case w[part] == "":
				out = append(out, fmt.Sprintf("%s %s: not expected: %s", name, part, g[part]))
			default:
				out = append(out, fmt.Sprintf("%s %s:\n\tgot  %s\n\twant %s", name, part, g[part], w[part]))
			}
		}
	}
	return out
}

func merge[V any](a, b map[string]V) map[string]V {
	m := maps.Clone(a)
	maps.Copy(m, b)
	return m
}

// TestFreshInstallIsDeclaredSchema: a blank database migrated from the
// first migration has exactly the collections the code declares (every
// field with its options, index and rule). A change in collections/ (or
// forms' form_prints) without the delta migration that makes it fails here
// and names the difference.
func TestFreshInstallIsDeclaredSchema(t *testing.T) {
	diff := schemaDiff(schema(t, migrated(t, "")), schema(t, declared(t)))
	if len(diff) > 0 {
		t.Errorf("the migrations do not build the schema collections/ declares (got: the migrations; want: the code).\n"+
			"A change to collections/ needs its own delta migration in pb_migrations (see the README):\n%s", strings.Join(diff, "\n"))
	}
}

// TestSchemaDiffSeesAChange attacks the comparison: a field, an option, an
// index and a rule changed on one side are each reported.
func TestSchemaDiffSeesAChange(t *testing.T) {
	app := declared(t)
	want := schema(t, app)
	issues, err := app.FindCollectionByNameOrId(collections.Issues)
	if err != nil {
		t.Fatal(err)
	}
	issues.Fields.Add(&core.TextField{Name: "duplicate_note", Max: 10})
	issues.Fields.GetByName(collections.IssueTitle).(*core.TextField).Max++
	issues.AddIndex("idx_issues_test", false, collections.IssueTitle, "")
	rule := "@request.auth.id = 'x'"
	issues.DeleteRule = &rule
	if err := app.Save(issues); err != nil {
		t.Fatal(err)
	}
	diff := strings.Join(schemaDiff(schema(t, app), want), "\n")
	for _, seen := range []string{"issues field duplicate_note: not expected", "issues field " + collections.IssueTitle + ":",
		"issues index CREATE INDEX `idx_issues_test`", "issues deleteRule:"} {
		if !strings.Contains(diff, seen) {
			t.Errorf("the diff does not report %q:\n%s", seen, diff)
		}
	}
}

// mainFixture is a data dir built by main's migrations as released at
// 20e8321 (each migration then applied today's schema), with the demo
// district seeded: the migrations of that tree run on a blank test app,
// demo.Seed with server.Register, then VACUUM INTO data.db and
// auxiliary.db, gzipped.
const mainFixture = "testdata/main-20e8321"

// released are the migrations main had applied at 20e8321.
var released = []string{
	"1764000000_init.go", "1764000001_calendar_days.go", "1764000100_sync.go", "1764000101_sync_own_changes.go",
	"1764000200_forms.go", "1764000300_chinese_mail.go", "1764000300_rollup.go", "1764000400_signature_rules.go",
	"1764000420_read_rules_follow_applications.go", "1764000421_sync_session_bounds.go",
	"1764000430_signature_read_rule.go", "1764000700_rate_limits.go",
}

// unpack writes the fixture's databases into a new data dir.
func unpack(t *testing.T, fixture string) string {
	t.Helper()
	dir := t.TempDir()
	for _, db := range []string{"data.db", "auxiliary.db"} {
		in, err := os.Open(filepath.Join(fixture, db+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		zr, err := gzip.NewReader(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dir, db))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, zr); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// applied maps each migration recorded in db to when it was applied.
func applied(t *testing.T, db dbx.Builder) map[string]int64 {
	t.Helper()
	var rows []struct {
		File    string `db:"file"`
		Applied int64  `db:"applied"`
	}
	if err := db.NewQuery("SELECT file, applied FROM _migrations").All(&rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.File] = r.Applied
	}
	return out
}

// tables describes every table of db (its columns' type, NOT NULL,
// default and key; not their order) and the SQL of its indexes.
func tables(t *testing.T, db dbx.Builder) map[string]string {
	t.Helper()
	var objects []struct {
		Type string `db:"type"`
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := db.NewQuery(`SELECT type, name, COALESCE(sql, '') AS sql FROM sqlite_master
		WHERE name NOT LIKE 'sqlite_%'`).All(&objects); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, o := range objects {
		switch o.Type {
		case "table":
			var cols []struct {
				Name    string  `db:"name"`
				Type    string  `db:"type"`
				NotNull int     `db:"notnull"`
				Default *string `db:"dflt_value"`
				PK      int     `db:"pk"`
			}
			if err := db.NewQuery("SELECT name, type, `notnull`, dflt_value, pk FROM pragma_table_info({:t})").
				Bind(dbx.Params{"t": o.Name}).All(&cols); err != nil {
				t.Fatal(err)
			}
			out["table "+o.Name] = "present"
			for _, c := range cols {
				d := "NULL"
				if c.Default != nil {
					d = *c.Default
				}
				out["column "+o.Name+"."+c.Name] = fmt.Sprintf("%s notnull=%d default=%s pk=%d", c.Type, c.NotNull, d, c.PK)
			}
		default:
			out[o.Type+" "+o.Name] = o.SQL
		}
	}
	return out
}

// counts is the number of rows of each collection's table.
func counts(t *testing.T, db dbx.Builder, names []string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, n := range names {
		var k int
		if err := db.NewQuery("SELECT COUNT(*) FROM {{" + n + "}}").Row(&k); err != nil {
			t.Fatalf("count %s: %v", n, err)
		}
		out[n] = k
	}
	return out
}

// TestUpgradeFromMain: a production database made by main's migrations as
// released (20e8321, with the demo district's records in it) takes the
// chain as it is now: no released migration runs again, and the result
// equals a fresh install, in its collections, its tables and indexes, its
// settings; every record is still there.
func TestUpgradeFromMain(t *testing.T) {
	dir := unpack(t, mainFixture)
	before, err := core.DefaultDBConnect(filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	wasApplied := applied(t, before)
	for _, file := range released {
		if _, ok := wasApplied[file]; !ok {
			t.Fatalf("the fixture lacks released migration %s", file)
		}
	}
	var names []string
	for _, c := range append(collections.All(), forms.NewFormPrints()) {
		names = append(names, c.Name)
	}
	hadRows := counts(t, before, names)
	if hadRows[collections.Applications] == 0 || hadRows[collections.Issues] == 0 {
		t.Fatalf("the fixture holds no demo records: %v", hadRows)
	}
	if err := before.Close(); err != nil {
		t.Fatal(err)
	}

	upgraded := migrated(t, dir)
	fresh := migrated(t, "")

	nowApplied := applied(t, upgraded.DB())
	for _, file := range released {
		if nowApplied[file] != wasApplied[file] {
			t.Errorf("released migration %s ran again on upgrade (applied %d, then %d)", file, wasApplied[file], nowApplied[file])
		}
	}
	if got, want := slices.Sorted(maps.Keys(nowApplied)), slices.Sorted(maps.Keys(applied(t, fresh.DB()))); !slices.Equal(got, want) {
		t.Errorf("applied migrations after the upgrade\n%v\nfresh install\n%v", got, want)
	}
	if diff := schemaDiff(schema(t, upgraded), schema(t, fresh)); len(diff) > 0 {
		t.Errorf("an upgraded database's collections differ from a fresh install's (got: upgraded):\n%s", strings.Join(diff, "\n"))
	}
	gotTables, wantTables := tables(t, upgraded.DB()), tables(t, fresh.DB())
	for _, k := range slices.Sorted(maps.Keys(merge(gotTables, wantTables))) {
		if gotTables[k] != wantTables[k] {
			t.Errorf("%s\n upgraded: %q\n fresh:    %q", k, gotTables[k], wantTables[k])
		}
	}
	type settings struct {
		Meta       core.MetaConfig
		Batch      core.BatchConfig
		RateLimits core.RateLimitsConfig
	}
	gotSettings := settings{upgraded.Settings().Meta, upgraded.Settings().Batch, upgraded.Settings().RateLimits}
	wantSettings := settings{fresh.Settings().Meta, fresh.Settings().Batch, fresh.Settings().RateLimits}
	if g, w := fmt.Sprintf("%+v", gotSettings), fmt.Sprintf("%+v", wantSettings); g != w {
		t.Errorf("settings after the upgrade\n%s\nfresh install\n%s", g, w)
	}
	if got := counts(t, upgraded.DB(), names); !maps.Equal(got, hadRows) {
		t.Errorf("records after the upgrade %v, before %v", got, hadRows)
	}
}
