package hooks

import (
	"slices"

	"yuetan/collections"
	"yuetan/workflow"
)

// WorkflowFields returns the fields of collection that a client's edit
// never decides: the server-owned fields (collections.ServerFields) and,
// for applications, the status and the fields the transition table sets.
// The sync API never merges them on a stale edit; the hooks decide.
func WorkflowFields(collection string) []string {
	out := collections.ServerOwned(collection)
	if collection == collections.Applications {
		for _, t := range workflow.Table {
			if t.Via == workflow.ViaAppUpdate {
				out = append(out, t.Fields...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
