package tabletsync

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// listRule is a collection's list rule as it reads for one caller.
type listRule struct {
	coll *core.Collection
	rule *string // nil: sees nothing; "": sees everything
}

func listRuleFor(app core.App, name string, auth *core.Record) (listRule, error) {
	coll, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return listRule{}, fmt.Errorf("collection %s: %w", name, err)
	}
	r := listRule{coll: coll, rule: coll.ListRule}
	switch {
	case auth.IsSuperuser():
		r.rule = types.Pointer("")
	case coll.ListRule != nil && *coll.ListRule != "":
		text, always, never, ok := specialize(*coll.ListRule, auth)
		switch {
		case !ok:
		case always:
			r.rule = types.Pointer("")
		case never:
			r.rule = nil
		default:
			r.rule = &text
		}
	}
	return r, nil
}

// seqRow is a record id with its feed seq.
type seqRow struct {
	ID  string `db:"id"`
	Seq int64  `db:"seq"`
}
