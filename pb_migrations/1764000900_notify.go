package migrations

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/notify"
)

// notifyJSON is the inbox and its outbox as released (package notify).
//
//go:embed 1764000900_notify.json
var notifyJSON []byte

// The notification inbox (notifications: the recipient alone reads it)
// and its outbox (one row per notification and channel; superusers only):
// exactly these two collections, created when absent, dropped on the way
// down.
func init() {
	m.Register(func(app core.App) error {
		var all []json.RawMessage
		if err := json.Unmarshal(notifyJSON, &all); err != nil {
			return fmt.Errorf("notify snapshot: %w", err)
		}
		for _, raw := range all {
			c := &core.Collection{}
			if err := c.UnmarshalJSON(raw); err != nil {
				return fmt.Errorf("notify snapshot: %w", err)
			}
			if existing, _ := app.FindCollectionByNameOrId(c.Id); existing != nil {
				continue
			}
			if err := app.Save(c); err != nil {
				return fmt.Errorf("create %s: %w", c.Name, err)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, id := range []string{notify.OutboxID, notify.NotificationsID} {
			c, err := app.FindCollectionByNameOrId(id)
			if err != nil {
				continue
			}
			if err := app.Delete(c); err != nil {
				return fmt.Errorf("drop %s: %w", c.Name, err)
			}
		}
		return nil
	})
}
