// Package ledger owns the ledger (台账): the applications, issues and
// co-signatures of a date range as an Excel workbook, one sheet each,
// with Chinese headers, a frozen header row and date cells as dates.
//
// A caller gets exactly the rows the collection's list rule gives it
// (package listrule applies the rule as the list API does) with exactly
// the fields the list API would show it: every record passes through
// PocketBase's enrich hooks, so the privacy package hides the personal
// fields it may not see, and the schema's hidden fields stay hidden. The
// workbook is written with excelize's streaming writer, so a hundred
// thousand rows stay in bounded memory. GET /api/export/ledger serves it
// (routes.go), `yuetan export` writes it (command.go).
package ledger

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/listrule"
	"yuetan/stats"
	"yuetan/workdays"
)

// Query selects the ledger: what falls in [From, To) as Auth may list it
// (a superuser: everything; nil: nothing).
type Query struct {
	From, To time.Time
	Auth     *core.Record
}

// pageSize is how many records are read, enriched and written at a time.
var pageSize = 500

// Visitor receives the ledger sheet by sheet: Sheet before each sheet's
// rows, then Row for each (the cells in column order: string, time.Time
// or nil for an empty cell).
type Visitor interface {
	Sheet(s Sheet) error
	Row(cells []any) error
}

// Count returns how many rows each sheet of q has (for a progress bar).
func Count(app core.App, q Query) (map[string]int, int, error) {
	out := map[string]int{}
	total := 0
	for _, s := range Sheets() {
		sel, err := selectRecords(app, s, q)
		if err != nil {
			return nil, 0, err
		}
		var n int
		if err := sel.Select("COUNT(DISTINCT [[" + s.Collection + ".id]])").Row(&n); err != nil {
			return nil, 0, fmt.Errorf("ledger count %s: %w", s.Collection, err)
		}
		out[s.Name] = n
		total += n
	}
	return out, total, nil
}

// selectRecords is the query of a sheet's records for q: in the range
// and within the collection's list rule.
func selectRecords(app core.App, s Sheet, q Query) (*dbx.SelectQuery, error) {
	sel := app.DB().Select().From(s.Collection).
		AndWhere(dbx.NewExp(s.When(s.Collection)+" >= {:from} AND "+s.When(s.Collection)+" < {:to}",
			dbx.Params{"from": dbTime(q.From), "to": dbTime(q.To)}))
	if err := listrule.Narrow(app, sel, s.Collection, requestInfo(q.Auth)); err != nil {
		return nil, err
	}
	return sel, nil
}

// Walk reads the ledger of q and hands it to v, sheet by sheet, page by
// page; progress (nil: none) hears after each row how many of all rows
// are done.
func Walk(app core.App, q Query, v Visitor, progress func(done int)) error {
	ix, err := newIndex(app, q.Auth)
	if err != nil {
		return err
	}
	done := 0
	for _, s := range Sheets() {
		if err := v.Sheet(s); err != nil {
			return err
		}
		coll, err := app.FindCachedCollectionByNameOrId(s.Collection)
		if err != nil {
			return fmt.Errorf("ledger %s: %w", s.Collection, err)
		}
		sel, err := selectRecords(app, s, q)
		if err != nil {
			return err
		}
		// one query per sheet, read by a cursor: the range's order is
		// computed once, and the rows come a page at a time
		rows, err := sel.Distinct(true).Select("[["+s.Collection+"]].*", s.When(s.Collection)+" AS __when").
			OrderBy("__when", s.Collection+".id").Rows()
		if err != nil {
			return fmt.Errorf("ledger %s: %w", s.Collection, err)
		}
		err = func() error {
			defer rows.Close()
			records := make([]*core.Record, 0, pageSize)
			flush := func() error {
				if len(records) == 0 {
					return nil
				}
				err := ix.writePage(app, q, s, v, records, &done, progress)
				records = records[:0]
				return err
			}
			for rows.Next() {
				row := dbx.NullStringMap{}
				if err := rows.ScanMap(row); err != nil {
					return fmt.Errorf("ledger %s: %w", s.Collection, err)
				}
				delete(row, "__when")
				r := core.NewRecord(coll)
				r.Load(nullMap(row))
				if records = append(records, r); len(records) == pageSize {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("ledger %s: %w", s.Collection, err)
			}
			return flush()
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// writePage enriches one page of a sheet's records as the list API would
// and hands their rows to v.
func (ix *index) writePage(app core.App, q Query, s Sheet, v Visitor, records []*core.Record, done *int, progress func(int)) error {
	if err := ix.page(s.Collection, records); err != nil {
		return err
	}
	// the enrich hooks, as the list API runs them on its answer
	if err := apis.EnrichRecords(requestEvent(app, q.Auth, s.Collection), records); err != nil {
		return fmt.Errorf("ledger %s: %w", s.Collection, err)
	}
	for _, r := range records {
		pub := r.PublicExport()
		cells := make([]any, len(s.Columns))
		for i, c := range s.Columns {
			cells[i] = c.Value(ix, r, pub)
		}
		if err := v.Row(cells); err != nil {
			return err
		}
		*done++
		if progress != nil {
			progress(*done)
		}
	}
	return nil
}

func nullMap(row dbx.NullStringMap) map[string]any {
	out := make(map[string]any, len(row))
	for k, v := range row {
		if v.Valid {
			out[k] = v.String
		} else {
			out[k] = nil
		}
	}
	return out
}

// requestInfo is what the list rule sees of auth.
func requestInfo(auth *core.Record) *core.RequestInfo {
	if auth == nil {
		return nil
	}
	return &core.RequestInfo{Context: core.RequestInfoContextDefault, Method: http.MethodGet,
		Query: map[string]string{}, Headers: map[string]string{}, Body: map[string]any{}, Auth: auth}
}

// requestEvent is a records list request of collection by auth: what the
// enrich hooks see when the list API hands records out.
func requestEvent(app core.App, auth *core.Record, collection string) *core.RequestEvent {
	e := &core.RequestEvent{App: app, Auth: auth}
	e.Request, _ = http.NewRequest(http.MethodGet, "/api/collections/"+collection+"/records", nil)
	return e
}

func dbTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

func str(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case fmt.Stringer:
		return s.String()
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// parseDate reads a stored date as the Asia/Shanghai instant (nil when
// empty or unreadable).
func parseDate(s string) any {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02 15:04:05.000Z", s)
	if err != nil {
		return nil
	}
	return t.In(workdays.Shanghai)
}

// person is a user's name and leader rank.
type person struct{ name, rank string }

// place is an org's name and parent.
type place struct{ name, parent string }

// index is what the ledger's cells look up: names of orgs and people
// (not personal), and per page the first submission, outcome and
// satisfaction of applications and the serials of the applications the
// caller may list.
type index struct {
	app          core.App
	auth         *core.Record
	orgs         map[string]place
	users        map[string]person
	submitted    map[string]any
	outcome      map[string]string
	satisfaction map[string]string
	serials      map[string]string
	subjects     map[string]string
}

func newIndex(app core.App, auth *core.Record) (*index, error) {
	ix := &index{app: app, auth: auth, orgs: map[string]place{}, users: map[string]person{}}
	var orgs []struct {
		ID     string `db:"id"`
		Name   string `db:"name"`
		Parent string `db:"parent"`
	}
	if err := app.DB().Select("id", "name", "parent").From(collections.Orgs).All(&orgs); err != nil {
		return nil, fmt.Errorf("ledger orgs: %w", err)
	}
	for _, o := range orgs {
		ix.orgs[o.ID] = place{o.Name, o.Parent}
	}
	var users []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
		Rank string `db:"leader_rank"`
	}
	if err := app.DB().Select("id", "name", "leader_rank").From(collections.Users).All(&users); err != nil {
		return nil, fmt.Errorf("ledger users: %w", err)
	}
	for _, u := range users {
		ix.users[u.ID] = person{u.Name, u.Rank}
	}
	return ix, nil
}

// page looks up what the cells of records need.
func (ix *index) page(collection string, records []*core.Record) error {
	ids := make([]any, 0, len(records))
	for _, r := range records {
		switch collection {
		case collections.Applications:
			ids = append(ids, r.Id)
		case collections.Issues:
			if id := r.GetString(collections.IssueApplication); id != "" {
				ids = append(ids, id)
			}
		case collections.Signatures:
			ids = append(ids, r.GetString(collections.SigApplication))
		}
	}
	ix.submitted, ix.outcome, ix.satisfaction = map[string]any{}, map[string]string{}, map[string]string{}
	ix.serials, ix.subjects = map[string]string{}, map[string]string{}
	if len(ids) == 0 {
		return nil
	}
	const a = collections.Applications
	sel := ix.app.DB().Select("[["+a+".id]] AS id", a+".serial AS serial", a+".subject AS subject",
		"COALESCE("+stats.SubmittedSQL(a+".id")+", '') AS submitted",
		"COALESCE("+stats.OutcomeSQL(a+".id")+", '') AS outcome",
		"COALESCE("+stats.SatisfactionSQL(a+".id")+", '') AS satisfaction").
		From(a).AndWhere(dbx.In(a+".id", ids...)).Distinct(true)
	// only what the caller may list: an issue's application it may not
	// read shows no serial
	if err := listrule.Narrow(ix.app, sel, a, requestInfo(ix.auth)); err != nil {
		return err
	}
	var rows []struct {
		ID           string `db:"id"`
		Serial       string `db:"serial"`
		Subject      string `db:"subject"`
		Submitted    string `db:"submitted"`
		Outcome      string `db:"outcome"`
		Satisfaction string `db:"satisfaction"`
	}
	if err := sel.All(&rows); err != nil {
		return fmt.Errorf("ledger applications: %w", err)
	}
	for _, r := range rows {
		ix.serials[r.ID], ix.subjects[r.ID] = r.Serial, r.Subject
		ix.submitted[r.ID] = parseDate(r.Submitted)
		ix.outcome[r.ID], ix.satisfaction[r.ID] = r.Outcome, r.Satisfaction
	}
	return nil
}
