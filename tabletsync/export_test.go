package tabletsync

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/tabletsync/wire"
)

// Exported for the external tests and benchmarks of this package.
var ScopeKey = scopeKey

// NudgeDelay is how long the nudge gathers a burst of commits.
const NudgeDelay = nudgeDelay

// WithSnapshots makes every fresh pull session use a snapshot list (from
// from feed rows on) until the returned func restores the default.
func WithSnapshots(from int64) (restore func()) {
	old := snapshotMinRange
	snapshotMinRange = from
	return func() { snapshotMinRange = old }
}

// WithScopedPages makes pulls read every page they can from the caller's
// scope until the returned func restores the default.
func WithScopedPages() (restore func()) {
	forceScoped = true
	return func() { forceScoped = false }
}

// Snapshots returns how many snapshot lists user's pull sessions have in
// app and how many items all the lists hold.
func Snapshots(app core.App, user string) (lists, items int) {
	return app.Store().Get(serviceKey).(*service).snaps.stats(user)
}

// CreateChecker returns the push's create check for auth: the record built
// from data as a create mutation's, then canCreate, with one push's caches
// shared by every call.
func CreateChecker(app core.App, auth *core.Record) func(collection, id string, data map[string]any) (bool, error) {
	st := newPushState(app, "create-checker", nil)
	return func(collection, id string, data map[string]any) (bool, error) {
		coll, err := app.FindCachedCollectionByNameOrId(collection)
		if err != nil {
			return false, err
		}
		m := &wire.Mutation{ID: "check", Collection: collection, Op: wire.OpCreate, Record: id, Data: data}
		_, ok, err := loadCreate(app, st, auth, coll, m)
		return ok, err
	}
}

// CursorAt returns the cursor of session at seq in app's current epoch.
func CursorAt(app core.App, session, seq int64) string {
	epoch, err := app.Store().Get(serviceKey).(*service).epoch()
	if err != nil {
		panic(err)
	}
	return Cursor{Epoch: epoch, Session: session, Seq: seq, Mark: seq}.String()
}
