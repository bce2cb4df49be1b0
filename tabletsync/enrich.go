package tabletsync

import (
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// finishChanges prepares the pulled records as the list API would show
// them to the caller (OnRecordEnrich hides residents' details from those
// who may not see them), then keeps only a collection's public fields
// where the table says so.
func finishChanges(e *core.RequestEvent, changes []Change) error {
	byColl := map[string][]*core.Record{}
	var order []string
	for _, c := range changes {
		if c.Record == nil {
			continue
		}
		if _, ok := byColl[c.Collection]; !ok {
			order = append(order, c.Collection)
		}
		byColl[c.Collection] = append(byColl[c.Collection], c.Record)
	}
	for _, name := range order {
		recs := byColl[name]
		if err := apis.EnrichRecords(e, recs); err != nil {
			return fmt.Errorf("enrich %s: %w", name, err)
		}
		if en, _ := entry(name); len(en.Fields) > 0 {
			hide := hiddenBeyond(recs[0].Collection(), en.Fields)
			for _, r := range recs {
				r.Hide(hide...)
			}
		}
	}
	return nil
}

// hiddenBeyond lists the fields of c not in keep (keep is a projection).
func hiddenBeyond(c *core.Collection, keep []string) []string {
	var out []string
	for _, f := range c.Fields {
		if !slices.Contains(keep, f.GetName()) {
			out = append(out, f.GetName())
		}
	}
	return out
}
