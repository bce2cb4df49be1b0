package sync

// Exported for the external tests and benchmarks of this package.
var ScopeKey = scopeKey

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
