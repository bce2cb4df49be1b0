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
)

// Supervision kinds.
const (
	SupReminder       = "reminder"
	SupOverdue        = "overdue"
	SupBulletin       = "bulletin"
	SupClosed         = "closed"
	SupCriticism      = "criticism"
	SupAccountability = "accountability"
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
	)
	timestamps(c)
	c.AddIndex("idx_supervisions_application", false, SupApplication, "")
	c.AddIndex("idx_supervisions_flag", true, SupApplication+", "+SupKind+", "+SupDeadline+", "+SupDueOn,
		SupDeadline+" != ''")
	read := rule(readsApplication("application.", RoleWorkingGroup, RoleSupervisor, RoleLeader, RoleHandler)...)
	c.ListRule, c.ViewRule = read, read
	c.CreateRule = rule(roleIs(RoleSupervisor))
	return c
}
