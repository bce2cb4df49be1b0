// Package migrations builds and changes the database, one migration per
// change, in PocketBase's manner.
//
// The first migration imports a frozen snapshot (1764000000_collections.json,
// the schema as released); every later change to collections/ is its own
// small delta migration that finds the collection and edits it (add a field,
// change an option, a rule or an index, remove one), written out as it is
// released. A released migration never changes, and no migration calls the
// code that builds today's schema (collections.Apply, the builders,
// forms.NewFormPrints, the vocabulary): it would change in effect with the
// code, and a new install and a production database would drift apart.
//
// A new field is two edits: the field in its builder in collections/, and
// a migration (numbered above every released one) that adds it with
// update. TestFreshInstallIsDeclaredSchema fails, naming the field, when
// collections/ declares something no migration makes; TestUpgradeFromMain
// checks that a database built by the chain as released upgrades to
// exactly a fresh install.
package migrations

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
)

func init() {
	m.Register(func(app core.App) error {
		if err := app.ImportCollectionsByMarshaledJSON(baselineJSON, false); err != nil {
			return fmt.Errorf("import the baseline collections: %w", err)
		}
		settings := app.Settings()
		settings.Meta.AppName = "群众约谈"
		// Batch stays available for clients and the dashboard; the workflow
		// hooks run inside it like on any other path.
		settings.Batch.Enabled = true
		settings.Batch.MaxRequests = 100
		settings.Batch.Timeout = 10
		if err := app.Save(settings); err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
		return nil
	}, func(app core.App) error {
		var all []struct {
			Id   string `json:"id"`
			Name string `json:"name"`
		}
		if err := json.Unmarshal(baselineJSON, &all); err != nil {
			return fmt.Errorf("baseline snapshot: %w", err)
		}
		for _, want := range slices.Backward(all) {
			if want.Name == collections.Users { // PocketBase's own, kept
				continue
			}
			c, err := app.FindCollectionByNameOrId(want.Id)
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
