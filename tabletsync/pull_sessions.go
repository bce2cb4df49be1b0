package tabletsync

import (
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/tabletsync/wire"
)

// scopeKey fingerprints everything that decides what a user may pull: who
// they are, their role and org, and the list rules. A pull session is tied
// to it; when it changes, the tablet must sync again from scratch.
func scopeKey(app core.App, auth *core.Record) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "v%d|%s|%s|%s|%s|%s", wire.SchemaVersion, auth.Collection().Name, auth.Id,
		auth.GetString(collections.UserRole), auth.GetString(collections.UserOrg), auth.GetString(collections.UserLeaderRank))
	for _, en := range Table {
		if en.Dir&Down == 0 {
			continue
		}
		rule := "<none>"
		if c, err := app.FindCachedCollectionByNameOrId(en.Collection); err == nil && c.ListRule != nil {
			rule = *c.ListRule
		}
		fmt.Fprintf(h, "|%s:%s:%s:%s", en.Collection, rule, strings.Join(en.Fields, ","), en.Directory)
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

// MaxSessionsPerUser is how many pull sessions (each with the records it
// has handed out in _sync_held) one user keeps: room for a community's
// eight tablets sharing one account (as the simulator runs them) and a few
// browsers. A new one drops the user's least recently used beyond it; a
// device starting over (client=) drops its own earlier ones first.
const MaxSessionsPerUser = 16

// newSession opens a pull session and returns it with the sessions it
// dropped to make room.
func newSession(app core.App, user, client, scope string) (id int64, dropped []int64, err error) {
	err = app.RunInTransaction(func(tx core.App) error {
		dropped = nil
		if client != "" {
			// a device starting over drops what its earlier sessions held
			ids, err := dropSessions(tx, dbx.HashExp{"user": user, "client": client})
			if err != nil {
				return err
			}
			dropped = append(dropped, ids...)
		}
		// the user's least recently used sessions beyond the bound go
		var old []any
		if err := tx.DB().Select("id").From(tableSessions).Where(dbx.HashExp{"user": user}).
			OrderBy("used DESC", "id DESC").Offset(MaxSessionsPerUser - 1).Limit(-1).Column(&old); err != nil {
			return err
		}
		if len(old) > 0 {
			ids, err := dropSessions(tx, inList("id", old))
			if err != nil {
				return err
			}
			dropped = append(dropped, ids...)
		}
		res, err := tx.DB().NewQuery("INSERT INTO " + tableSessions + " (user, client, scope, used) VALUES ({:u}, {:c}, {:s}, " + nextUse + ")").
			Bind(dbx.Params{"u": user, "c": client, "s": scope}).Execute()
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, dropped, err
}

// nextUse is the next number in the sessions' order of use (in a write
// transaction: strictly increasing).
const nextUse = "(SELECT COALESCE(MAX(used), 0) + 1 FROM " + tableSessions + ")"

// dropSessions deletes the sessions matching where, with what they held,
// and returns their ids.
func dropSessions(tx core.App, where dbx.Expression) ([]int64, error) {
	var ids []int64
	if err := tx.DB().Select("id").From(tableSessions).Where(where).Column(&ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := tx.DB().Delete(tableHeld, dbx.HashExp{"session": id}).Execute(); err != nil {
			return nil, err
		}
		if _, err := tx.DB().Delete(tableSessions, dbx.HashExp{"id": id}).Execute(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// checkSession accepts a cursor of the caller's own, current session.
func checkSession(app core.App, cur Cursor, user, scope string) error {
	var s struct {
		User  string `db:"user"`
		Scope string `db:"scope"`
	}
	err := app.DB().Select("user", "scope").From(tableSessions).Where(dbx.HashExp{"id": cur.Session}).One(&s)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// expired, or dropped for the user's newer sessions (MaxSessionsPerUser)
		return resync("同步会话已失效（长期未同步，或本账号已在其他设备或页面上开始了新的完整同步），请重新完整同步。")
	case err != nil:
		return apis.NewInternalServerError("", err)
	case s.User != user:
		return badRequest("cursor", "invalid_cursor", "同步游标无效：请使用服务器返回的游标，或留空从头完整同步。")
	case s.Scope != scope:
		return resync("您的角色、所属单位或数据权限已变更，请重新完整同步。")
	}
	if horizon := prunedThrough(app); cur.Seq < horizon {
		return resync("离上次同步太久，部分删除记录已清理，请重新完整同步。")
	}
	return nil
}
