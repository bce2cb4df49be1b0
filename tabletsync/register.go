package tabletsync

import (
	"fmt"
	"net/http"
	"strconv"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/tabletsync/wire"
)

// service holds the sync API's state for one app.
type service struct {
	app    core.App
	nudge  *nudger
	snaps  snapshots // initial syncs' visible lists, by pull session
	held   heldWriter
	epochs epochs // this process's epoch of the feed
}

// serviceKey is where the app's store keeps its sync service.
const serviceKey = "yuetan.sync"

// Register binds the change feed hooks, the sync routes and the pruning
// job to app.
func Register(app core.App) error {
	s := &service{app: app, nudge: newNudger(app)}
	app.Store().Set(serviceKey, s)
	bindFeed(app, s.nudge)
	bindEpochs(app, s)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/sync")
		g.Bind(apis.RequireAuth())
		g.GET("/pull", s.pull)
		g.POST("/push", s.push).
			Unbind(apis.DefaultBodyLimitMiddlewareId).
			Bind(apis.BodyLimit(wire.MaxPushBody))
		return se.Next()
	})
	if err := app.Cron().Add("yuetan_sync_prune", "17 3 * * *", func() {
		if err := Prune(app, DefaultRetention); err != nil {
			app.Logger().Warn("sync prune", "error", err)
		}
	}); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// checkSchema refuses clients that do not announce a protocol version this
// server speaks: too old is 426 Upgrade Required.
func checkSchema(e *core.RequestEvent) error {
	raw := e.Request.Header.Get(wire.SchemaHeader)
	v, err := strconv.Atoi(raw)
	switch {
	case raw == "" || err != nil || v < MinSchemaVersion:
		return router.NewApiError(http.StatusUpgradeRequired,
			"平板应用版本过旧，无法与服务器同步，请先升级到最新版本（离线数据会保留）。",
			validation.Errors{"schema": validation.NewError("schema_too_old",
				fmt.Sprintf("客户端同步版本 %q 低于服务器要求的最低版本 %d。", raw, MinSchemaVersion))})
	case v > wire.SchemaVersion:
		return badRequest("schema", "schema_too_new",
			fmt.Sprintf("服务器尚不支持同步版本 %d（当前为 %d），请联系管理员升级服务器。", v, wire.SchemaVersion))
	}
	return nil
}

func badRequest(field, code, msg string) error {
	return router.NewBadRequestError(msg, validation.Errors{field: validation.NewError(code, msg)})
}

// resync is 409: the tablet must sync again from an empty cursor.
func resync(msg string) error {
	return router.NewApiError(http.StatusConflict, msg,
		validation.Errors{"cursor": validation.NewError(wire.CodeResync, msg)})
}

// requestInfo is what the collection rules see of a sync request.
func requestInfo(auth *core.Record, method string, body map[string]any) *core.RequestInfo {
	if body == nil {
		body = map[string]any{}
	}
	return &core.RequestInfo{
		Auth:    auth,
		Method:  method,
		Context: core.RequestInfoContextDefault,
		Query:   map[string]string{},
		Headers: map[string]string{},
		Body:    body,
	}
}

func validClientID(s string) bool { return validToken(s, 100, ".:_-") }

func validMutationID(s string) bool { return validToken(s, 100, "_-") }

func validToken(s string, maxLen int, extra string) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			ok := false
			for j := 0; j < len(extra); j++ {
				if c == extra[j] {
					ok = true
				}
			}
			if !ok {
				return false
			}
		}
	}
	return true
}
