package forms

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
)

// Register binds the form routes, the archive copies and the archive
// fields' protection to app.
func Register(app core.App) error {
	bindRoutes(app)
	bindArchive(app)
	bindServerFields(app)
	return nil
}

// bindServerFields keeps the archive copies the server's own: a record a
// client creates never brings one. (Updates are the workflow's: its edit
// table names no archive field, so the hooks refuse a client's change.)
func bindServerFields(app core.App) {
	strip := func(fields ...string) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			if !savectx.Of(e.Context, e.Record).System {
				for _, f := range fields {
					e.Record.Set(f, nil)
				}
			}
			return e.Next()
		}
	}
	app.OnRecordCreate(collections.Applications).BindFunc(strip(collections.AppArchivePDF, collections.AppNoticePDF))
	app.OnRecordCreate(collections.Talks).BindFunc(strip(collections.TalkArchivePDF))
	app.OnRecordCreate(collections.Feedback).BindFunc(strip(collections.FbArchivePDF))
}
