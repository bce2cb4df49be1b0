package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
)

// Every mail PocketBase sends for an auth collection in Chinese, from
// 群众约谈 instead of "Support <support@example.com>".
func init() {
	m.Register(func(app core.App) error {
		for _, name := range []string{collections.Users, core.CollectionNameSuperusers} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return fmt.Errorf("chinese mail: %w", err)
			}
			collections.SetChineseMail(c)
			if err := app.Save(c); err != nil {
				return fmt.Errorf("chinese mail for %s: %w", name, err)
			}
		}
		settings := app.Settings()
		if settings.Meta.SenderAddress == "support@example.com" {
			settings.Meta.SenderName = collections.SenderName
			settings.Meta.SenderAddress = collections.SenderAddress
		}
		if err := app.Save(settings); err != nil {
			return fmt.Errorf("chinese mail sender: %w", err)
		}
		return nil
	}, nil)
}
