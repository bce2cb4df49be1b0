package migrations

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// baselineJSON is the schema as released when the chain was frozen (main
// at 20e8321, where 1764000000_init still applied the live builders): the
// collections of collections.All in creation order, in PocketBase's
// import format. It never changes; a later change is a delta migration.
//
//go:embed 1764000000_collections.json
var baselineJSON []byte

// baseline returns the baseline snapshot's collection with id.
func baseline(id string) (*core.Collection, error) {
	var all []json.RawMessage
	if err := json.Unmarshal(baselineJSON, &all); err != nil {
		return nil, fmt.Errorf("baseline snapshot: %w", err)
	}
	for _, raw := range all {
		c := &core.Collection{}
		if err := json.Unmarshal(raw, c); err != nil {
			return nil, fmt.Errorf("baseline snapshot: %w", err)
		}
		if c.Id == id {
			return c, nil
		}
	}
	return nil, fmt.Errorf("baseline snapshot has no collection %s", id)
}

// update finds the collection with name or id, lets change edit it and
// saves it: the shape of a delta migration (PocketBase's own generated
// migrations do the same inline).
func update(app core.App, nameOrID string, change func(c *core.Collection) error) error {
	c, err := app.FindCollectionByNameOrId(nameOrID)
	if err != nil {
		return fmt.Errorf("find %s: %w", nameOrID, err)
	}
	if err := change(c); err != nil {
		return fmt.Errorf("%s: %w", c.Name, err)
	}
	if err := app.Save(c); err != nil {
		return fmt.Errorf("save %s: %w", c.Name, err)
	}
	return nil
}
