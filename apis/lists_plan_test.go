package apis_test

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/listrule"
)

// planned are the collections whose lists must never scan the table for
// a caller who sees only part of it.
var planned = []string{collections.Issues, collections.Applications}

// TestListPlans runs every demo account's first page (with its total) of
// every collection through the records list API, catches the SQL
// PocketBase runs and asks SQLite for its plan: a caller who sees only
// part of issues or applications must be answered by index searches, never
// by a scan of the table (SCAN, even through an index, reads every row).
// Callers whose rule lets them see the whole table are left out: their
// list is the table.
func TestListPlans(t *testing.T) {
	env := testenv.New(t)
	db := env.App.ConcurrentDB().(*dbx.DB)
	var mu gosync.Mutex
	var caught []string
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, sql string, _ *sql.Rows, _ error) {
		mu.Lock()
		caught = append(caught, sql)
		mu.Unlock()
	}
	t.Cleanup(func() { db.QueryLogFunc = nil })
	scan := regexp.MustCompile("^SCAN (" + strings.Join(planned, "|") + ")( |$)")
	accounts := append([]demo.Account{{Role: "guest"}}, demo.Accounts...)
	for _, acc := range accounts {
		var auth *core.Record
		if acc.Email != "" {
			auth = env.User(acc.Email)
		}
		for _, name := range planned {
			coll, err := env.App.FindCachedCollectionByNameOrId(name)
			if err != nil {
				t.Fatal(err)
			}
			if auth != nil && listrule.Hint(coll.ListRule, auth) == "" {
				continue // the caller sees the whole table
			}
			mu.Lock()
			caught = nil
			mu.Unlock()
			res := env.Do("GET", "/api/collections/"+name+"/records?perPage=30", acc.Email, nil)
			if res.Status != 200 {
				t.Fatalf("%s %s list: %s", acc.Role, name, res)
			}
			mu.Lock()
			statements := caught
			mu.Unlock()
			seen := 0
			for _, s := range statements {
				if !strings.Contains(s, "FROM `"+name+"`") {
					continue
				}
				seen++
				var plan []struct {
					Detail string `db:"detail"`
				}
				if err := env.App.DB().NewQuery("EXPLAIN QUERY PLAN " + s).All(&plan); err != nil {
					t.Fatalf("%s: %v\n%s", name, err, s)
				}
				for _, p := range plan {
					if scan.MatchString(p.Detail) {
						t.Errorf("%s %s: the list scans the table (%s):\n%s", acc.Role, acc.Email, p.Detail, s)
					}
				}
			}
			if seen < 2 {
				t.Errorf("%s %s: caught %d queries of %s, want the page and its total", acc.Role, name, seen, name)
			}
		}
	}
}
