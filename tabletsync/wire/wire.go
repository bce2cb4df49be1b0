// Package wire is the sync protocol as it travels: the JSON bodies of
// GET /api/sync/pull and POST /api/sync/push and the protocol's constants,
// shared by the server (package tabletsync) and the tablets (package
// tabletsync/client). It imports nothing of PocketBase, so a tablet stays a
// plain HTTP client; a record's type is each side's own (the server's
// *core.Record, a tablet's map).
package wire

// Protocol constants.
const (
	// SchemaVersion is the sync protocol and schema version spoken.
	SchemaVersion = 1
	// SchemaHeader carries the client's version on every sync request.
	SchemaHeader = "X-Sync-Schema"

	// MaxMutations is the most mutations one push may carry.
	MaxMutations = 1000
	// MaxPullLimit is the largest page a pull returns; DefaultPullLimit the default.
	MaxPullLimit     = 1000
	DefaultPullLimit = 500
	// MaxPushJSON bounds the JSON part of a push; MaxPushBody the whole body
	// with photos and signature images.
	MaxPushJSON = 16 << 20
	MaxPushBody = 256 << 20

	// Topic is the realtime topic tablets subscribe to for nudges.
	Topic = "sync"

	// CodeResync is the error code (under "cursor") of a 409 that asks the
	// tablet to sync again from an empty cursor.
	CodeResync = "resync_required"
	// CodeServerRestored is the error code (under "restore") of a 409 for
	// a cursor of a lineage the server has lost (it was restored from a
	// backup): besides syncing again, the tablet pushes again the
	// acknowledged mutations it keeps.
	CodeServerRestored = "server_restored"
)

// Change operations in the feed and in a pull.
const (
	OpUpsert = "upsert"
	OpDelete = "delete"
)

// Mutation operations in a push (and OpDelete).
const (
	OpCreate = "create"
	OpUpdate = "update"
)

// Mutation outcomes.
const (
	StatusApplied   = "applied"
	StatusDuplicate = "duplicate"
	StatusConflict  = "conflict"
	StatusRejected  = "rejected"
)

// Change is one entry of a pull: a record to upsert (as the list API would
// show it to the caller) or to delete.
type Change[R any] struct {
	Seq        int64  `json:"seq"`
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Op         string `json:"op"`
	Record     R      `json:"record,omitempty"`
}

// PullResponse is the body of GET /api/sync/pull.
type PullResponse[R any] struct {
	Changes []Change[R] `json:"changes"`
	Cursor  string      `json:"cursor"`
	More    bool        `json:"more"`
}

// PushRequest is the body of POST /api/sync/push (as JSON, or as the
// "@jsonPayload" part of a multipart body whose file parts are named
// "<mutation id>.<field>").
type PushRequest struct {
	Client string `json:"client"`
	// Cursor, when set, is the tablet's pull cursor: its mutations' bases
	// are positions of its lineage (a lost one is 409 server_restored).
	Cursor    string     `json:"cursor,omitempty"`
	Mutations []Mutation `json:"mutations"`
}

// Mutation is one change a tablet made, identified by the tablet.
type Mutation struct {
	ID         string         `json:"id"`
	Collection string         `json:"collection"`
	Op         string         `json:"op"`
	Record     string         `json:"record"`
	Base       int64          `json:"base"`
	Data       map[string]any `json:"data,omitempty"`
}

// PushResponse is the body of POST /api/sync/push. Cursor is the client's
// pull cursor at the same position (the next pull brings the tablet's own
// writes back with what the server set on them), its mark raised to the
// mutations' seqs; the tablet keeps it as its cursor.
type PushResponse[R any] struct {
	Results []Result[R] `json:"results"`
	Cursor  string      `json:"cursor"`
}

// Result is the outcome of one mutation, in the order of the push.
type Result[R any] struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Outcome is, for a duplicate, what the first push of it got.
	Outcome string `json:"outcome,omitempty"`
	// Seq is the record's feed position after the mutation (the base for
	// the tablet's next edit of it).
	Seq int64 `json:"seq,omitempty"`
	// Record is the record as the server has it now (applied, duplicate,
	// conflict), as the caller may see it.
	Record R `json:"record,omitempty"`
	// Error says why a mutation was rejected or conflicted, with a
	// message for people.
	Error *Error `json:"error,omitempty"`
}

// Error is PocketBase's error shape (its router.ApiError, field for field).
type Error struct {
	Data    map[string]any `json:"data"`
	Message string         `json:"message"`
	Status  int            `json:"status"`
}
