package collections

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/workflow"
)

// Supervisions are the supervision office's records (督办): reminders and
// overdue flags (written by the deadline job), bulletins, closures,
// criticism and accountability.
const (
	Supervisions   = "supervisions"
	SupervisionsID = "pbc_supervisions"

	SupApplication = "application"
	SupKind        = "kind"
	SupNote        = "note"
	SupCreatedBy   = "created_by"
	SupDeadline    = "deadline"
	SupDueOn       = "due_on"
	// whom the record is aimed at: the holder of the application's stage
	// when it was written (server-set, for the queue and the inbox)
	SupTargetUser = "target_user"
	SupTargetOrg  = "target_org"
	SupTargetRole = "target_role"
	SupStatus     = "status" // the application's status when it was written
	// Repeat confirms a second identical reminder on the same day.
	SupRepeat = "repeat"
	// Satisfaction is the 回访's finding (kind follow_up).
	SupSatisfaction = "satisfaction"
)

// Supervision kinds.
const (
	SupReminder       = "reminder"
	SupOverdue        = "overdue"
	SupBulletin       = "bulletin"
	SupClosed         = "closed"
	SupCriticism      = "criticism"
	SupAccountability = "accountability"
	SupFollowUp       = "follow_up"
)

// NewSupervisions builds supervisions: created by supervisors (and the
// deadline job), read by the district offices and by the leader and unit
// that may read the application it is about; never edited or deleted
// through the API.
func NewSupervisions() *core.Collection {
	c := core.NewBaseCollection(Supervisions, SupervisionsID)
	c.Fields.Add(
		relation(SupApplication, ApplicationsID, false),
		selectOne(SupKind, workflow.SupervisionKinds.Values(), true),
		text(SupNote, 5000, false),
		relation(SupCreatedBy, UsersID, false),
		// deadline names which deadline a reminder/overdue flag is about
		// (notice_due, schedule_due, handling_due, review_due) and due_on
		// its date, so the job flags each deadline once.
		text(SupDeadline, 30, false),
		text(SupDueOn, 10, false),
		relation(SupTargetUser, UsersID, false),
		relation(SupTargetOrg, OrgsID, false),
		text(SupTargetRole, 30, false),
		text(SupStatus, 30, false),
		&core.BoolField{Name: SupRepeat},
		selectOne(SupSatisfaction, workflow.Satisfactions.Values(), false),
	)
	timestamps(c)
	c.AddIndex("idx_supervisions_application", false, SupApplication, "")
	c.AddIndex("idx_supervisions_target_user", false, SupTargetUser, "")
	c.AddIndex("idx_supervisions_target_org", false, SupTargetOrg, "")
	c.AddIndex("idx_supervisions_flag", true, SupApplication+", "+SupKind+", "+SupDeadline+", "+SupDueOn,
		SupDeadline+" != ''")
	read := rule(append(readsApplication("application.", RoleWorkingGroup, RoleSupervisor, RoleLeader, RoleHandler),
		// a community or street reads what is aimed at it, of the matters it may read
		and(roleIs(RoleCommunityStaff), "target_org = @request.auth.org", applicationReadableBy("application.", RoleCommunityStaff)),
		and(roleIs(RoleStreetReviewer), "target_org = @request.auth.org", applicationReadableBy("application.", RoleStreetReviewer)),
	)...)
	c.ListRule, c.ViewRule = read, read
	c.CreateRule = rule(roleIs(RoleSupervisor))
	return c
}
