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

// Roles lists every role in the order the UI shows them.
var Roles = []string{
	RoleGridWorker, RoleCommunityStaff, RoleStreetReviewer,
	RoleWorkingGroup, RoleLeader, RoleHandler, RoleSupervisor,
}

// RoleLabels are the Chinese names people see.
var RoleLabels = map[string]string{
	RoleGridWorker:     "网格员",
	RoleCommunityStaff: "社区工作人员",
	RoleStreetReviewer: "街道审核人",
	RoleWorkingGroup:   "专门工作小组",
	RoleLeader:         "被约谈领导",
	RoleHandler:        "承办人",
	RoleSupervisor:     "督查",
}

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

// Statuses lists every application status in process order.
var Statuses = []string{
	StatusDraft, StatusSubmitted, StatusStreetResolved, StatusForwarded,
	StatusDeclined, StatusAccepted, StatusNotified, StatusScheduled,
	StatusInHandling, StatusFeedbackSubmitted, StatusFeedbackApproved,
	StatusResolved, StatusReplied, StatusClosed,
}

// StatusLabels are the Chinese names people see.
var StatusLabels = map[string]string{
	StatusDraft:             "草稿",
	StatusSubmitted:         "已报街道",
	StatusStreetResolved:    "街道已解决",
	StatusForwarded:         "已报专门工作小组",
	StatusDeclined:          "不予受理（按一般来信处理）",
	StatusAccepted:          "已受理",
	StatusNotified:          "已交办领导",
	StatusScheduled:         "已商定约谈",
	StatusInHandling:        "交办办理中",
	StatusFeedbackSubmitted: "已反馈待审核",
	StatusFeedbackApproved:  "反馈已审核",
	StatusResolved:          "已解决",
	StatusReplied:           "已答复约谈主体",
	StatusClosed:            "已销号",
}

// Content categories an application may be about.
const (
	CategoryPartyGovWork      = "party_gov_work"
	CategoryCadreConduct      = "cadre_conduct"
	CategoryCommunityBuilding = "community_building"
	CategoryOtherHot          = "other_hot"
)

// Categories lists the four admissible content categories.
var Categories = []string{CategoryPartyGovWork, CategoryCadreConduct, CategoryCommunityBuilding, CategoryOtherHot}

// CategoryLabels are the Chinese names of the categories.
var CategoryLabels = map[string]string{
	CategoryPartyGovWork:      "对党委政府工作的意见建议",
	CategoryCadreConduct:      "干部作风和效能建设",
	CategoryCommunityBuilding: "本社区建设",
	CategoryOtherHot:          "其他热点难点问题",
}

// TalkForms are the five talk forms.
var TalkForms = []string{"invite", "visit", "group", "individual", "joint"}

// TalkFormLabels are the Chinese names of the talk forms.
var TalkFormLabels = map[string]string{
	"invite":     "请上来谈",
	"visit":      "上门约谈",
	"group":      "集体约谈",
	"individual": "单独约谈",
	"joint":      "联合约谈",
}

// Talk outcomes.
const (
	OutcomeOnSpot    = "on_spot"
	OutcomeAssigned  = "assigned"
	OutcomeExplained = "explained"
)

// Feedback leader decisions.
const (
	DecisionPending  = "pending"
	DecisionApproved = "approved"
	DecisionReturned = "returned"
)

// MinCoSigners is how many distinct residents a residents' application needs.
const MinCoSigners = 10
