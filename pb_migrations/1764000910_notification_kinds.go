package migrations

import (
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// A notification is of its supervision record's kind, and the supervision
// office's own 回访 (follow_up, 1764000802) is one of them now.
func init() {
	kinds := []string{"reminder", "overdue", "bulletin", "closed", "criticism", "accountability"}
	set := func(values []string) func(app core.App) error {
		return func(app core.App) error {
			return update(app, "notifications", func(c *core.Collection) error {
				kind, ok := c.Fields.GetByName("kind").(*core.SelectField)
				if !ok {
					return fmt.Errorf("notifications.kind is not a select field")
				}
				kind.Values = values
				return nil
			})
		}
	}
	m.Register(set(append(slices.Clone(kinds), "follow_up")), set(kinds))
}
