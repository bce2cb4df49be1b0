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
// applications rule hides. The rules are the baseline snapshot's.
func init() {
	m.Register(func(app core.App) error {
		for _, id := range []string{collections.EventsID, collections.SupervisionsID, collections.TalksID, collections.FeedbackID} {
			released, err := baseline(id)
			if err != nil {
				return fmt.Errorf("read rules: %w", err)
			}
			err = update(app, id, func(c *core.Collection) error {
				c.ListRule, c.ViewRule = released.ListRule, released.ViewRule
				return nil
			})
			if err != nil {
				return fmt.Errorf("read rules: %w", err)
			}
		}
		return nil
	}, nil)
}
