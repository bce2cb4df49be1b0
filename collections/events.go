package collections

import "github.com/pocketbase/pocketbase/core"

// Events is the append-only audit trail: one row per workflow transition,
// written in the same transaction as the save it records.
const (
	Events   = "events"
	EventsID = "pbc_events"

	EvApplication      = "application"
	EvRecordCollection = "record_collection"
	EvRecordID         = "record_id"
	EvActor            = "actor"
	EvActorName        = "actor_name"
	EvAction           = "action"
	EvFromStatus       = "from_status"
	EvToStatus         = "to_status"
	EvNote             = "note"
)

// EventsCreatedIndex finds a period's events.
const EventsCreatedIndex = "idx_events_created"

// NewEvents builds events: read by those who may read the application
// (grid workers aside);
// written only by the server; no API may update or delete one.
func NewEvents() *core.Collection {
	c := core.NewBaseCollection(Events, EventsID)
	c.Fields.Add(
		relation(EvApplication, ApplicationsID, false),
		text(EvRecordCollection, 50, false),
		text(EvRecordID, 50, false),
		relation(EvActor, UsersID, false),
		text(EvActorName, 100, false),
		text(EvAction, 50, true),
		text(EvFromStatus, 30, false),
		text(EvToStatus, 30, false),
		text(EvNote, 5000, false),
	)
	timestamps(c)
	c.AddIndex("idx_events_application", false, EvApplication+", "+FieldCreated, "")
	// the figures read a period's moves
	c.AddIndex(EventsCreatedIndex, false, FieldCreated, "")
	// an event tells the application's story (the street's notes included):
	// exactly those who may read the application read it, grid workers aside
	read := rule(readsApplication("application.", RoleCommunityStaff, RoleStreetReviewer,
		RoleWorkingGroup, RoleSupervisor, RoleLeader, RoleHandler)...)
	c.ListRule, c.ViewRule = read, read
	return c
}
