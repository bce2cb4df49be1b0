package client

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"yuetan/tabletsync/wire"
)

// Create records a new record offline and returns its id.
func (c *Client) Create(collection string, data map[string]any, files ...File) (string, error) {
	id := NewID()
	return id, c.enqueue(collection, wire.OpCreate, id, data, files)
}

// Update records an edit offline (only the fields in data).
func (c *Client) Update(collection, id string, data map[string]any, files ...File) error {
	return c.enqueue(collection, wire.OpUpdate, id, data, files)
}

// Delete records a delete offline.
func (c *Client) Delete(collection, id string) error {
	return c.enqueue(collection, wire.OpDelete, id, nil, nil)
}

func (c *Client) enqueue(collection, op, id string, data map[string]any, files []File) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var base int64
	var local map[string]any
	var raw string
	switch err := tx.QueryRow("SELECT seq, data FROM records WHERE collection = ? AND id = ?", collection, id).Scan(&base, &raw); {
	case errors.Is(err, sql.ErrNoRows):
		local = map[string]any{}
	case err != nil:
		return err
	default:
		if err := json.Unmarshal([]byte(raw), &local); err != nil {
			return fmt.Errorf("local %s %s: %w", collection, id, err)
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	payload, err := json.Marshal(data)
	if err != nil {
		return err
	}
	mid := "m-" + NewID()
	if _, err := tx.Exec("INSERT INTO outbox (id, collection, op, record, base, data) VALUES (?, ?, ?, ?, ?, ?)",
		mid, collection, op, id, base, string(payload)); err != nil {
		return err
	}
	for _, f := range files {
		if _, err := tx.Exec("INSERT INTO files (mutation, field, name, content) VALUES (?, ?, ?, ?)", mid, f.Field, f.Name, f.Data); err != nil {
			return err
		}
	}
	// the tablet shows its own edit at once
	if op == wire.OpDelete {
		if _, err := tx.Exec("DELETE FROM records WHERE collection = ? AND id = ?", collection, id); err != nil {
			return err
		}
	} else {
		local["id"] = id
		for k, v := range data {
			local[k] = v
		}
		merged, err := json.Marshal(local)
		if err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO records (collection, id, seq, data) VALUES (?, ?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET data = excluded.data",
			collection, id, base, string(merged)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Record returns the tablet's copy of a record (a failure to read it is
// kept for Err).
func (c *Client) Record(collection, id string) (map[string]any, int64, bool) {
	var raw string
	var seq int64
	if err := c.db.QueryRow("SELECT data, seq FROM records WHERE collection = ? AND id = ?", collection, id).Scan(&raw, &seq); err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			c.record(fmt.Errorf("record %s %s: %w", collection, id, err))
		}
		return nil, 0, false
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		c.record(fmt.Errorf("record %s %s: %w", collection, id, err))
		return nil, 0, false
	}
	return m, seq, true
}

// Records returns the ids the tablet holds of collection.
func (c *Client) Records(collection string) ([]string, error) {
	rows, err := c.db.Query("SELECT id FROM records WHERE collection = ? ORDER BY id", collection)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Pending returns how many mutations wait for an answer (a failure to
// count them is kept for Err, and counts as -1).
func (c *Client) Pending() int {
	var n int
	if err := c.db.QueryRow("SELECT COUNT(*) FROM outbox WHERE acked = 0").Scan(&n); err != nil {
		c.record(fmt.Errorf("outbox: %w", err))
		return -1
	}
	return n
}

// Outcome is the server's answer to one of the tablet's mutations.
type Outcome struct {
	ID, Collection, Record, Op string
	Status, Outcome            string // Outcome: the first answer, for a duplicate
	Seq                        int64
	Error                      string
}

// Outcomes returns every answered mutation, in no particular order.
func (c *Client) Outcomes() ([]Outcome, error) {
	rows, err := c.db.Query("SELECT id, collection, record, op, status, outcome, seq, error FROM outcomes")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		var o Outcome
		if err := rows.Scan(&o.ID, &o.Collection, &o.Record, &o.Op, &o.Status, &o.Outcome, &o.Seq, &o.Error); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// putRecord stores the server's record and replays the queued local edits.
func putRecord(tx *sql.Tx, collection, id string, seq int64, rec map[string]any) error {
	rows, err := tx.Query("SELECT op, data FROM outbox WHERE collection = ? AND record = ? AND acked = 0 ORDER BY n", collection, id)
	if err != nil {
		return err
	}
	deleted := false
	for rows.Next() {
		var op, raw string
		var data map[string]any
		if err := rows.Scan(&op, &raw); err != nil {
			return errors.Join(err, rows.Close())
		}
		if err := json.Unmarshal([]byte(raw), &data); err != nil {
			return errors.Join(fmt.Errorf("outbox %s %s: %w", collection, id, err), rows.Close())
		}
		if op == wire.OpDelete {
			deleted = true
		}
		for k, v := range data {
			rec[k] = v
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	if deleted {
		return nil
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = tx.Exec("INSERT OR REPLACE INTO records (collection, id, seq, data) VALUES (?, ?, ?, ?)", collection, id, seq, string(raw))
	return err
}
