package tabletsync

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/tabletsync/wire"
)

// Change is one entry of a pull, with the server's records.
type Change = wire.Change[*core.Record]

// PullResponse is the body of GET /api/sync/pull, with the server's records.
type PullResponse = wire.PullResponse[*core.Record]

// How much of the feed one pull may scan looking for the caller's changes:
// a user with a small scope in a large district gets a short (even empty)
// page with more=true rather than a slow one.
const (
	firstChunk = 500
	maxChunk   = 5000
	scanBudget = 300 * time.Millisecond
)

func (s *service) pull(e *core.RequestEvent) error {
	if err := checkSchema(e); err != nil {
		return err
	}
	q := e.Request.URL.Query()
	limit := wire.DefaultPullLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > wire.MaxPullLimit {
			return badRequest("limit", "invalid_limit", fmt.Sprintf("每页条数应为 1 到 %d 之间的整数。", wire.MaxPullLimit))
		}
		limit = n
	}
	cur, err := ParseCursor(q.Get("cursor"))
	if err != nil {
		return badRequest("cursor", "invalid_cursor", "同步游标无效：请使用服务器返回的游标，或留空从头完整同步。")
	}
	client := q.Get("client")
	if client != "" && !validClientID(client) {
		return badRequest("client", "invalid_client", "设备编号无效：只能包含字母、数字和 . _ : -，最长 100 个字符。")
	}
	epoch, err := s.epoch()
	if err != nil {
		return e.InternalServerError("", err)
	}
	if cur.Session != 0 {
		if err := checkLineage(e.App, cur); err != nil {
			return err
		}
	}
	scope := scopeKey(e.App, e.Auth)
	if cur.Session == 0 {
		id, dropped, err := newSession(e.App, e.Auth.Id, client, scope)
		if err != nil {
			return e.InternalServerError("", err)
		}
		s.snaps.drop(dropped...)
		cur = Cursor{Session: id}
	} else if err := checkSession(e.App, cur, e.Auth.Id, scope); err != nil {
		return err
	}
	cur.Epoch = epoch // a position this lineage has (checkLineage), issued again in the current epoch
	res, err := s.readPage(e, e.Auth, cur, limit)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, res)
}

// readPage walks the feed after cur and returns up to limit changes the
// caller may see: records its list rule lets it see now (upserts), and
// deletes for records this session handed out that are gone or no longer
// visible. It walks seq windows; in each, SQL picks the caller's visible
// upserts per collection and the session's held records, so only what the
// page returns comes back to Go. The cost follows the number of changes,
// not the table sizes; a budget bounds the scan of one request.
func (s *service) readPage(e *core.RequestEvent, auth *core.Record, cur Cursor, limit int) (*PullResponse, error) {
	app := e.App
	deadline := time.Now().Add(scanBudget)
	out := &PullResponse{Changes: []Change{}}
	hi, err := feedMax(app)
	if err != nil {
		return nil, err
	}
	holds, err := holdsAnything(app, cur.Session)
	if err != nil {
		return nil, err
	}
	after := cur.Seq
	vis := newVisibility(app, auth, cur.Session)
	snap := s.snaps.get(cur.Session)
	if snap == nil && !holds && hi-after >= snapshotMinRange {
		if snap, err = listVisible(vis, after, hi); err != nil {
			return nil, err
		}
		if snap != nil {
			s.snaps.put(cur.Session, auth.Id, snap)
		}
	}
	listed := 0 // out.Changes[:listed] come from a list: check their feed rows have not moved
	if snap != nil && after < snap.to {
		items, reached := snap.page(after, limit)
		if hi != snap.to {
			// (when nothing was written since the list was made, no row has moved)
			listed = len(items)
		}
		out.Changes = append(out.Changes, items...)
		after = reached
		if after >= snap.to {
			s.snaps.drop(cur.Session)
		}
	}
	if after < hi && len(out.Changes) < limit {
		items, reached, ok, err := scopedPage(vis, cur.Session, holds, after, hi, limit-len(out.Changes))
		if err != nil {
			return nil, err
		}
		if ok {
			out.Changes = append(out.Changes, items...)
			after = reached
		}
	}
	window := int64(max(firstChunk, limit))
	var walked int64
	for after < hi && len(out.Changes) < limit {
		last := min(after+window, hi)
		items, err := resolveWindow(vis, cur.Session, holds, after, last)
		if err != nil {
			return nil, err
		}
		if room := limit - len(out.Changes); len(items) >= room {
			out.Changes = append(out.Changes, items[:room]...)
			after = out.Changes[len(out.Changes)-1].Seq
			break
		}
		out.Changes = append(out.Changes, items...)
		walked += last - after
		after = last
		if time.Now().After(deadline) {
			break
		}
		// the next window is sized for what is missing at the density seen so far
		density := float64(len(out.Changes)+1) / float64(walked)
		window = int64(min(max(float64(limit-len(out.Changes))/density*1.2, firstChunk), maxChunk))
	}
	out.More = after < hi
	if err := loadRecords(app, out, listed); err != nil {
		return nil, err
	}
	if err := addReferenced(app, vis, out); err != nil {
		return nil, err
	}
	if err := finishChanges(e, out.Changes); err != nil {
		return nil, err
	}
	if err := s.held.remember(app, cur.Session, out.Changes); err != nil {
		return nil, err
	}
	out.Cursor = Cursor{Epoch: cur.Epoch, Session: cur.Session, Seq: after, Mark: max(cur.Mark, after)}.String()
	return out, nil
}
