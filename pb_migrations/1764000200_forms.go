package migrations

import (
	_ "embed"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
	"yuetan/forms"
)

// formPrintsJSON is the print register as released.
//
//go:embed 1764000200_form_prints.json
var formPrintsJSON []byte

// The printed forms (package forms): the archive-copy file fields on talks
// (archive_pdf), feedback (archive_pdf) and applications (notice_pdf, the
// notice beside archive_pdf's application form), as the baseline snapshot
// defines them (a database made before the forms lacks them), and the
// print register form_prints (verification codes; superusers only through
// REST).
func init() {
	archive := map[string]string{
		collections.TalksID:        collections.TalkArchivePDF,
		collections.FeedbackID:     collections.FbArchivePDF,
		collections.ApplicationsID: collections.AppNoticePDF,
	}
	m.Register(func(app core.App) error {
		for id, field := range archive {
			released, err := baseline(id)
			if err != nil {
				return err
			}
			err = update(app, id, func(c *core.Collection) error {
				if c.Fields.GetByName(field) == nil {
					c.Fields.Add(released.Fields.GetByName(field))
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("archive copies: %w", err)
			}
		}
		if existing, _ := app.FindCollectionByNameOrId(forms.FormPrintsID); existing != nil {
			return nil
		}
		c := &core.Collection{}
		if err := c.UnmarshalJSON(formPrintsJSON); err != nil {
			return fmt.Errorf("%s snapshot: %w", forms.FormPrints, err)
		}
		if err := app.Save(c); err != nil {
			return fmt.Errorf("create %s: %w", forms.FormPrints, err)
		}
		return nil
	}, func(app core.App) error {
		if c, err := app.FindCollectionByNameOrId(forms.FormPrintsID); err == nil {
			if err := app.Delete(c); err != nil {
				return fmt.Errorf("drop %s: %w", forms.FormPrints, err)
			}
		}
		for id, field := range archive {
			if _, err := app.FindCollectionByNameOrId(id); err != nil {
				continue
			}
			err := update(app, id, func(c *core.Collection) error {
				c.Fields.RemoveByName(field)
				return nil
			})
			if err != nil {
				return fmt.Errorf("drop the archive copies: %w", err)
			}
		}
		return nil
	})
}
