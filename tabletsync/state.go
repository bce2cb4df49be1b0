package tabletsync

import (
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// Per-app state lives in the app's store (shared by its transactions), not
// in package variables: two apps in one process (tests, a dashboard and
// a migration run) never see each other's answers.
const (
	feedReadyKey    = "yuetan.sync.feedReady"  // the feed table exists
	dependentsKey   = "yuetan.sync.dependents" // rule reads of relations
	indexedRulesKey = "yuetan.sync.indexedRules"
)

// appCache returns the app's cache named key, made on first use.
func appCache(app core.App, key string) *sync.Map {
	return app.Store().GetOrSet(key, func() any { return &sync.Map{} }).(*sync.Map)
}
