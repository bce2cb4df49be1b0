package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
	"yuetan/forms"
)

// The printed forms (package forms): the archive-copy file fields on talks
// (archive_pdf), feedback (archive_pdf) and applications (notice_pdf, the
// notice beside archive_pdf's application form), which collections.Apply
// adds idempotently, and the print register form_prints (verification
// codes; superusers only through REST).
func init() {
	m.Register(func(app core.App) error {
		if err := collections.Apply(app); err != nil {
			return fmt.Errorf("apply collections: %w", err)
		}
		if existing, _ := app.FindCollectionByNameOrId(forms.FormPrintsID); existing != nil {
			return nil
		}
		if err := app.Save(forms.NewFormPrints()); err != nil {
			return fmt.Errorf("create %s: %w", forms.FormPrints, err)
		}
		return nil
	}, func(app core.App) error {
		if c, err := app.FindCollectionByNameOrId(forms.FormPrintsID); err == nil {
			if err := app.Delete(c); err != nil {
				return fmt.Errorf("drop %s: %w", forms.FormPrints, err)
			}
		}
		for coll, field := range map[string]string{
			collections.Talks:        collections.TalkArchivePDF,
			collections.Feedback:     collections.FbArchivePDF,
			collections.Applications: collections.AppNoticePDF,
		} {
			c, err := app.FindCollectionByNameOrId(coll)
			if err != nil {
				continue
			}
			c.Fields.RemoveByName(field)
			if err := app.Save(c); err != nil {
				return fmt.Errorf("drop %s.%s: %w", coll, field, err)
			}
		}
		return nil
	})
}
