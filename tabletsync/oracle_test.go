package tabletsync_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/tabletsync/wire"
)

// pushRaw pushes mutations as email and returns each result entry as the
// server wrote it, with the mutation's own id blanked.
func pushRaw(t *testing.T, env *testenv.Env, email, client string, muts ...map[string]any) [][]byte {
	t.Helper()
	res := call(t, env, http.MethodPost, "/api/sync/push", email, map[string]any{"client": client, "mutations": muts}, schemaNow, "")
	if res.Status != http.StatusOK {
		t.Fatalf("push as %s: %s", email, res)
	}
	var out struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Results) != len(muts) {
		t.Fatalf("%d results for %d mutations", len(out.Results), len(muts))
	}
	entries := make([][]byte, len(out.Results))
	for i, r := range out.Results {
		idField, _ := json.Marshal(map[string]any{"id": muts[i]["id"]})
		own := bytes.TrimSuffix(bytes.TrimPrefix(idField, []byte("{")), []byte("}"))
		if !bytes.Contains(r, own) {
			t.Fatalf("result %d does not carry its mutation id: %s", i, r)
		}
		entries[i] = bytes.Replace(r, own, []byte(`"id":"…"`), 1)
	}
	return entries
}

// TestPushForeignAnswersAsMissing pushes, as a grid worker of 划船社区,
// creates, updates and deletes of records that exist in 东海花园社区 (and
// of one deleted there) next to the same mutations of ids that never
// existed: each pair gets byte-identical result entries but for the
// mutation id (no seq, no conflict, one message), so a push cannot tell
// whether a record exists outside the caller's scope.
func TestPushForeignAnswersAsMissing(t *testing.T) {
	env := testenv.New(t)
	f := env.Fixture()
	dh := env.Org("BH-DH").Id
	foreign := f.Issues.Other.Id
	gone := f.Meetings.Other.Id // deleted in 东海花园社区 before the push
	if res := env.Do("DELETE", "/api/collections/meetings/records/"+gone, demo.SuperuserEmail, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete the foreign meeting: %s", res)
	}
	create := func(id string) map[string]any {
		m := createIssue(dh, "冒用编号")
		m["record"] = id
		return m
	}
	update := func(coll, id string) map[string]any {
		return map[string]any{"id": mid(), "collection": coll, "op": "update", "record": id, "base": 1,
			"data": map[string]any{"title": "冒用编号修改"}}
	}
	del := func(coll, id string) map[string]any {
		return map[string]any{"id": mid(), "collection": coll, "op": "delete", "record": id, "base": 1}
	}
	pairs := []struct {
		name             string
		foreign, missing map[string]any
	}{
		{"create with a foreign id", create(foreign), create(newID())},
		{"update of a foreign record", update("issues", foreign), update("issues", newID())},
		{"delete of a foreign record", del("issues", foreign), del("issues", newID())},
		{"update of a record deleted elsewhere", update("meetings", gone), update("meetings", newID())},
		{"delete of a record deleted elsewhere", del("meetings", gone), del("meetings", newID())},
	}
	for _, p := range pairs {
		got := pushRaw(t, env, gridEmail, "tab-oracle", p.foreign, p.missing)
		if !bytes.Equal(got[0], got[1]) {
			t.Errorf("%s: answers differ\nforeign: %s\nmissing: %s", p.name, got[0], got[1])
		}
		var r pushResult
		if err := json.Unmarshal(got[0], &r); err != nil {
			t.Fatal(err)
		}
		if r.Status != wire.StatusRejected || r.Seq != 0 || r.Record != nil || r.Error == nil || !hasHanTest(r.Error.Message) {
			t.Errorf("%s: %s", p.name, got[0])
		}
	}
	// a create in the caller's own community under an id taken elsewhere
	// cannot apply; it is refused like any taken id, with no seq, no record
	// and no conflict
	taken := createIssue(env.Org("DL-HC").Id, "编号已被占用")
	taken["record"] = foreign
	r := push(t, env, gridEmail, "tab-oracle", taken).Results[0]
	if r.Status != wire.StatusRejected || r.Seq != 0 || r.Record != nil || r.Error == nil || !hasHanTest(r.Error.Message) {
		t.Errorf("own create under a foreign id: %+v", r)
	}
	if is, _ := env.App.FindRecordById("issues", foreign); is.GetString("title") != "矩阵测试问题" || is.GetString("community") != dh {
		t.Error("the foreign issue was changed")
	}
}
