package tabletsync

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/tabletsync/wire"
)

// holdsAnything reports whether the session has handed out any record.
func holdsAnything(app core.App, session int64) (bool, error) {
	var n int
	err := app.DB().NewQuery("SELECT EXISTS (SELECT 1 FROM " + tableHeld + " WHERE session = {:s})").
		Bind(dbx.Params{"s": session}).Row(&n)
	return n > 0, err
}

// heldRow is a record the session handed out, with its feed row.
type heldRow struct {
	Collection string        `db:"collection"`
	Record     string        `db:"record"`
	Seq        int64         `db:"seq"`
	Gone       sql.NullInt64 `db:"gone"`
}

// heldMoved returns the records the session holds whose feed row is in
// (after, last]. fromHeld drives the query from what the session holds
// (few records against many changes: the scoped page); otherwise the feed
// rows drive it (the walk).
func heldMoved(app core.App, session, after, last int64, fromHeld bool) ([]heldRow, error) {
	from := tableChanges + " c JOIN " + tableHeld + " h ON h.session = {:s} AND h.collection = c.collection AND h.record = c.record WHERE"
	if fromHeld {
		from = tableHeld + " h CROSS JOIN " + tableChanges + " c ON c.collection = h.collection AND c.record = h.record WHERE h.session = {:s} AND"
	}
	var rows []heldRow
	err := app.DB().NewQuery("SELECT h.collection, h.record, c.seq, h.gone FROM " + from + " c.seq > {:a} AND c.seq <= {:b}").
		Bind(dbx.Params{"s": session, "a": after, "b": last}).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("held: %w", err)
	}
	return rows, nil
}

// heldWriter records what pages hand out (upserts) and take back
// (deletes, kept with their seq so a retried page deletes again). Pages
// that finish together are written together, in one short transaction
// (group commit): the database has one writer, which pushes need. Each
// page still waits for its rows to be committed before it answers.
type heldWriter struct {
	mu      sync.Mutex
	pending []heldBatch
	running bool
}

type heldBatch struct {
	session int64
	changes []Change
	done    chan error
}

func (w *heldWriter) remember(app core.App, session int64, changes []Change) error {
	b := heldBatch{session: session, changes: changes, done: make(chan error, 1)}
	w.mu.Lock()
	w.pending = append(w.pending, b)
	if !w.running {
		w.running = true
		go w.flush(app)
	}
	w.mu.Unlock()
	return <-b.done
}

// flush writes what is pending until nothing is.
func (w *heldWriter) flush(app core.App) {
	for {
		w.mu.Lock()
		batches := w.pending
		w.pending = nil
		if len(batches) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		err := writeHeld(app, batches)
		for _, b := range batches {
			b.done <- err
		}
	}
}

func writeHeld(app core.App, batches []heldBatch) error {
	// one parameter: the rows as a JSON array of [session, collection, id, gone]
	var rows [][4]any
	var sessions []any
	for _, b := range batches {
		sessions = append(sessions, b.session)
		for _, c := range b.changes {
			row := [4]any{b.session, c.Collection, c.ID, nil}
			if c.Op == wire.OpDelete {
				row[3] = c.Seq
			}
			rows = append(rows, row)
		}
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		if len(rows) > 0 {
			// (a session dropped while its page was read keeps nothing)
			_, err := tx.DB().NewQuery("INSERT INTO " + tableHeld + ` (session, collection, record, gone)
				SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
				FROM json_each({:rows}) WHERE json_extract(value, '$[0]') IN (SELECT id FROM ` + tableSessions + `)
				ON CONFLICT (session, collection, record) DO UPDATE SET gone = excluded.gone`).
				Bind(dbx.Params{"rows": string(raw)}).Execute()
			if err != nil {
				return fmt.Errorf("remember held: %w", err)
			}
		}
		// every page marks its session used: a session syncing keeps its place
		_, err := tx.DB().Update(tableSessions, dbx.Params{"seen": nowText(), "used": dbx.NewExp(nextUse)}, inList("id", sessions)).Execute()
		return err
	})
}
