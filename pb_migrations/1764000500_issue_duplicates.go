package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// An issue may be marked a duplicate of another of its community's
// (issues.duplicate_of, indexed; the rule is pb_hooks/duplicates.go). A
// delta: it adds that field and its index to the issues as they stand and
// touches nothing else. Both are written out here, as released (the
// builder in collections/ holds the same); a database whose issues already
// have them is left as it is (PocketBase replaces a field by its name,
// keeping its id).
func init() {
	const (
		issues = "issues"
		field  = "duplicate_of"
		index  = "idx_issues_duplicate_of"
	)
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(issues)
		if err != nil {
			return fmt.Errorf("add issues.%s: %w", field, err)
		}
		c.Fields.Add(&core.RelationField{Name: field, CollectionId: c.Id, MaxSelect: 1})
		c.AddIndex(index, false, field, "")
		if err := app.Save(c); err != nil {
			return fmt.Errorf("add issues.%s: %w", field, err)
		}
		return nil
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(issues)
		if err != nil {
			return fmt.Errorf("drop issues.%s: %w", field, err)
		}
		c.RemoveIndex(index)
		c.Fields.RemoveByName(field)
		if err := app.Save(c); err != nil {
			return fmt.Errorf("drop issues.%s: %w", field, err)
		}
		return nil
	})
}
