package collections_test

import (
	"testing"

	"yuetan/collections"
	"yuetan/internal/testenv"
)

// TestMigratedRulesEqualTheBuilders: the database the migrations build
// carries exactly the API rules collections/ declares (a later migration
// that writes a rule out must say the same as the builder).
func TestMigratedRulesEqualTheBuilders(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	str := func(p *string) string {
		if p == nil {
			return "<superusers only>"
		}
		return *p
	}
	for _, want := range collections.All() {
		got, err := env.App.FindCollectionByNameOrId(want.Name)
		if err != nil {
			t.Fatalf("%s: %v", want.Name, err)
		}
		for _, r := range []struct {
			name      string
			got, want *string
		}{
			{"list", got.ListRule, want.ListRule},
			{"view", got.ViewRule, want.ViewRule},
			{"create", got.CreateRule, want.CreateRule},
			{"update", got.UpdateRule, want.UpdateRule},
			{"delete", got.DeleteRule, want.DeleteRule},
		} {
			if str(r.got) != str(r.want) {
				t.Errorf("%s %s rule\n stored: %s\n built:  %s", want.Name, r.name, str(r.got), str(r.want))
			}
		}
	}
}
