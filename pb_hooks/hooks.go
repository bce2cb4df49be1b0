// Package hooks owns the rules that run on every save, whatever path the
// write takes (REST, the JS SDK, /api/batch, the admin dashboard, the sync
// API, cron): who is acting, server-set fields, privacy of residents'
// details, the workflow transitions and the deadlines.
package hooks

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"yuetan/savectx"
	"yuetan/siteurl"
)

// Register binds every hook and route of this package to app.
func Register(app core.App) error {
	for _, bind := range []func(core.App) error{
		bindActor,
		bindTypes,
		bindServerFields,
		bindUsers,
		bindPrivacy,
		bindImageBudgets,
		bindWorkflow,
		bindDuplicates,
	} {
		if err := bind(app); err != nil {
			return fmt.Errorf("register hooks: %w", err)
		}
	}
	return nil
}

// bindActor attaches the authenticated caller (and the address the
// request came in on) to every record a REST or batch request saves or
// deletes, so save-level hooks know who acts.
func bindActor(app core.App) error {
	attach := func(e *core.RecordRequestEvent) error {
		savectx.Attach(e.Record, e.Auth)
		savectx.AttachOrigin(e.Record, siteurl.Origin(e.Request))
		return e.Next()
	}
	app.OnRecordCreateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "yuetan.actor", Func: attach, Priority: -1000})
	app.OnRecordUpdateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "yuetan.actor", Func: attach, Priority: -1000})
	app.OnRecordDeleteRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "yuetan.actor", Func: attach, Priority: -1000})
	return nil
}
