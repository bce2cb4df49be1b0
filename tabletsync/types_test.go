package tabletsync_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	"yuetan/internal/testenv"
	"yuetan/tabletsync/wire"
)

// TestPushWrongTypesRejected: in a push, a mutation with a value of the
// wrong type is rejected with the field named and leaves nothing, while
// its neighbours apply (PocketBase would have coerced it: "garbage" for a
// date became now, "nope" for a location 0,0).
func TestPushWrongTypesRejected(t *testing.T) {
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	bad := []struct {
		field string
		value any
	}{
		{"collected_at", "garbage"},
		{"location", "nope"},
		{"description", map[string]any{"x": 1}},
		{"address", []any{"3幢"}},
	}
	muts := []map[string]any{createIssue(hc, "第一条")}
	for _, b := range bad {
		m := createIssue(hc, "类型错误 "+b.field)
		m["data"].(map[string]any)[b.field] = b.value
		muts = append(muts, m)
	}
	muts = append(muts, createIssue(hc, "最后一条"))
	out := push(t, env, gridEmail, "tab-types", muts...)
	for i, r := range out.Results {
		if i == 0 || i == len(out.Results)-1 {
			if r.Status != wire.StatusApplied {
				t.Errorf("valid mutation %d: %s %+v", i, r.Status, r.Error)
			}
			continue
		}
		f := bad[i-1].field
		if r.Status != wire.StatusRejected || r.Error == nil || r.Error.Status != http.StatusBadRequest || r.Error.Data[f] == nil {
			t.Errorf("%s = %v: %s %+v, want rejected naming the field", f, bad[i-1].value, r.Status, r.Error)
		}
		if n := count(t, env, "SELECT COUNT(*) FROM issues WHERE id = {:id}", dbx.Params{"id": muts[i]["record"]}); n != 0 {
			t.Errorf("%s: the rejected issue was stored", f)
		}
	}
}
