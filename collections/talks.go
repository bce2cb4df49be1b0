package collections

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/workflow"
)

// Talks are the talks themselves (《群众约谈情况登记表》): scheduled, held,
// recorded, and resolved on the spot or assigned to a handling unit.
const (
	Talks   = "talks"
	TalksID = "pbc_talks"

	TalkApplication  = "application"
	TalkLeader       = "leader"
	TalkScheduledAt  = "scheduled_at"
	TalkPlace        = "place"
	TalkForm         = "form"
	TalkParticipants = "participants"
	TalkRecord       = "record"
	TalkResponse     = "response"
	TalkOutcome      = "outcome"
	TalkHeldAt       = "held_at"
	TalkHandlingUnit = "handling_unit"
	TalkResponsible  = "responsible"
	TalkHandlingDue  = "handling_due"
	TalkRecorder     = "recorder"
	TalkArchivePDF   = "archive_pdf"
)

// NewTalks builds talks: created and recorded by the assigned leader; read by
// the applicant community, its street, the district offices and the
// handling unit.
func NewTalks() *core.Collection {
	c := core.NewBaseCollection(Talks, TalksID)
	c.Fields.Add(
		relation(TalkApplication, ApplicationsID, true),
		relation(TalkLeader, UsersID, false),
		&core.DateField{Name: TalkScheduledAt, Required: true},
		text(TalkPlace, 200, true),
		selectOne(TalkForm, workflow.TalkForms, true),
		text(TalkParticipants, 2000, false),
		text(TalkRecord, 20000, false),
		text(TalkResponse, 20000, false),
		selectOne(TalkOutcome, workflow.Outcomes.Values(), false),
		&core.DateField{Name: TalkHeldAt},
		relation(TalkHandlingUnit, OrgsID, false),
		relation(TalkResponsible, UsersID, false),
		&core.DateField{Name: TalkHandlingDue},
		text(TalkRecorder, 50, false),
		// the talk record as printed when the talk was recorded (package forms)
		&core.FileField{Name: TalkArchivePDF, MaxSelect: 1, MaxSize: 20 << 20, MimeTypes: []string{"application/pdf"}, Protected: true},
		archivePending(TalkArchivePDF),
	)
	timestamps(c)
	c.AddIndex("idx_talks_application", false, TalkApplication, "")
	read := rule(append(readsApplication("application.", RoleCommunityStaff, RoleStreetReviewer, RoleWorkingGroup, RoleSupervisor),
		// a leader reads the talks it held and those of the matters it may read
		and(roleIs(RoleLeader), "(leader = @request.auth.id || ("+applicationReadableBy("application.", RoleLeader)+"))"),
		// the unit a talk assigned reads it
		and(roleIs(RoleHandler), "handling_unit = @request.auth.org"),
	)...)
	c.ListRule, c.ViewRule = read, read
	c.CreateRule = rule(and(roleIs(RoleLeader), "@request.body.application.assigned_leader = @request.auth.id"))
	c.UpdateRule = rule(and(roleIs(RoleLeader), "leader = @request.auth.id",
		"(@request.body.application:isset = false || @request.body.application = application)"))
	return c
}
