package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
)

// The read rules of the records about an application (events,
// supervisions, talks, feedback) let a leader read them only when it may
// read the application: they used to show a leader named only as the
// target the drafts, submitted, declined and street-resolved matters the
// applications rule hides. The rules come from the collection builders.
func init() {
	m.Register(func(app core.App) error {
		for _, want := range []*core.Collection{collections.NewEvents(), collections.NewSupervisions(),
			collections.NewTalks(), collections.NewFeedback()} {
			c, err := app.FindCollectionByNameOrId(want.Id)
			if err != nil {
				return fmt.Errorf("read rules: %w", err)
			}
			c.ListRule, c.ViewRule = want.ListRule, want.ViewRule
			if err := app.Save(c); err != nil {
				return fmt.Errorf("read rules of %s: %w", c.Name, err)
			}
		}
		return nil
	}, nil)
}
