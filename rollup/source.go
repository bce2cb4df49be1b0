package rollup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The district's side: its SQLite database, read in one read transaction
// per batch so the feed rows and the records they point at agree.

// change is one feed row.
type change struct {
	Seq        int64  `db:"seq"`
	Collection string `db:"collection"`
	Record     string `db:"record"`
	Op         string `db:"op"`
	At         string `db:"at"`
}

// probe is a record applied recently, with the seq it was applied at: the
// district's feed row for it can only have that seq or a later one, unless
// the feed went backwards (a restore from backup or a reset).
type probe struct {
	C string `json:"c"`
	R string `json:"r"`
	S int64  `json:"s"`
}

// batch is what one PostgreSQL transaction applies.
type batch struct {
	changes []change
	rows    map[string][][]any // collection → upserted records (tableDef.fields order)
	seqs    map[string][]int64 // the feed seq of each of rows
	head    int64              // the district's newest seq when read
	pruned  int64              // the district's tombstone-pruning horizon
	reset   string             // why the district must be resynchronised ("" when not)
}

// source reads a district's feed.
type source struct {
	app core.App
}

// readTx runs fn in a read transaction of the district's database.
func (s *source) readTx(ctx context.Context, fn func(db dbx.Builder) error) error {
	db, ok := s.app.DB().(*dbx.DB)
	if !ok {
		return fn(s.app.DB())
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("district database: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// serverID is this district server's identity (_rollup_meta).
func (s *source) serverID() (string, error) {
	var id string
	err := s.app.DB().NewQuery("SELECT value FROM _rollup_meta WHERE key = 'server_id'").Row(&id)
	if err != nil || id == "" {
		return "", fmt.Errorf("读取本服务器标识失败（_rollup_meta，数据目录未迁移？）：%w", err)
	}
	return id, nil
}

// districtName is the name of the district org ("" when none).
func (s *source) districtName() string {
	var name string
	_ = s.app.DB().NewQuery("SELECT name FROM orgs WHERE kind = 'district' ORDER BY created LIMIT 1").Row(&name)
	return name
}

func head(db dbx.Builder) (int64, error) {
	var h int64
	err := db.NewQuery("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '_sync_changes'), 0)").Row(&h)
	if err != nil {
		return 0, fmt.Errorf("read feed head: %w", err)
	}
	return h, nil
}

// backwards says why the feed cannot continue from after with these probes
// ("" when it can): its head is behind the cursor; tombstones the cursor
// still needed were pruned (pruned past it, and past prunedSeen — the
// horizon when this copy began from scratch, which needed none of them);
// or a recently applied record's feed row is missing or older than what
// was applied.
func backwards(db dbx.Builder, after, hd, pruned, prunedSeen int64, probes []probe) (string, error) {
	if hd < after {
		return fmt.Sprintf("变更流倒退：区服务器最新序号 %d 小于已复制的 %d（从备份恢复或重置？）", hd, after), nil
	}
	if after > 0 && pruned > after && pruned > prunedSeen {
		return fmt.Sprintf("已复制位置 %d 之后的删除记录已被清理（至 %d）", after, pruned), nil
	}
	for _, p := range probes {
		var seq int64
		err := db.NewQuery("SELECT seq FROM _sync_changes WHERE collection = {:c} AND record = {:r}").
			Bind(dbx.Params{"c": p.C, "r": p.R}).Row(&seq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Sprintf("变更流倒退：已复制的 %s/%s（序号 %d）在区服务器的变更流中不存在", p.C, p.R, p.S), nil
		case err != nil:
			return "", fmt.Errorf("check feed: %w", err)
		case seq < p.S:
			return fmt.Sprintf("变更流倒退：%s/%s 的序号 %d 小于已复制的 %d", p.C, p.R, seq, p.S), nil
		}
	}
	return "", nil
}

// read returns the batch after seq after: up to limit feed rows and the
// records of their upserts, or a reason to resynchronise.
func (s *source) read(ctx context.Context, defs map[string]*tableDef, after, prunedSeen int64, limit int, probes []probe) (*batch, error) {
	b := &batch{rows: map[string][][]any{}, seqs: map[string][]int64{}}
	err := s.readTx(ctx, func(db dbx.Builder) error {
		var err error
		if b.head, err = head(db); err != nil {
			return err
		}
		var pruned string
		_ = db.NewQuery("SELECT value FROM _sync_meta WHERE key = 'pruned_through'").Row(&pruned)
		b.pruned, _ = strconv.ParseInt(pruned, 10, 64)
		if b.reset, err = backwards(db, after, b.head, b.pruned, prunedSeen, probes); err != nil || b.reset != "" {
			return err
		}
		if err := db.NewQuery("SELECT seq, collection, record, op, at FROM _sync_changes WHERE seq > {:a} ORDER BY seq LIMIT {:n}").
			Bind(dbx.Params{"a": after, "n": limit}).All(&b.changes); err != nil {
			return fmt.Errorf("read feed: %w", err)
		}
		upserts := map[string][]change{}
		for _, c := range b.changes {
			if c.Op == "upsert" && defs[c.Collection] != nil {
				upserts[c.Collection] = append(upserts[c.Collection], c)
			}
		}
		for coll, cs := range upserts {
			if err := s.load(db, defs[coll], cs, b); err != nil {
				return err
			}
		}
		return nil
	})
	return b, err
}

// load reads the records of cs (upserts of one collection) into b.
func (s *source) load(db dbx.Builder, d *tableDef, cs []change, b *batch) error {
	cols := make([]string, len(d.fields))
	for i, f := range d.fields {
		cols[i] = `"` + f + `"`
	}
	seqOf := make(map[string]int64, len(cs))
	params := dbx.Params{}
	holders := make([]string, len(cs))
	for i, c := range cs {
		seqOf[c.Record] = c.Seq
		k := "p" + strconv.Itoa(i)
		params[k] = c.Record
		holders[i] = "{:" + k + "}"
	}
	q := db.NewQuery("SELECT " + strings.Join(cols, ", ") + ` FROM "` + d.collection + `" WHERE id IN (` + strings.Join(holders, ", ") + ")").Bind(params)
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("read %s: %w", d.collection, err)
	}
	defer rows.Close()
	for rows.Next() {
		raw := make([]any, len(d.fields))
		ptrs := make([]any, len(raw))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", d.collection, err)
		}
		// a feed upsert whose record is gone was deleted in the same
		// snapshot's future: its tombstone comes in a later batch
		b.rows[d.collection] = append(b.rows[d.collection], raw)
		b.seqs[d.collection] = append(b.seqs[d.collection], seqOf[asString(raw[0])])
	}
	return rows.Err()
}

// pending counts the feed rows after seq after and returns the oldest's time.
func (s *source) pending(after int64) (n int64, oldest string, err error) {
	err = s.app.DB().NewQuery("SELECT COUNT(*) FROM _sync_changes WHERE seq > {:a}").Bind(dbx.Params{"a": after}).Row(&n)
	if err != nil || n == 0 {
		return n, "", err
	}
	err = s.app.DB().NewQuery("SELECT at FROM _sync_changes WHERE seq > {:a} ORDER BY seq LIMIT 1").Bind(dbx.Params{"a": after}).Row(&oldest)
	return n, oldest, err
}
