package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/workflow"
)

// actorOf returns who saves the record of a save-level event.
func actorOf(e *core.RecordEvent) savectx.Actor { return savectx.Of(e.Context, e.Record) }

// actorRole returns the workflow role the actor acts in: superusers act as
// the working group; the system has no role.
func actorRole(a savectx.Actor) string {
	switch {
	case a.Record == nil:
		return ""
	case a.IsSuperuser():
		return workflow.RoleWorkingGroup
	default:
		return a.Record.GetString(collections.UserRole)
	}
}

// actorOrg returns the actor's org id ("" for superusers and the system).
func actorOrg(a savectx.Actor) string {
	if a.Record == nil || a.IsSuperuser() {
		return ""
	}
	return a.Record.GetString(collections.UserOrg)
}
