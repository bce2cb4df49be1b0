package collections

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/workflow"
)

// Meetings records a community's collection meetings (物居恳谈会, 小巷公议会 …).
const (
	Meetings   = "meetings"
	MeetingsID = "pbc_meetings"

	MeetingCommunity = "community"
	MeetingKind      = "kind"
	MeetingHeldOn    = "held_on"
	MeetingAttendees = "attendees"
	MeetingNotes     = "notes"
	MeetingTitle     = "title"
)

// MeetingHeldOnIndex finds a period's meetings.
const MeetingHeldOnIndex = "idx_meetings_held_on"

// NewMeetings builds meetings: the community's own grid workers and staff
// write them; the street above, the working group and supervisors read them.
func NewMeetings() *core.Collection {
	c := core.NewBaseCollection(Meetings, MeetingsID)
	c.Fields.Add(
		relation(MeetingCommunity, OrgsID, true),
		selectOne(MeetingKind, workflow.MeetingKinds.Values(), true),
		&core.DateField{Name: MeetingHeldOn, Required: true},
		&core.NumberField{Name: MeetingAttendees, OnlyInt: true, Min: floatPtr(0)},
		text(MeetingTitle, 200, false),
		text(MeetingNotes, 5000, false),
	)
	timestamps(c)
	c.AddIndex("idx_meetings_community", false, MeetingCommunity, "")
	c.AddIndex(MeetingHeldOnIndex, false, MeetingHeldOn, "") // the figures count a period's
	read := rule(
		and(communityRoles, "community = @request.auth.org"),
		and(roleIs(RoleStreetReviewer), "community.parent = @request.auth.org"),
		districtWide,
	)
	c.ListRule, c.ViewRule = read, read
	c.CreateRule = rule(and(communityRoles, "@request.body.community = @request.auth.org"))
	c.UpdateRule = rule(and(communityRoles, "community = @request.auth.org", staysInCommunity))
	c.DeleteRule = rule(and(communityRoles, "community = @request.auth.org"))
	return c
}

// staysInCommunity forbids moving a record to another community.
const staysInCommunity = `(@request.body.community:isset = false || @request.body.community = @request.auth.org)`

func floatPtr(f float64) *float64 { return &f }
