package tabletsync

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/tabletsync/wire"
)

func conflictError(op string, fields []string) *router.ApiError {
	if op == wire.OpDelete {
		return router.NewApiError(http.StatusConflict, "这条记录在您离线期间已被他人修改，未删除。请核对服务器上的内容后再决定。", nil)
	}
	errs := validation.Errors{}
	for _, f := range fields {
		errs[f] = validation.NewError("changed_since_base", "该字段在您离线期间已被他人修改。")
	}
	return router.NewApiError(http.StatusConflict,
		fmt.Sprintf("这条记录在您离线期间已被他人修改（%s），您的修改未保存。请以服务器上的内容为准后重新修改。", strings.Join(fields, "、")), errs)
}

// mergeable lists the fields of data a stale update is checked on: all
// but the workflow's, which the state machine decides whatever the base.
func mergeable(collection string, data map[string]any) []string {
	wf := workflowFields(collection)
	var out []string
	for k := range data {
		f := fieldOfKey(k)
		if !containsString(wf, f) && !containsString(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writes are the feed seq ranges (first, last] a client's applied
// mutations of one record wrote.
type writes [][2]int64

func (w writes) contains(seq int64) bool {
	for _, r := range w {
		if seq >= r[0] && seq <= r[1] {
			return true
		}
	}
	return false
}

// ownWrites returns what the client's own applied mutations of a record
// wrote after base (this push's earlier ones included).
func ownWrites(db dbx.Builder, client, collection, record string, base int64) (writes, error) {
	var rows []struct {
		First int64 `db:"first"`
		Seq   int64 `db:"seq"`
	}
	err := db.Select("first", "seq").From(tableMutations).
		Where(dbx.HashExp{"client": client, "collection": collection, "record": record, "status": wire.StatusApplied}).
		AndWhere(dbx.NewExp("seq > {:base}", dbx.Params{"base": base})).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("own writes: %w", err)
	}
	out := make(writes, len(rows))
	for i, r := range rows {
		out[i] = [2]int64{r.First, r.Seq}
	}
	return out, nil
}
