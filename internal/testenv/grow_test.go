package testenv_test

import (
	"testing"

	"yuetan/internal/testenv"
)

// TestGrow checks the scale the benchmarks read: the tables reach the
// total, the street reviewer sees the same issues at every total, and the
// history is before this year.
func TestGrow(t *testing.T) {
	t.Parallel()
	seen := func(total int) (issues, listed int) {
		env := testenv.New(t)
		env.Grow(total, 100)
		if err := env.App.DB().NewQuery("SELECT COUNT(*) FROM issues").Row(&issues); err != nil {
			t.Fatal(err)
		}
		res := env.Do("GET", "/api/collections/issues/records?perPage=1", "street@yuetan.example", nil)
		if res.Status != 200 {
			t.Fatal(res)
		}
		return issues, int(res.JSON(t)["totalItems"].(float64))
	}
	small, smallSeen := seen(2_000)
	large, largeSeen := seen(20_000)
	if small < 2_000 || large < 20_000 || large > 20_100 {
		t.Fatalf("issues after Grow: %d and %d", small, large)
	}
	if smallSeen != largeSeen || smallSeen < 100 {
		t.Fatalf("the street reviewer sees %d issues at 2k and %d at 20k", smallSeen, largeSeen)
	}
}
