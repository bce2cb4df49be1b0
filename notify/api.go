package notify

import (
	"net/http"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/search"

	"yuetan/collections"
	"yuetan/internal/drainloop"
)

// MaxReadIDs is the most notifications one mark-read request names.
const MaxReadIDs = 200

// bindNotifyApi binds POST /api/notifications/read: the recipient marks
// notifications read (the collection has no update rule: nothing else of
// a notification is anyone's to change).
func bindNotifyApi(app core.App, rg *router.RouterGroup[*core.RequestEvent]) {
	sub := rg.Group("/notifications")
	sub.Bind(apis.RequireAuth(collections.Users), apis.BodyLimit(64<<10))
	sub.POST("/read", notificationsRead)
}

// readRequest names the notifications to mark read, or all of them.
type readRequest struct {
	IDs []string `json:"ids"`
	All bool     `json:"all"`
}

// readResponse says how many were marked now and how many stay unread.
type readResponse struct {
	Read   int `json:"read"`
	Unread int `json:"unread"`
}

// notificationsRead marks the named notifications (or every unread one)
// of the caller read. The collection's view rule decides whose they are.
func notificationsRead(e *core.RequestEvent) error {
	var body readRequest
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("请求格式有误。", err)
	}
	if !body.All && len(body.IDs) == 0 {
		return e.BadRequestError("请指明要标为已读的通知。", validation.Errors{"ids": validation.NewError("required", "请指明要标为已读的通知。")})
	}
	if len(body.IDs) > MaxReadIDs {
		return e.BadRequestError("一次最多标记 200 条通知。", validation.Errors{"ids": validation.NewError("too_many", "一次最多标记 200 条通知。")})
	}
	coll, err := e.App.FindCachedCollectionByNameOrId(Notifications)
	if err != nil {
		return e.InternalServerError("", err)
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.InternalServerError("", err)
	}
	var recs []*core.Record
	if body.All {
		recs, err = unread(e.App, coll, info)
		if err != nil {
			return e.InternalServerError("", err)
		}
	} else {
		for _, id := range body.IDs {
			rec, err := e.App.FindRecordById(coll, id)
			mine := false
			if err == nil {
				if mine, err = e.App.CanAccessRecord(rec, info, coll.ViewRule); err != nil {
					return e.InternalServerError("", err)
				}
			}
			// someone else's gets the same answer as none
			if !mine {
				return e.NotFoundError("通知不存在或不是发给您的，未做任何标记。", nil)
			}
			recs = append(recs, rec)
		}
	}
	now := drainloop.At(time.Now())
	marked := 0
	err = e.App.RunInTransaction(func(tx core.App) error {
		for _, rec := range recs {
			if !rec.GetDateTime(NotifReadAt).IsZero() {
				continue
			}
			rec.Set(NotifReadAt, now)
			if err := tx.Save(rec); err != nil {
				return err
			}
			marked++
		}
		return nil
	})
	if err != nil {
		return e.InternalServerError("", err)
	}
	left, err := unread(e.App, coll, info)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, readResponse{Read: marked, Unread: len(left)})
}

// unread lists the caller's unread notifications: the collection's list
// rule, applied as PocketBase applies it to a list request, and read_at empty.
func unread(app core.App, coll *core.Collection, info *core.RequestInfo) ([]*core.Record, error) {
	if coll.ListRule == nil {
		return nil, nil
	}
	q := app.RecordQuery(coll)
	resolver := core.NewRecordFieldResolver(app, coll, info, true)
	expr, err := search.FilterData(*coll.ListRule + " && " + NotifReadAt + " = ''").BuildExpr(resolver)
	if err != nil {
		return nil, err
	}
	if err := resolver.UpdateQuery(q); err != nil {
		return nil, err
	}
	var out []*core.Record
	if err := q.AndWhere(expr).All(&out); err != nil {
		return nil, err
	}
	return out, nil
}
