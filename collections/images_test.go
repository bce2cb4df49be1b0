package collections_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
)

// TestEveryImageFieldHasABudget: a file field that accepts an image type
// (or any type) has a pixel budget, and every budget names such a field.
func TestEveryImageFieldHasABudget(t *testing.T) {
	t.Parallel()
	seen := 0
	for _, c := range collections.All() {
		for _, f := range c.Fields {
			ff, ok := f.(*core.FileField)
			if !ok {
				continue
			}
			images := len(ff.MimeTypes) == 0 // any type, images too
			for _, m := range ff.MimeTypes {
				images = images || strings.HasPrefix(m, "image/")
			}
			b, has := collections.ImageBudgetOf(c.Name, ff.Name)
			switch {
			case images && !has:
				t.Errorf("%s.%s takes images but has no pixel budget in collections.ImageBudgets", c.Name, ff.Name)
			case !images && has:
				t.Errorf("%s.%s has a pixel budget but takes no images", c.Name, ff.Name)
			case has:
				seen++
				if b.MaxPixels <= 0 || b.Label == "" {
					t.Errorf("%s.%s: budget %+v", c.Name, ff.Name, b)
				}
			}
		}
	}
	n := 0
	for _, fields := range collections.ImageBudgets {
		n += len(fields)
	}
	if n != seen {
		t.Errorf("%d budgets, %d image fields have one: a budget names no field", n, seen)
	}
}
