package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"yuetan/tabletsync/wire"
)

// change is a pulled change, with the record as a tablet keeps it.
type change = wire.Change[map[string]any]

// PullStats counts what a Pull did.
type PullStats struct {
	Pages, Upserts, Deletes int
	Resynced                bool
	// Restored: the server had been restored from a backup; the journal
	// was queued again (push it: Sync does).
	Restored bool
}

// Pull fetches changes until the server has no more. When the server asks
// for a full resync (409: the user's role or org changed, or the session
// expired), the tablet drops what it holds and starts over; its outbox stays.
func (c *Client) Pull(ctx context.Context) (PullStats, error) {
	var st PullStats
	cursor, err := c.meta("cursor")
	if err != nil {
		return st, err
	}
	for {
		q := url.Values{"cursor": {cursor}, "limit": {strconv.Itoa(c.PageSize)}}
		if cursor == "" {
			q.Set("client", c.id)
		}
		var page wire.PullResponse[map[string]any]
		err := c.withRetry(ctx, func() error {
			return c.send(ctx, http.MethodGet, "/api/sync/pull?"+q.Encode(), "", nil, &page)
		})
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusConflict && !st.Resynced {
			if restoredAnswer(err) {
				if err := c.serverRestored(); err != nil {
					return st, err
				}
				st.Restored = true
			}
			if _, err := c.db.Exec("DELETE FROM records"); err != nil {
				return st, err
			}
			cursor, st.Resynced = "", true
			continue
		}
		if err != nil {
			return st, err
		}
		if err := c.applyPage(page.Changes, page.Cursor, &st); err != nil {
			return st, err
		}
		st.Pages++
		cursor = page.Cursor
		if !page.More {
			return st, nil
		}
	}
}

func (c *Client) applyPage(changes []change, cursor string, st *PullStats) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, ch := range changes {
		if ch.Op == wire.OpDelete {
			st.Deletes++
			if _, err := tx.Exec("DELETE FROM records WHERE collection = ? AND id = ?", ch.Collection, ch.ID); err != nil {
				return err
			}
			continue
		}
		st.Upserts++
		if err := putRecord(tx, ch.Collection, ch.ID, ch.Seq, ch.Record); err != nil {
			return err
		}
	}
	if _, err := tx.Exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('cursor', ?)", cursor); err != nil {
		return err
	}
	return tx.Commit()
}

// Sync pushes the outbox, then pulls. When the pull finds the server
// restored from a backup, it pushes the journal queued again and pulls
// once more.
func (c *Client) Sync(ctx context.Context) (PushStats, PullStats, error) {
	ps, err := c.Push(ctx)
	if err != nil {
		return ps, PullStats{}, err
	}
	pl, err := c.Pull(ctx)
	if err != nil || !pl.Restored {
		return ps, pl, err
	}
	again, err := c.Push(ctx)
	ps.Requests += again.Requests
	ps.Applied += again.Applied
	ps.Duplicate += again.Duplicate
	ps.Conflict += again.Conflict
	ps.Rejected += again.Rejected
	if err != nil {
		return ps, pl, err
	}
	more, err := c.Pull(ctx)
	more.Restored = true
	return ps, more, err
}
