package sync

// Exported for the external tests and benchmarks of this package.
var ScopeKey = scopeKey
