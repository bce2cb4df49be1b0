package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"time"

	"yuetan/tabletsync/wire"
)

// outMutation is an outbox entry on its way: the mutation, its place in
// the outbox and its files.
type outMutation struct {
	wire.Mutation
	n     int64
	files []File
}

// result is a mutation's answer, with the record as a tablet keeps it.
type result = wire.Result[map[string]any]

// PushStats counts what a Push did.
type PushStats struct {
	Requests                               int
	Applied, Duplicate, Conflict, Rejected int
	// Restored: the server had been restored from a backup; the journal
	// was queued again (see Notices).
	Restored bool
}

// Push sends the outbox until it is empty, in order, up to maxPush
// mutations per request. A request that fails in transit is sent again
// unchanged (the server answers what it already did as duplicates).
func (c *Client) Push(ctx context.Context) (PushStats, error) {
	var st PushStats
	for {
		batch, err := c.nextBatch()
		if err != nil || len(batch) == 0 {
			return st, err
		}
		cursor, err := c.meta("cursor")
		if err != nil {
			return st, err
		}
		body, ctype, err := encodePush(c.id, cursor, batch)
		if err != nil {
			return st, err
		}
		var reply wire.PushResponse[map[string]any]
		err = c.withRetry(ctx, func() error {
			start := time.Now()
			err := c.send(ctx, http.MethodPost, "/api/sync/push", ctype, body, &reply)
			if err == nil && c.OnPush != nil {
				c.OnPush(time.Since(start), len(batch))
			}
			return err
		})
		st.Requests++
		if cursor != "" && cursorRefused(err) {
			// a cursor this server did not issue: the push goes without it
			// (the pull starts over)
			if err := c.setMeta("cursor", ""); err != nil {
				return st, err
			}
			continue
		}
		if cursor != "" && restoredAnswer(err) {
			// the server lost what this tablet's cursor has seen: the
			// journal goes out again (first: it is older), then a full pull
			if err := c.serverRestored(); err != nil {
				return st, err
			}
			st.Restored = true
			continue
		}
		if err != nil {
			return st, err
		}
		if len(reply.Results) != len(batch) {
			return st, fmt.Errorf("push: %d results for %d mutations", len(reply.Results), len(batch))
		}
		if err := c.acknowledge(batch, reply.Results, cursor, reply.Cursor, &st); err != nil {
			return st, err
		}
	}
}

// nextBatch reads the oldest outbox entries and freezes them: once sent, a
// mutation is only ever sent again unchanged.
func (c *Client) nextBatch() ([]outMutation, error) {
	rows, err := c.db.Query("SELECT n, id, collection, op, record, base, data FROM outbox WHERE acked = 0 ORDER BY n LIMIT ?", maxPush)
	if err != nil {
		return nil, err
	}
	var batch []outMutation
	for rows.Next() {
		var m outMutation
		var raw string
		if err := rows.Scan(&m.n, &m.ID, &m.Collection, &m.Op, &m.Record, &m.Base, &raw); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		if err := json.Unmarshal([]byte(raw), &m.Data); err != nil {
			return nil, errors.Join(fmt.Errorf("outbox %s: %w", m.ID, err), rows.Close())
		}
		batch = append(batch, m)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	for i := range batch {
		if batch[i].files, err = c.files(batch[i].ID); err != nil {
			return nil, err
		}
	}
	if len(batch) > 0 {
		if _, err := c.db.Exec("UPDATE outbox SET sent = 1 WHERE acked = 0 AND n <= ?", batch[len(batch)-1].n); err != nil {
			return nil, err
		}
	}
	return batch, nil
}

// files reads the files queued with a mutation.
func (c *Client) files(mutation string) ([]File, error) {
	rows, err := c.db.Query("SELECT field, name, content FROM files WHERE mutation = ?", mutation)
	if err != nil {
		return nil, err
	}
	var out []File
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.Field, &f.Name, &f.Data); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		out = append(out, f)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

func encodePush(client, cursor string, batch []outMutation) ([]byte, string, error) {
	req := map[string]any{"client": client, "mutations": batch}
	if cursor != "" {
		req["cursor"] = cursor // the server checks it is of its lineage, and answers it with the mark raised
	}
	payload, err := json.Marshal(req)
	if err != nil {
		return nil, "", err
	}
	hasFiles := false
	for _, m := range batch {
		hasFiles = hasFiles || len(m.files) > 0
	}
	if !hasFiles {
		return payload, "application/json", nil
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("@jsonPayload", string(payload)); err != nil {
		return nil, "", err
	}
	for _, m := range batch {
		for _, f := range m.files {
			part, err := w.CreateFormFile(m.ID+"."+f.Field, f.Name)
			if err != nil {
				return nil, "", err
			}
			if _, err := part.Write(f.Data); err != nil {
				return nil, "", err
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// acknowledge stores the answers, takes the mutations out of the outbox
// (an applied one into the journal) and updates the local records. Queued
// edits keep their base: the server tells the tablet's own earlier writes
// from other people's. The cursor the server answered replaces the one
// sent (the same position, its mark raised to these mutations' seqs).
func (c *Client) acknowledge(batch []outMutation, results []result, sent, answered string, st *PushStats) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if answered != "" && answered != sent {
		if _, err := tx.Exec("UPDATE meta SET value = ? WHERE key = 'cursor' AND value = ?", answered, sent); err != nil {
			return err
		}
	}
	now := time.Now().UnixMilli()
	for i, r := range results {
		m := batch[i]
		if r.ID != m.ID {
			return fmt.Errorf("push: result %d is for %s, not %s", i, r.ID, m.ID)
		}
		status := r.Status
		switch status {
		case wire.StatusApplied:
			st.Applied++
		case wire.StatusDuplicate:
			st.Duplicate++
			status = r.Outcome
		case wire.StatusConflict:
			st.Conflict++
		case wire.StatusRejected:
			st.Rejected++
		}
		msg := ""
		if r.Error != nil {
			msg = r.Error.Message
		}
		if _, err := tx.Exec("INSERT OR REPLACE INTO outcomes (id, collection, record, op, status, outcome, seq, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			m.ID, m.Collection, m.Record, m.Op, r.Status, r.Outcome, r.Seq, msg); err != nil {
			return err
		}
		if status == wire.StatusApplied {
			// kept, with its files, in case a restore loses it (journal.go)
			if _, err := tx.Exec("UPDATE outbox SET acked = ? WHERE id = ?", now, m.ID); err != nil {
				return err
			}
		} else if err := dropMutation(tx, m.ID); err != nil {
			return err
		}
		switch {
		case r.Record != nil && (status == wire.StatusApplied || status == wire.StatusConflict):
			// the server's copy, with the tablet's edits still queued on top
			if err := putRecord(tx, m.Collection, m.Record, r.Seq, r.Record); err != nil {
				return err
			}
		case m.Op == wire.OpDelete && status == wire.StatusApplied:
			if _, err := tx.Exec("DELETE FROM records WHERE collection = ? AND id = ?", m.Collection, m.Record); err != nil {
				return err
			}
		case m.Op == wire.OpCreate && status == wire.StatusRejected:
			if _, err := tx.Exec("DELETE FROM records WHERE collection = ? AND id = ?", m.Collection, m.Record); err != nil {
				return err
			}
		}
	}
	if err := c.pruneJournal(tx, now); err != nil {
		return err
	}
	return tx.Commit()
}
