// Package tabletsync is yuetan's offline-first sync API for the tablets
// grid workers and community staff carry door to door: a change feed every
// write lands in atomically, a scoped pull, an idempotent push that runs
// every mutation through the same rules as REST and answers per mutation,
// field-by-field merging of stale edits, and a realtime nudge. Cursors
// carry the server's epoch, so a server restored from a backup tells the
// tablets that saw what it lost to start over and push it again
// (epoch.go); orgs and users travel as the directory each caller needs
// (directory.go).
//
//	GET  /api/sync/pull?cursor=C&limit=N   changes after C, scoped to the caller
//	POST /api/sync/push                    mutations, one result each, in order
//
// Both need a signed-in user and the X-Sync-Schema header; Table says which
// collections travel in which direction. (The routes, realtime topic and
// tables keep the name sync; the package is named for what it serves, so
// that it does not shadow the standard library's sync.)
package tabletsync
