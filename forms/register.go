package forms

import (
	"github.com/pocketbase/pocketbase/core"
)

// Register binds the form routes, the archive queue's hooks and, under
// serve, the archive worker to app (the archive fields are server-owned:
// collections.ServerFields).
func Register(app core.App) error {
	s := &archiveService{}
	app.Store().Set(archiveWorkerKey, s)
	bindRoutes(app)
	bindArchive(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// the archive worker gives way to the requests (archive_queue.go)
		se.Router.BindFunc(s.requests.track)
		// a test app has no HTTP server: its tests start a worker themselves
		if se.Server == nil {
			return se.Next()
		}
		stop, err := StartArchiveWorker(se.App)
		if err != nil {
			return err
		}
		se.App.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
			stop()
			return e.Next()
		})
		return se.Next()
	})
	return nil
}
