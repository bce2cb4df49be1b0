package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// An issue may be marked a duplicate of another of its community's
// (issues.duplicate_of, indexed; the rule is pb_hooks/duplicates.go). The
// field is written out here, as released; on a fresh install the first
// migration has made it already.
func init() {
	const (
		issues = "issues"
		field  = "duplicate_of"
		index  = "idx_issues_duplicate_of"
	)
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(issues)
		if err != nil {
			return fmt.Errorf("issue duplicates: %w", err)
		}
		if c.Fields.GetByName(field) == nil {
			c.Fields.Add(&core.RelationField{Name: field, CollectionId: c.Id, MaxSelect: 1})
		}
		c.AddIndex(index, false, field, "")
		if err := app.Save(c); err != nil {
			return fmt.Errorf("issue duplicates: %w", err)
		}
		return nil
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(issues)
		if err != nil {
			return nil
		}
		c.RemoveIndex(index)
		c.Fields.RemoveByName(field)
		if err := app.Save(c); err != nil {
			return fmt.Errorf("drop issues.%s: %w", field, err)
		}
		return nil
	})
}
