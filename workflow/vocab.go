// Package workflow owns the process's vocabulary and its transition table:
// the roles, the application statuses, who may move an application from
// one status to another and what each move requires. It is pure: hooks in
// pb_hooks call it; it knows nothing of PocketBase.
package workflow

// Roles a user may hold.
const (
	RoleGridWorker     = "grid_worker"
	RoleCommunityStaff = "community_staff"
	RoleStreetReviewer = "street_reviewer"
	RoleWorkingGroup   = "working_group"
	RoleLeader         = "leader"
	RoleHandler        = "handler"
	RoleSupervisor     = "supervisor"
)

// RoleTerms are the roles in the order the UI shows them.
var RoleTerms = Terms{
	{Value: RoleGridWorker, Label: "网格员"},
	{Value: RoleCommunityStaff, Label: "社区工作人员"},
	{Value: RoleStreetReviewer, Label: "街道审核人"},
	{Value: RoleWorkingGroup, Label: "专门工作小组"},
	{Value: RoleLeader, Label: "被约谈领导"},
	{Value: RoleHandler, Label: "承办人"},
	{Value: RoleSupervisor, Label: "督查"},
}

// Roles lists every role; RoleLabels are their Chinese names.
var (
	Roles      = RoleTerms.Values()
	RoleLabels = RoleTerms.Labels()
)

// Application statuses.
const (
	StatusNew               = "" // before the record exists
	StatusDraft             = "draft"
	StatusSubmitted         = "submitted"
	StatusStreetResolved    = "street_resolved"
	StatusForwarded         = "forwarded"
	StatusDeclined          = "declined"
	StatusAccepted          = "accepted"
	StatusNotified          = "notified"
	StatusScheduled         = "scheduled"
	StatusInHandling        = "in_handling"
	StatusFeedbackSubmitted = "feedback_submitted"
	StatusFeedbackApproved  = "feedback_approved"
	StatusResolved          = "resolved"
	StatusReplied           = "replied"
	StatusClosed            = "closed"
)

// StatusTerms are the application statuses in process order.
var StatusTerms = Terms{
	{Value: StatusDraft, Label: "草稿"},
	{Value: StatusSubmitted, Label: "已报街道"},
	{Value: StatusStreetResolved, Label: "街道已解决"},
	{Value: StatusForwarded, Label: "已报专门工作小组"},
	{Value: StatusDeclined, Label: "不予受理（按一般来信处理）"},
	{Value: StatusAccepted, Label: "已受理"},
	{Value: StatusNotified, Label: "已交办领导"},
	{Value: StatusScheduled, Label: "已商定约谈"},
	{Value: StatusInHandling, Label: "交办办理中"},
	{Value: StatusFeedbackSubmitted, Label: "已反馈待审核"},
	{Value: StatusFeedbackApproved, Label: "反馈已审核"},
	{Value: StatusResolved, Label: "已解决"},
	{Value: StatusReplied, Label: "已答复约谈主体"},
	{Value: StatusClosed, Label: "已销号"},
}

// Statuses lists every status; StatusLabels are their Chinese names.
var (
	Statuses     = StatusTerms.Values()
	StatusLabels = StatusTerms.Labels()
)

// Content categories an application may be about.
const (
	CategoryPartyGovWork      = "party_gov_work"
	CategoryCadreConduct      = "cadre_conduct"
	CategoryCommunityBuilding = "community_building"
	CategoryOtherHot          = "other_hot"
)

// CategoryTerms are the four admissible content categories.
var CategoryTerms = Terms{
	{Value: CategoryPartyGovWork, Label: "对党委政府工作的意见建议"},
	{Value: CategoryCadreConduct, Label: "干部作风和效能建设"},
	{Value: CategoryCommunityBuilding, Label: "本社区建设"},
	{Value: CategoryOtherHot, Label: "其他热点难点问题"},
}

// Categories lists the categories; CategoryLabels are their Chinese names.
var (
	Categories     = CategoryTerms.Values()
	CategoryLabels = CategoryTerms.Labels()
)

// Talk forms.
const (
	TalkInvite     = "invite"
	TalkVisit      = "visit"
	TalkGroup      = "group"
	TalkIndividual = "individual"
	TalkJoint      = "joint"
)

// TalkFormTerms are the five talk forms.
var TalkFormTerms = Terms{
	{Value: TalkInvite, Label: "请上来谈"},
	{Value: TalkVisit, Label: "上门约谈"},
	{Value: TalkGroup, Label: "集体约谈"},
	{Value: TalkIndividual, Label: "单独约谈"},
	{Value: TalkJoint, Label: "联合约谈"},
}

// TalkForms lists the talk forms; TalkFormLabels are their Chinese names.
var (
	TalkForms      = TalkFormTerms.Values()
	TalkFormLabels = TalkFormTerms.Labels()
)

// Applicant kinds (约谈主体).
const (
	ApplicantCommunity   = "community"
	ApplicantCooperative = "cooperative"
	ApplicantResidents   = "residents"
)

// ApplicantKinds are who may apply: a community, a cooperative, or at
// least ten residents co-signing.
var ApplicantKinds = Terms{
	{Value: ApplicantCommunity, Label: "社区"},
	{Value: ApplicantCooperative, Label: "股份经济合作社"},
	{Value: ApplicantResidents, Label: "居民联名（10人以上）", Printed: "居民联名"},
}

// IssueKinds are what a collected issue is.
var IssueKinds = Terms{{Value: "problem", Label: "问题"}, {Value: "suggestion", Label: "意见建议"}}

// IssueSources are where an issue was collected.
var IssueSources = Terms{
	{Value: "door_to_door", Label: "入户走访"},
	{Value: "meeting", Label: "恳谈会议"},
	{Value: "hotline", Label: "热线"},
	{Value: "other", Label: "其他"},
}

// IssueStatuses are where an issue stands (the workflow moves linked ones).
var IssueStatuses = Terms{
	{Value: "open", Label: "待处理"},
	{Value: "in_application", Label: "已纳入约谈申请"},
	{Value: "resolved", Label: "已解决"},
	{Value: "closed", Label: "已办结"},
}

// MeetingKinds are the communities' collection meetings.
var MeetingKinds = Terms{
	{Value: "wuju", Label: "物居恳谈会"},
	{Value: "xiaoxiang", Label: "小巷公议会"},
	{Value: "other", Label: "其他会议"},
}

// SupervisionKinds are the supervision office's records.
var SupervisionKinds = Terms{
	{Value: "reminder", Label: "督办提醒"},
	{Value: "overdue", Label: "超期"},
	{Value: "bulletin", Label: "督查通报"},
	{Value: "closed", Label: "销号"},
	{Value: "criticism", Label: "通报批评"},
	{Value: "accountability", Label: "问责"},
	{Value: "follow_up", Label: "督查回访"},
}

// LeaderRanks are the two ranks of leaders residents may summon.
var LeaderRanks = Terms{
	{Value: "four_teams", Label: "区四套班子领导"},
	{Value: "district_chief", Label: "区管党政正职"},
}

// Talk outcomes.
const (
	OutcomeOnSpot    = "on_spot"
	OutcomeAssigned  = "assigned"
	OutcomeExplained = "explained"
)

// Outcomes are how a talk ends (处理方式).
var Outcomes = Terms{
	{Value: OutcomeOnSpot, Label: "现场解决"},
	{Value: OutcomeAssigned, Label: "交办解决"},
	{Value: OutcomeExplained, Label: "解释说明"},
}

// Feedback leader decisions.
const (
	DecisionPending  = "pending"
	DecisionApproved = "approved"
	DecisionReturned = "returned"
)

// LeaderDecisions are the leader's decisions on a unit's feedback.
var LeaderDecisions = Terms{
	{Value: DecisionPending, Label: "待领导审核"},
	{Value: DecisionApproved, Label: "同意"},
	{Value: DecisionReturned, Label: "退回重新办理"},
}

// Satisfaction of the applicant with the result (满意度).
const (
	SatisfactionSatisfied    = "satisfied"
	SatisfactionBasically    = "basically_satisfied"
	SatisfactionDissatisfied = "dissatisfied"
)

// Satisfactions are what the applicant says of the result.
var Satisfactions = Terms{
	{Value: SatisfactionSatisfied, Label: "满意"},
	{Value: SatisfactionBasically, Label: "基本满意"},
	{Value: SatisfactionDissatisfied, Label: "不满意"},
}

// FieldLabels name the application's fields for people (forms, messages).
var FieldLabels = map[string]string{
	"status":                 "状态",
	"decision_note":          "处理意见",
	"urgent":                 "特殊约谈事项（紧急）",
	"litigation_or_petition": "涉法涉访",
	"assigned_leader":        "接受约谈的领导",
	"schedule_due":           "新的商定期限",
	"postpone_reason":        "延期理由（书面说明）",
	"subject":                "约谈事项",
	"category":               "内容类别",
	"description":            "情况说明",
	"request":                "约谈诉求",
	"target_leader":          "约谈对象",
	"talk_form":              "约谈形式",
	"applicant_kind":         "约谈主体",
	"contact_name":           "联系人",
	"contact_phone":          "联系电话",
	"affected_count":         "涉及群众人数",
	"issues":                 "关联问题",
}

// MinCoSigners is how many distinct residents a residents' application needs.
const MinCoSigners = 10

// Term is one value of the process's vocabulary and what people see.
type Term struct {
	Value string `json:"value"`
	Label string `json:"label"`
	// Printed is the wording on the official forms where it is not Label.
	Printed string `json:"printed,omitempty"`
}

// Terms is one ordered vocabulary: the values a field takes, their
// labels on screen and on paper. The schema, the hooks, the PDFs and the
// web app (GET /api/workflow) all take it from here.
type Terms []Term

// Values lists the terms' values in order.
func (ts Terms) Values() []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Value
	}
	return out
}

// Labels maps each value to its label.
func (ts Terms) Labels() map[string]string {
	out := make(map[string]string, len(ts))
	for _, t := range ts {
		out[t.Value] = t.Label
	}
	return out
}

// Label returns value's label ("" when value is none of the terms).
func (ts Terms) Label(value string) string {
	for _, t := range ts {
		if t.Value == value {
			return t.Label
		}
	}
	return ""
}

// PrintedLabel returns value's wording on the official forms.
func (ts Terms) PrintedLabel(value string) string {
	for _, t := range ts {
		if t.Value == value {
			if t.Printed != "" {
				return t.Printed
			}
			return t.Label
		}
	}
	return ""
}
