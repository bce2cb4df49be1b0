package rollup

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"yuetan/collections"
	"yuetan/tabletsync"
)

// Collections are the replicated collections, in the order a batch applies
// them: everything in the change feed (tabletsync.Table and tabletsync.FeedOnly).
var Collections = func() []string {
	var out []string
	for _, e := range tabletsync.Table {
		out = append(out, e.Collection)
	}
	return append(out, tabletsync.FeedOnly...)
}()

// Personal are the replicated columns holding personal data — the fields
// of collections.PersonalFields (the schema's one table of them) that leave
// the district at all: NULL in PostgreSQL unless the district turns
// personal data on. The city does not need them (PIPL: collect no more
// than the purpose needs).
var Personal = func() map[string][]string {
	out := map[string][]string{}
	for _, p := range collections.PersonalFields {
		for _, f := range p.Fields {
			if !slices.Contains(NotReplicated[p.Collection], f) && !slices.Contains(out[p.Collection], f) {
				out[p.Collection] = append(out[p.Collection], f)
			}
		}
	}
	return out
}()

// NotReplicated are the fields that never leave the district: users'
// credentials and e-mail (sync hands out only collections.UserPublicFields)
// and files (photos, signature images, PDFs stay on the district server,
// and so does which archive copy is still being made).
var NotReplicated = map[string][]string{
	collections.Users:        {"password", "tokenKey", "email", "emailVisibility", "verified", "avatar"},
	collections.Issues:       {collections.IssuePhotos},
	collections.Applications: {collections.AppArchivePDF, collections.AppNoticePDF, collections.AppSignedScan, collections.ArchivePending},
	collections.Signatures:   {collections.SigImage},
	collections.Talks:        {collections.TalkArchivePDF, collections.ArchivePending},
	collections.Feedback:     {collections.FbArchivePDF, collections.FbProof, collections.ArchivePending},
}

// pgSchema holds the replicated tables.
const pgSchema = "yuetan"

// column kinds, from PostgreSQL's data_type
type kind int

const (
	kText kind = iota
	kInt
	kFloat
	kBool
	kTime
	kTextArray
)

// column is one PostgreSQL column of a replicated table and the SQLite
// field it comes from (a geo point's _lon/_lat come from one field).
type column struct {
	name     string
	kind     kind
	field    string // SQLite column
	geo      string // "lon" or "lat" for a geo point
	personal bool
}

// tableDef is one replicated table as PostgreSQL has it.
type tableDef struct {
	collection string
	columns    []column // without district and seq
	fields     []string // distinct SQLite columns to select, id first
	index      map[string]int
}

// loadTables reads the replicated tables' columns from PostgreSQL, so the
// migrations alone say what is replicated.
func loadTables(ctx context.Context, conn *pgx.Conn) (map[string]*tableDef, error) {
	rows, err := conn.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = $1 ORDER BY table_name, ordinal_position`, pgSchema)
	if err != nil {
		return nil, fmt.Errorf("read replicated tables: %w", err)
	}
	defs := map[string]*tableDef{}
	for rows.Next() {
		var tbl, col, typ string
		if err := rows.Scan(&tbl, &col, &typ); err != nil {
			rows.Close()
			return nil, err
		}
		if col == "district" || col == "seq" || !isCollection(tbl) {
			continue
		}
		d := defs[tbl]
		if d == nil {
			d = &tableDef{collection: tbl, index: map[string]int{}}
			defs[tbl] = d
		}
		c := column{name: col, field: col}
		switch typ {
		case "bigint", "integer":
			c.kind = kInt
		case "double precision":
			c.kind = kFloat
		case "boolean":
			c.kind = kBool
		case "timestamp with time zone":
			c.kind = kTime
		case "ARRAY":
			c.kind = kTextArray
		case "text":
			c.kind = kText
		default:
			rows.Close()
			return nil, fmt.Errorf("yuetan.%s.%s: unsupported type %s", tbl, col, typ)
		}
		for _, suffix := range []string{"lon", "lat"} {
			if base, ok := strings.CutSuffix(col, "_"+suffix); ok && c.kind == kFloat {
				c.field, c.geo = base, suffix
			}
		}
		for _, p := range Personal[tbl] {
			c.personal = c.personal || p == col
		}
		d.columns = append(d.columns, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range Collections {
		d := defs[name]
		if d == nil || len(d.columns) == 0 || d.columns[0].name != "id" {
			return nil, fmt.Errorf("PostgreSQL 中缺少复制表 yuetan.%s（数据库结构不完整）", name)
		}
		for _, c := range d.columns {
			if _, ok := d.index[c.field]; !ok {
				d.index[c.field] = len(d.fields)
				d.fields = append(d.fields, c.field)
			}
		}
	}
	return defs, nil
}

func isCollection(name string) bool {
	for _, c := range Collections {
		if c == name {
			return true
		}
	}
	return false
}

// columnNames lists the COPY columns: district, seq, then the table's.
func (d *tableDef) columnNames() []string {
	out := []string{"district", "seq"}
	for _, c := range d.columns {
		out = append(out, c.name)
	}
	return out
}

// row converts one SQLite row (values in d.fields order) to the COPY row.
func (d *tableDef) row(district string, seq int64, raw []any, personal bool) ([]any, error) {
	out := make([]any, 0, len(d.columns)+2)
	out = append(out, district, seq)
	var geo map[string]float64
	for _, c := range d.columns {
		v := raw[d.index[c.field]]
		if c.personal && !personal {
			out = append(out, nil)
			continue
		}
		if c.geo != "" {
			if geo == nil {
				geo = map[string]float64{}
				_ = json.Unmarshal([]byte(asString(v)), &geo)
			}
			out = append(out, geo[c.geo])
			continue
		}
		x, err := convert(c.kind, v)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", d.collection, c.name, err)
		}
		out = append(out, x)
	}
	return out, nil
}

// pbTime is how PocketBase stores dates in SQLite.
const pbTime = "2006-01-02 15:04:05.000Z"

// convert turns a SQLite value into the Go value pgx copies for k.
func convert(k kind, v any) (any, error) {
	switch k {
	case kText:
		return asString(v), nil
	case kInt:
		switch x := v.(type) {
		case nil:
			return int64(0), nil
		case int64:
			return x, nil
		case float64:
			return int64(math.Round(x)), nil
		case bool:
			return int64(b2i(x)), nil
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(asString(v)), 64)
		if err != nil && asString(v) != "" {
			return nil, fmt.Errorf("not a number: %q", asString(v))
		}
		return int64(math.Round(n)), nil
	case kFloat:
		switch x := v.(type) {
		case nil:
			return float64(0), nil
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		}
		s := strings.TrimSpace(asString(v))
		if s == "" {
			return float64(0), nil
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("not a number: %q", s)
		}
		return n, nil
	case kBool:
		switch x := v.(type) {
		case nil:
			return false, nil
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		}
		s := asString(v)
		return s == "1" || s == "true", nil
	case kTime:
		s := asString(v)
		if s == "" {
			return nil, nil
		}
		t, err := time.Parse(pbTime, s)
		if err != nil {
			if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return nil, fmt.Errorf("not a date: %q", s)
			}
		}
		return t.UTC(), nil
	case kTextArray:
		s := strings.TrimSpace(asString(v))
		out := []string{}
		if s == "" || s == "null" {
			return out, nil
		}
		if !strings.HasPrefix(s, "[") {
			return []string{s}, nil // a single value stored plainly
		}
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, fmt.Errorf("not a list: %q", s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown kind %d", k)
}

func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case time.Time:
		return x.UTC().Format(pbTime)
	}
	return fmt.Sprint(v)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
