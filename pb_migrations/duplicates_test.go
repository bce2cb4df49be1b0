package migrations_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
	"yuetan/internal/testenv"
)

// TestIssueDuplicatesIsADelta rolls the duplicate_of migration back on a
// database whose issues carry a change of their own (a rule and a field
// nobody released), keeps an issue in it, and migrates again: the issues
// get exactly the builder's field and index, keep the foreign change and
// the issue, and nothing else moves. A migration that re-applied the whole
// schema would undo the foreign change.
func TestIssueDuplicatesIsADelta(t *testing.T) {
	app := testenv.NewApp(t)
	mig := migration(t, "1764000500_issue_duplicates.go")
	if err := app.RunInTransaction(mig.Down); err != nil {
		t.Fatal(err)
	}
	c, err := app.FindCollectionByNameOrId(collections.Issues)
	if err != nil {
		t.Fatal(err)
	}
	if c.Fields.GetByName(collections.IssueDuplicateOf) != nil || hasIndex(c, collections.IssueDuplicateOfIndex) {
		t.Fatal("rolled back, the issues still have duplicate_of or its index")
	}
	foreign := `@request.auth.id != ""`
	c.UpdateRule = types.Pointer(foreign)
	c.Fields.Add(&core.TextField{Name: "someone_elses", Max: 10})
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	// written below the hooks, which know duplicate_of
	const issueID = "issuekept000001"
	if _, err := app.DB().Insert(collections.Issues, dbx.Params{"id": issueID, collections.IssueTitle: "5幢楼道堆放杂物", "someone_elses": "kept"}).Execute(); err != nil {
		t.Fatal(err)
	}
	before := fieldsJSON(t, c, "")

	if err := app.RunInTransaction(mig.Up); err != nil {
		t.Fatal(err)
	}
	got, err := app.FindCollectionByNameOrId(collections.Issues)
	if err != nil {
		t.Fatal(err)
	}
	want := collections.NewIssues()
	if a, b := fieldJSON(t, got.Fields.GetByName(collections.IssueDuplicateOf)), fieldJSON(t, want.Fields.GetByName(collections.IssueDuplicateOf)); a != b {
		t.Errorf("duplicate_of after the migration\n%s\nwant the builder's\n%s", a, b)
	}
	if !hasIndex(got, collections.IssueDuplicateOfIndex) {
		t.Errorf("no %s after the migration: %v", collections.IssueDuplicateOfIndex, got.Indexes)
	}
	if after := fieldsJSON(t, got, collections.IssueDuplicateOf); after != before {
		t.Errorf("the migration changed other fields:\n%s\nwas\n%s", after, before)
	}
	if text(got.UpdateRule) != foreign {
		t.Errorf("the migration rewrote the update rule: %s", text(got.UpdateRule))
	}
	if len(got.Indexes) != len(c.Indexes)+1 {
		t.Errorf("indexes %v, want %v and %s", got.Indexes, c.Indexes, collections.IssueDuplicateOfIndex)
	}
	kept, err := app.FindRecordById(collections.Issues, issueID)
	if err != nil {
		t.Fatal(err)
	}
	if kept.GetString("someone_elses") != "kept" || kept.GetString(collections.IssueDuplicateOf) != "" {
		t.Errorf("the issue after the migration: %v", kept.PublicExport())
	}

	// run again on a database that has it: nothing changes
	if err := app.RunInTransaction(mig.Up); err != nil {
		t.Fatal(err)
	}
	again, _ := app.FindCollectionByNameOrId(collections.Issues)
	if a, b := fieldsJSON(t, again, ""), fieldsJSON(t, got, ""); a != b || !slices.Equal(again.Indexes, got.Indexes) {
		t.Errorf("a second run changed the issues:\n%s\nwas\n%s", a, b)
	}
}

func hasIndex(c *core.Collection, name string) bool {
	return c.GetIndex(name) != ""
}

func fieldJSON(t *testing.T, f core.Field) string {
	t.Helper()
	if f == nil {
		return "<none>"
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fieldsJSON is c's fields but skip, in order.
func fieldsJSON(t *testing.T, c *core.Collection, skip string) string {
	t.Helper()
	var out []string
	for _, f := range c.Fields {
		if f.GetName() != skip {
			out = append(out, fieldJSON(t, f))
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}
