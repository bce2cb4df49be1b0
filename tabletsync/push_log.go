package tabletsync

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/tabletsync/wire"
)

// loggedMutation is a remembered mutation.
type loggedMutation struct {
	ID     string `db:"id"`
	User   string `db:"user"`
	Hash   string `db:"hash"`
	Status string `db:"status"`
	Seq    int64  `db:"seq"`
	Error  string `db:"error"`
}

func loggedMutations(tx core.App, req *wire.PushRequest) (map[string]loggedMutation, error) {
	out := map[string]loggedMutation{}
	const per = 500
	for start := 0; start < len(req.Mutations); start += per {
		part := req.Mutations[start:min(start+per, len(req.Mutations))]
		ids := make([]any, len(part))
		for i, m := range part {
			ids[i] = m.ID
		}
		var rows []loggedMutation
		err := tx.NonconcurrentDB().Select("id", "user", "hash", "status", "seq", "error").From(tableMutations).
			Where(dbx.HashExp{"client": req.Client}).AndWhere(inList("id", ids)).All(&rows)
		if err != nil {
			return nil, fmt.Errorf("read mutation log: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r
		}
	}
	return out, nil
}

// replay answers a retried mutation with its first outcome, writing nothing.
func (l loggedMutation) replay(m *wire.Mutation, user, hash string) result {
	res := newResult(m)
	switch {
	case l.User != user:
		return res.reject(router.NewForbiddenError("该变更编号已被其他账号使用，请为这条修改换一个编号。", nil))
	case l.Hash != hash:
		return res.reject(router.NewApiError(http.StatusConflict,
			"该变更编号已提交过不同的内容，本次未写入。新的修改须使用新的变更编号。", nil))
	}
	res.Status, res.Outcome, res.Seq = wire.StatusDuplicate, l.Status, l.Seq
	if l.Error != "" {
		var e wire.Error
		if json.Unmarshal([]byte(l.Error), &e) == nil {
			res.Error = &e
		}
	}
	res.show = l.Status != wire.StatusRejected
	return res
}

// logRow is a mutation to remember.
type logRow struct {
	m    *wire.Mutation
	hash string
	res  result
}

// logMutations remembers a push's answered mutations, in one statement
// whose only parameter is the rows as JSON.
func logMutations(tx core.App, client, user string, rows []logRow) error {
	if len(rows) == 0 {
		return nil
	}
	data := make([][9]any, len(rows))
	for i, r := range rows {
		var errText string
		if r.res.Error != nil {
			raw, err := json.Marshal(r.res.Error)
			if err != nil {
				return err
			}
			errText = string(raw)
		}
		data[i] = [9]any{r.m.ID, r.hash, r.m.Collection, r.m.Record, r.m.Op, r.res.Status, r.res.Seq, errText, r.res.first}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = tx.NonconcurrentDB().NewQuery(`INSERT INTO ` + tableMutations + `
		(client, user, id, hash, collection, record, op, status, seq, error, first)
		SELECT {:client}, {:user}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
			json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
			json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]')
		FROM json_each({:data})`).
		Bind(dbx.Params{"client": client, "user": user, "data": string(raw)}).Execute()
	if err != nil {
		return fmt.Errorf("log mutations: %w", err)
	}
	return nil
}
