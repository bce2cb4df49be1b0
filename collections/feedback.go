package collections

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/workflow"
)

// Feedback is the handling unit's report (《群众约谈事项办理情况反馈表》), the
// leader's approval and the reply to the applicant.
const (
	Feedback   = "feedback"
	FeedbackID = "pbc_feedback"

	FbApplication      = "application"
	FbTalk             = "talk"
	FbUnit             = "unit"
	FbResult           = "result"
	FbMeasures         = "measures"
	FbCompletedOn      = "completed_on"
	FbSubmittedBy      = "submitted_by"
	FbLeaderDecision   = "leader_decision"
	FbLeaderComment    = "leader_comment"
	FbDecidedAt        = "decided_at"
	FbRepliedOn        = "replied_on"
	FbSatisfaction     = "satisfaction"
	FbApplicantComment = "applicant_comment"
	FbArchivePDF       = "archive_pdf"
	// FbProof are photos and documents of the completed work (办理佐证)
	FbProof = "proof"
)

// FbProofMaxFiles bounds the proof files of one feedback.
const FbProofMaxFiles = 10

// FbProofMimeTypes are what proof may be: the issue photos' image types,
// PDF and office documents.
var FbProofMimeTypes = append(slices.Clone(ImageMimeTypes), "application/pdf",
	"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

// NewFeedback builds feedback: filed by a handler of the handling unit,
// decided by the leader, replied by the applicant community (or the
// working group).
func NewFeedback() *core.Collection {
	c := core.NewBaseCollection(Feedback, FeedbackID)
	c.Fields.Add(
		relation(FbApplication, ApplicationsID, true),
		relation(FbTalk, TalksID, false),
		relation(FbUnit, OrgsID, false),
		text(FbResult, 20000, true),
		text(FbMeasures, 20000, false),
		&core.DateField{Name: FbCompletedOn},
		relation(FbSubmittedBy, UsersID, false),
		selectOne(FbLeaderDecision, workflow.LeaderDecisions.Values(), false),
		text(FbLeaderComment, 5000, false),
		&core.DateField{Name: FbDecidedAt},
		&core.DateField{Name: FbRepliedOn},
		selectOne(FbSatisfaction, workflow.Satisfactions.Values(), false),
		text(FbApplicantComment, 5000, false),
		// the feedback form as printed when the leader approved it (package forms)
		&core.FileField{Name: FbArchivePDF, MaxSelect: 1, MaxSize: 20 << 20, MimeTypes: []string{"application/pdf"}, Protected: true},
		archivePending(FbArchivePDF),
		// the issue photos' budgets: 5 MB a file, IssuePhotoMaxPixels an image (ImageBudgets)
		&core.FileField{Name: FbProof, MaxSelect: FbProofMaxFiles, MaxSize: 5 << 20, MimeTypes: FbProofMimeTypes, Protected: true, Thumbs: []string{"320x240"}},
	)
	timestamps(c)
	c.AddIndex("idx_feedback_application", false, FbApplication, "")
	read := rule(append(readsApplication("application.", RoleCommunityStaff, RoleStreetReviewer, RoleWorkingGroup, RoleSupervisor, RoleLeader),
		// the unit that filed a report reads it, and the unit now handling the matter
		and(roleIs(RoleHandler), "(unit = @request.auth.org || "+applicationReadableBy("application.", RoleHandler)+")"),
	)...)
	c.ListRule, c.ViewRule = read, read
	c.CreateRule = rule(and(roleIs(RoleHandler), "@request.body.application.handling_unit = @request.auth.org"))
	keepsApp := "(@request.body.application:isset = false || @request.body.application = application)"
	c.UpdateRule = rule(
		and(roleIs(RoleHandler), "unit = @request.auth.org", keepsApp),
		and(roleIs(RoleLeader), "application.assigned_leader = @request.auth.id", keepsApp),
		and(roleIs(RoleCommunityStaff), "application.community = @request.auth.org", keepsApp),
		and(roleIs(RoleWorkingGroup), keepsApp),
	)
	return c
}
