package hooks

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"yuetan/privacy"
)

// bindPrivacy keeps personal fields (collections.PersonalFields: residents'
// names and phones, co-signers, applicants' contacts, users' phones and
// e-mails) from those who may not see them: hidden on every record handed
// out, and unusable in any filter, sort or realtime subscription that
// would read them where the caller does not see them.
func bindPrivacy(app core.App) error {
	for _, name := range privacy.Collections() {
		app.OnRecordEnrich(name).BindFunc(privacy.HideUnseen)
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// after PocketBase reads the auth token, before the list handler queries
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{Id: "yuetan.privacy", Func: privacy.GuardList})
		return se.Next()
	})
	app.OnRecordsListRequest().BindFunc(privacy.GuardListed)
	app.OnRealtimeSubscribeRequest().BindFunc(privacy.GuardSubscriptions)
	app.OnRealtimeMessageSend().BindFunc(privacy.GuardMessages)
	return nil
}
