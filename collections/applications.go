package collections

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/workflow"
)

// Applications are the talk applications (《群众约谈登记申报表》), one matter each.
const (
	Applications   = "applications"
	ApplicationsID = "pbc_applications"

	AppSerial         = "serial"
	AppSerialYear     = "serial_year"
	AppSerialNo       = "serial_no"
	AppCommunity      = "community"
	AppApplicantKind  = "applicant_kind"
	AppContactName    = "contact_name"
	AppContactPhone   = "contact_phone"
	AppSubject        = "subject"
	AppCategory       = "category"
	AppDescription    = "description"
	AppRequest        = "request"
	AppAffectedCount  = "affected_count"
	AppTargetLeader   = "target_leader"
	AppTalkForm       = "talk_form"
	AppUrgent         = "urgent"
	AppLitigation     = "litigation_or_petition"
	AppIssues         = "issues"
	AppStatus         = "status"
	AppStreet         = "street"
	AppAssignedLeader = "assigned_leader"
	AppHandlingUnit   = "handling_unit"
	AppDecisionNote   = "decision_note"
	AppReviewDue      = "review_due"
	AppNoticeDue      = "notice_due"
	AppScheduleDue    = "schedule_due"
	AppHandlingDue    = "handling_due"
	AppPostponeReason = "postpone_reason"
	AppSubmittedAt    = "submitted_at"
	AppForwardedAt    = "forwarded_at"
	AppReviewedAt     = "reviewed_at"
	AppAcceptedAt     = "accepted_at"
	AppNotifiedAt     = "notified_at"
	AppScheduledAt    = "scheduled_at"
	AppResolvedAt     = "resolved_at"
	AppFeedbackAt     = "feedback_at"
	AppClosedAt       = "closed_at"
	AppArchivePDF     = "archive_pdf"
	AppSignedScan     = "signed_scan"
	AppNoticePDF      = "notice_pdf"

	// the clocks the deadline table (workflow.Stages) adds, and 签收
	AppStreetDue     = workflow.DeadlineStreet
	AppLeaderAckDue  = workflow.DeadlineLeaderAck
	AppTalkDue       = workflow.DeadlineTalk
	AppHandlerAckDue = workflow.DeadlineHandlerAck
	AppApprovalDue   = workflow.DeadlineApproval
	AppReplyDue      = workflow.DeadlineReply
	AppCloseDue      = workflow.DeadlineClose
	AppStageAt       = workflow.StageAt
	AppLeaderAckAt   = "leader_ack_at"
	AppHandlerAckAt  = "handler_ack_at"
	// 不满意: the last reply or the supervision office's 回访 was dissatisfied
	AppDissatisfied = "dissatisfied"
	// 退回: when and why the street returned the draft (cleared on resubmission)
	AppReturnedAt   = "returned_at"
	AppReturnReason = "return_reason"
	// 延期申请 by the handling unit
	AppExtensionDue    = "extension_due"
	AppExtensionReason = "extension_reason"
	AppExtensionState  = "extension_state"
)

// AppSignedScanMaxPixels bounds an image of the signed scan (see
// ImageBudgets): an A4 page scanned at 600 dpi is 35 megapixels.
const AppSignedScanMaxPixels = 40_000_000

// Indexes that find a leader's and a handling unit's applications.
const (
	AppTargetLeaderIndex = "idx_applications_target_leader"
	AppHandlingUnitIndex = "idx_applications_handling_unit"
	AppUpdatedIndex      = "idx_applications_updated"
)

// Applicant kinds (the vocabulary is workflow.ApplicantKinds).
const (
	ApplicantCommunity   = workflow.ApplicantCommunity
	ApplicantCooperative = workflow.ApplicantCooperative
	ApplicantResidents   = workflow.ApplicantResidents
)

// NewApplications builds applications. Who may change which status is the
// workflow table's business (pb_hooks calls it); these rules decide who may
// read and write at all.
func NewApplications() *core.Collection {
	c := core.NewBaseCollection(Applications, ApplicationsID)
	c.Fields.Add(
		text(AppSerial, 50, false),
		&core.NumberField{Name: AppSerialYear, OnlyInt: true},
		&core.NumberField{Name: AppSerialNo, OnlyInt: true},
		relation(AppCommunity, OrgsID, true),
		selectOne(AppApplicantKind, workflow.ApplicantKinds.Values(), true),
		text(AppContactName, 50, false),
		&core.TextField{Name: AppContactPhone, Max: 30, Pattern: `^[0-9+\- ]*$`},
		text(AppSubject, 200, true),
		selectOne(AppCategory, workflow.Categories, true),
		text(AppDescription, 20000, false),
		text(AppRequest, 5000, false),
		&core.NumberField{Name: AppAffectedCount, OnlyInt: true, Min: floatPtr(0)},
		relation(AppTargetLeader, UsersID, true),
		selectOne(AppTalkForm, workflow.TalkForms, false),
		&core.BoolField{Name: AppUrgent},
		&core.BoolField{Name: AppLitigation},
		&core.RelationField{Name: AppIssues, CollectionId: IssuesID, MaxSelect: 50},
		selectOne(AppStatus, workflow.Statuses, false),
		relation(AppStreet, OrgsID, false),
		relation(AppAssignedLeader, UsersID, false),
		relation(AppHandlingUnit, OrgsID, false),
		text(AppDecisionNote, 2000, false),
		&core.DateField{Name: AppReviewDue},
		&core.DateField{Name: AppNoticeDue},
		&core.DateField{Name: AppScheduleDue},
		&core.DateField{Name: AppHandlingDue},
		text(AppPostponeReason, 2000, false),
		&core.DateField{Name: AppSubmittedAt},
		&core.DateField{Name: AppForwardedAt},
		&core.DateField{Name: AppReviewedAt},
		&core.DateField{Name: AppAcceptedAt},
		&core.DateField{Name: AppNotifiedAt},
		&core.DateField{Name: AppScheduledAt},
		&core.DateField{Name: AppResolvedAt},
		&core.DateField{Name: AppFeedbackAt},
		&core.DateField{Name: AppClosedAt},
		&core.FileField{Name: AppArchivePDF, MaxSelect: 1, MaxSize: 20 << 20, MimeTypes: []string{"application/pdf"}, Protected: true},
		// the assignment notice as printed on acceptance (archive_pdf keeps the application form)
		&core.FileField{Name: AppNoticePDF, MaxSelect: 1, MaxSize: 20 << 20, MimeTypes: []string{"application/pdf"}, Protected: true},
		archivePending(AppArchivePDF, AppNoticePDF),
		// a scan or photo of the stamped paper form: AppSignedScanMaxPixels
		&core.FileField{Name: AppSignedScan, MaxSelect: 1, MaxSize: 20 << 20, MimeTypes: append([]string{"application/pdf"}, ImageMimeTypes...), Protected: true},
		&core.DateField{Name: AppStreetDue},
		&core.DateField{Name: AppLeaderAckDue},
		&core.DateField{Name: AppTalkDue},
		&core.DateField{Name: AppHandlerAckDue},
		&core.DateField{Name: AppApprovalDue},
		&core.DateField{Name: AppReplyDue},
		&core.DateField{Name: AppCloseDue},
		&core.DateField{Name: AppStageAt},
		&core.DateField{Name: AppLeaderAckAt},
		&core.DateField{Name: AppHandlerAckAt},
		&core.BoolField{Name: AppDissatisfied},
		&core.DateField{Name: AppReturnedAt},
		text(AppReturnReason, 2000, false),
		&core.DateField{Name: AppExtensionDue},
		text(AppExtensionReason, 2000, false),
		selectOne(AppExtensionState, workflow.ExtensionStates.Values(), false),
	)
	timestamps(c)
	c.AddIndex("idx_applications_serial", true, AppSerial, AppSerial+" != ''")
	c.AddIndex("idx_applications_community", false, AppCommunity, "")
	c.AddIndex("idx_applications_street", false, AppStreet, "")
	c.AddIndex("idx_applications_status", false, AppStatus, "")
	c.AddIndex("idx_applications_assigned_leader", false, AppAssignedLeader, "")
	// a leader's and a handling unit's lists (and the lists of what hangs on
	// their applications) are found through these: ListIndexes
	c.AddIndex(AppTargetLeaderIndex, false, AppTargetLeader, "")
	c.AddIndex(AppHandlingUnitIndex, false, AppHandlingUnit, "")
	// the figures leave out what has not changed since before their period
	c.AddIndex(AppUpdatedIndex, false, FieldUpdated, "")
	read := rule(readsApplication("")...)
	c.ListRule, c.ViewRule = read, read
	c.CreateRule = rule(and(roleIs(RoleCommunityStaff), "@request.body.community = @request.auth.org"))
	c.UpdateRule = rule(
		and(roleIs(RoleCommunityStaff), "community = @request.auth.org", staysInCommunity),
		and(roleIs(RoleStreetReviewer), "street = @request.auth.org"),
		roleIs(RoleWorkingGroup, RoleSupervisor),
		and(roleIs(RoleLeader), "assigned_leader = @request.auth.id"),
		// the handling unit acknowledges and asks for more time (the workflow table decides which fields)
		and(roleIs(RoleHandler), "handling_unit = @request.auth.org"),
	)
	c.DeleteRule = rule(and(roleIs(RoleCommunityStaff), "community = @request.auth.org", `status = "draft"`))
	return c
}

// applicationReaders says who may read an application: per role, the
// condition on the application's fields, written from the path p to it (""
// on applications itself, "application." from a record that points at
// one). The applications rule and the rules of the records about an
// application (issues' and talks' leaders and handlers, feedback, events,
// supervisions) are built from it, so none shows more of an application
// than the applications rule does. PocketBase does not apply the
// applications rule to an "application." join inside another collection's
// rule (only to client filters), so each rule must carry it.
func applicationReaders(p string) []struct{ role, cond string } {
	return []struct{ role, cond string }{
		{RoleCommunityStaff, p + "community = @request.auth.org"},
		// Grid workers collect co-signatures, so they see their community's
		// residents' drafts and nothing else of its applications.
		{RoleGridWorker, and(p+"community = @request.auth.org", p+`applicant_kind = "residents"`, p+`status = "draft"`)},
		{RoleStreetReviewer, p + "street = @request.auth.org"},
		{RoleWorkingGroup, ""},
		{RoleSupervisor, ""},
		// A leader named only as the target sees nothing of the matter
		// before the working group assigns it.
		{RoleLeader, and("("+p+"target_leader = @request.auth.id || "+p+"assigned_leader = @request.auth.id)", p+`assigned_leader != ""`)},
		{RoleHandler, p + "handling_unit = @request.auth.org"},
	}
}

// readsApplication returns the alternatives of a read rule that lets the
// given roles (all when none are given) read what is at path p exactly when
// they may read the application there (see applicationReaders). Roles
// without a condition are joined into one role check.
func readsApplication(p string, roles ...string) []string {
	var out, unconditional []string
	for _, r := range applicationReaders(p) {
		if len(roles) > 0 && !slices.Contains(roles, r.role) {
			continue
		}
		if r.cond == "" {
			unconditional = append(unconditional, r.role)
			continue
		}
		if len(unconditional) > 0 {
			out = append(out, roleIs(unconditional...))
			unconditional = nil
		}
		out = append(out, and(roleIs(r.role), r.cond))
	}
	if len(unconditional) > 0 {
		out = append(out, roleIs(unconditional...))
	}
	return out
}

// applicationReadableBy is role's condition for reading the application at
// path p ("" when the role reads every application); it panics for a role
// that reads none, a programming error.
func applicationReadableBy(p, role string) string {
	for _, r := range applicationReaders(p) {
		if r.role == role {
			return r.cond
		}
	}
	panic("collections: " + role + " reads no application")
}

// Application wraps an applications record.
type Application struct{ core.BaseRecordProxy }

// Status returns the application status.
func (a *Application) Status() string { return a.GetString(AppStatus) }

// SetStatus sets the application status.
func (a *Application) SetStatus(s string) { a.Set(AppStatus, s) }

// Community returns the applicant org id.
func (a *Application) Community() string { return a.GetString(AppCommunity) }

// Street returns the street org id (set on submission).
func (a *Application) Street() string { return a.GetString(AppStreet) }

// ApplicantKind returns community, cooperative or residents.
func (a *Application) ApplicantKind() string { return a.GetString(AppApplicantKind) }

// AssignedLeader returns the id of the leader the matter is assigned to.
func (a *Application) AssignedLeader() string { return a.GetString(AppAssignedLeader) }

// TargetLeader returns the id of the leader the applicant asked for.
func (a *Application) TargetLeader() string { return a.GetString(AppTargetLeader) }

// HandlingUnit returns the department org id handling the matter, if any.
func (a *Application) HandlingUnit() string { return a.GetString(AppHandlingUnit) }

// Serial returns the serial number, e.g. 约申〔2026〕第12号.
func (a *Application) Serial() string { return a.GetString(AppSerial) }

// Subject returns the matter's subject.
func (a *Application) Subject() string { return a.GetString(AppSubject) }

// NoticeDue returns the deadline for delivering the notice to the leader.
func (a *Application) NoticeDue() types.DateTime { return a.GetDateTime(AppNoticeDue) }

// ScheduleDue returns the deadline for the leader to schedule the talk.
func (a *Application) ScheduleDue() types.DateTime { return a.GetDateTime(AppScheduleDue) }

// HandlingDue returns the deadline for the handling unit.
func (a *Application) HandlingDue() types.DateTime { return a.GetDateTime(AppHandlingDue) }

// Urgent reports whether the matter is a special (urgent) one.
func (a *Application) Urgent() bool { return a.GetBool(AppUrgent) }

// Litigation reports whether the matter involves lawsuits or petitions (涉法涉访).
func (a *Application) Litigation() bool { return a.GetBool(AppLitigation) }
