// Package apis owns yuetan's own HTTP routes and middlewares, in
// PocketBase's manner: one bindXxxApi(app, rg) per file with named
// handlers. (The forms, the figures and the sync API keep their routes
// beside what they serve: forms/, stats/, sync/.) Save rules are not here:
// they live in pb_hooks, on every path.
package apis

import (
	"github.com/pocketbase/pocketbase/core"
)

// Register binds the routes and middlewares of this package to app.
func Register(app core.App) error {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		bindMiddlewares(se.Router)
		api := se.Router.Group("/api")
		bindWorkflowApi(se.App, api)
		bindCalendarApi(se.App, api)
		return se.Next()
	})
	return nil
}
