package tabletsync

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/pocketbase/dbx"

	"yuetan/collections"
	hooks "yuetan/pb_hooks"
)

// Direction says which way a collection's records travel.
type Direction int

const (
	// Down: server to tablets (pull).
	Down Direction = 1 << iota
	// Up: tablets to server (push).
	Up
)

// Entry is one synced collection.
type Entry struct {
	Collection string
	Dir        Direction
	// Fields, when set, are the only fields a pull hands out (users'
	// public fields: never an email or a phone number).
	Fields []string
	// Directory, when set, narrows what a pull hands out of a collection
	// everyone may read (orgs, users) to what the caller needs offline:
	// the records this filter (an API-rule expression, read for the
	// caller) selects — the district's directory everyone picks from or
	// works with — and those the caller's other pulled records reference
	// (directory.go). The list rule still decides what may be seen.
	Directory string
}

// Table lists the synced collections. Pull returns only what the caller's
// list rule lets it see; push writes through the collection rules and the
// workflow hooks like REST does.
var Table = []Entry{
	{Collection: collections.Orgs, Dir: Down, Directory: orgsDirectory},
	{Collection: collections.Users, Dir: Down, Fields: collections.UserPublicFields, Directory: usersDirectory},
	{Collection: collections.CalendarDays, Dir: Down},
	{Collection: collections.Meetings, Dir: Up | Down},
	{Collection: collections.Issues, Dir: Up | Down},
	{Collection: collections.Applications, Dir: Up | Down},
	{Collection: collections.Signatures, Dir: Up | Down},
	{Collection: collections.Talks, Dir: Up | Down},
	{Collection: collections.Feedback, Dir: Up | Down},
}

// FeedOnly are collections in the change feed that tablets neither pull
// nor push: the PostgreSQL roll-up (package rollup) follows them too.
var FeedOnly = []string{collections.Supervisions, collections.Events}

// entry returns the Table entry of collection.
func entry(collection string) (Entry, bool) {
	i := slices.IndexFunc(Table, func(e Entry) bool { return e.Collection == collection })
	if i < 0 {
		return Entry{}, false
	}
	return Table[i], true
}

// Synced reports whether collection's writes land in the change feed.
func Synced(collection string) bool {
	_, ok := entry(collection)
	return ok || slices.Contains(FeedOnly, collection)
}

// Pushable reports whether tablets may write collection.
func Pushable(collection string) bool {
	e, ok := entry(collection)
	return ok && e.Dir&Up != 0
}

// workflowFields are the fields a stale edit never merges: the workflow's
// state machine decides them (see hooks.WorkflowFields).
func workflowFields(collection string) []string { return hooks.WorkflowFields(collection) }

// MinSchemaVersion is the oldest client protocol version still served
// (wire.SchemaVersion is the newest).
const MinSchemaVersion = 1

// The sync tables (see pb_migrations/1764000100_sync.go).
const (
	tableChanges   = "_sync_changes"
	tableMutations = "_sync_mutations"
	tableSessions  = "_sync_sessions"
	tableHeld      = "_sync_held"
	tableMeta      = "_sync_meta"
	tableEpochs    = "_sync_epochs" // see pb_migrations/1764001400_sync_epochs.go
)

// inList is "column IN (values)" with the values as one JSON parameter: a
// page's hundreds of ids as separate named parameters cost more to bind
// than the query takes.
func inList(column string, values []any) dbx.Expression {
	raw, _ := json.Marshal(values)
	return dbx.NewExp("[["+column+"]] IN (SELECT value FROM json_each({:inlist}))", dbx.Params{"inlist": string(raw)})
}

func downSynced(collection string) bool {
	e, ok := entry(collection)
	return ok && e.Dir&Down != 0
}

func nowText() string { return time.Now().UTC().Format("2006-01-02 15:04:05.000Z") }
