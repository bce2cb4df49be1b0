package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
)

// Proof of work (issue 12): the handling unit's feedback carries photos
// and documents, within the issue photos' budgets (5 MB a file).
func init() {
	m.Register(func(app core.App) error {
		return update(app, collections.FeedbackID, func(c *core.Collection) error {
			c.Fields.Add(&core.FileField{Name: "proof", MaxSelect: 10, MaxSize: 5 << 20, Protected: true, Thumbs: []string{"320x240"},
				MimeTypes: []string{"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf",
					"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
					"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}})
			return nil
		})
	}, func(app core.App) error {
		return update(app, collections.FeedbackID, func(c *core.Collection) error {
			c.Fields.RemoveByName("proof")
			return nil
		})
	})
}
