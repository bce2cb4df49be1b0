package collections

import "slices"

// A ServerField is a field no client sets: the server decides it. A
// client's value is dropped on create (the hooks then set the server's);
// on update the stored value stays when Kept, and otherwise the workflow
// decides (its transition and edit tables refuse a client's change).
type ServerField struct {
	Collection string
	Name       string
	// Author fields take the writer's own id on create (none for a
	// superuser): who collected, signed up, supervised, held the talk.
	Author bool
	// Kept fields keep their stored value whatever an update sends.
	Kept bool
}

// ServerFields lists every server-owned field. The save hooks clear them
// for every writer but the system, and the sync merge never merges them.
var ServerFields = []ServerField{
	{Collection: Issues, Name: IssueCollectedBy, Author: true, Kept: true},
	{Collection: Issues, Name: IssueApplication, Kept: true}, // only the workflow links an issue
	{Collection: Issues, Name: IssueStatus},                  // starts open

	{Collection: Signatures, Name: SigCollectedBy, Author: true, Kept: true},

	{Collection: Supervisions, Name: SupCreatedBy, Author: true, Kept: true},
	// whom a record is aimed at and in which stage: the holder's, by the deadline table
	{Collection: Supervisions, Name: SupTargetUser, Kept: true},
	{Collection: Supervisions, Name: SupTargetOrg, Kept: true},
	{Collection: Supervisions, Name: SupTargetRole, Kept: true},
	{Collection: Supervisions, Name: SupStatus, Kept: true},

	{Collection: Applications, Name: AppStatus}, // starts as a draft; moves are the workflow's
	{Collection: Applications, Name: AppSerial},
	{Collection: Applications, Name: AppSerialYear},
	{Collection: Applications, Name: AppSerialNo},
	{Collection: Applications, Name: AppStreet},
	{Collection: Applications, Name: AppAssignedLeader},
	{Collection: Applications, Name: AppHandlingUnit},
	{Collection: Applications, Name: AppDecisionNote},
	{Collection: Applications, Name: AppReviewDue},
	{Collection: Applications, Name: AppNoticeDue},
	{Collection: Applications, Name: AppScheduleDue},
	{Collection: Applications, Name: AppHandlingDue},
	{Collection: Applications, Name: AppPostponeReason},
	{Collection: Applications, Name: AppSubmittedAt},
	{Collection: Applications, Name: AppForwardedAt},
	{Collection: Applications, Name: AppReviewedAt},
	{Collection: Applications, Name: AppAcceptedAt},
	{Collection: Applications, Name: AppNotifiedAt},
	{Collection: Applications, Name: AppScheduledAt},
	{Collection: Applications, Name: AppResolvedAt},
	{Collection: Applications, Name: AppFeedbackAt},
	{Collection: Applications, Name: AppClosedAt},
	{Collection: Applications, Name: AppArchivePDF},
	{Collection: Applications, Name: AppNoticePDF},
	{Collection: Applications, Name: ArchivePending, Kept: true}, // the forms queue's
	// the clocks (workflow.Stages), 签收, 不满意, 退回, 延期: a client's 签收 or
	// extension request is a move the workflow checks, its time the server's
	{Collection: Applications, Name: AppStreetDue},
	{Collection: Applications, Name: AppLeaderAckDue},
	{Collection: Applications, Name: AppTalkDue},
	{Collection: Applications, Name: AppHandlerAckDue},
	{Collection: Applications, Name: AppApprovalDue},
	{Collection: Applications, Name: AppReplyDue},
	{Collection: Applications, Name: AppCloseDue},
	{Collection: Applications, Name: AppStageAt},
	{Collection: Applications, Name: AppLeaderAckAt},
	{Collection: Applications, Name: AppHandlerAckAt},
	{Collection: Applications, Name: AppDissatisfied},
	{Collection: Applications, Name: AppReturnedAt},
	{Collection: Applications, Name: AppReturnReason},
	{Collection: Applications, Name: AppExtensionDue},
	{Collection: Applications, Name: AppExtensionReason},
	{Collection: Applications, Name: AppExtensionState},

	{Collection: Talks, Name: TalkLeader, Author: true},
	{Collection: Talks, Name: TalkOutcome},
	{Collection: Talks, Name: TalkHeldAt},
	{Collection: Talks, Name: TalkHandlingUnit},
	{Collection: Talks, Name: TalkResponsible},
	{Collection: Talks, Name: TalkHandlingDue},
	{Collection: Talks, Name: TalkArchivePDF},
	{Collection: Talks, Name: ArchivePending, Kept: true},

	{Collection: Feedback, Name: FbUnit},
	{Collection: Feedback, Name: FbSubmittedBy, Author: true},
	{Collection: Feedback, Name: FbTalk},
	{Collection: Feedback, Name: FbLeaderDecision},
	{Collection: Feedback, Name: FbLeaderComment},
	{Collection: Feedback, Name: FbDecidedAt},
	{Collection: Feedback, Name: FbRepliedOn},
	{Collection: Feedback, Name: FbSatisfaction},
	{Collection: Feedback, Name: FbApplicantComment},
	{Collection: Feedback, Name: FbArchivePDF},
	{Collection: Feedback, Name: ArchivePending, Kept: true},
}

// ServerOwned returns the names of collection's server-owned fields, sorted.
func ServerOwned(collection string) []string {
	var out []string
	for _, f := range ServerFields {
		if f.Collection == collection {
			out = append(out, f.Name)
		}
	}
	slices.Sort(out)
	return out
}
