package workflow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/samber/lo"
)

// Via names the write that performs a transition.
type Via string

// The writes that move an application.
const (
	ViaAppCreate      Via = "applications.create"
	ViaAppUpdate      Via = "applications.update"
	ViaTalkCreate     Via = "talks.create"
	ViaTalkUpdate     Via = "talks.update"
	ViaFeedbackCreate Via = "feedback.create"
	ViaFeedbackUpdate Via = "feedback.update"
)

// Scope says whose application the actor must be acting on.
type Scope int

// Scopes.
const (
	ScopeAny            Scope = iota // any application (district-wide roles)
	ScopeCommunity                   // the actor's org is the applicant
	ScopeStreet                      // the actor's org is the application's street
	ScopeAssignedLeader              // the actor is the assigned leader
	ScopeHandlingUnit                // the actor's org is the handling unit
)

var scopeLabels = map[Scope]string{
	ScopeCommunity:      "本社区（合作社）的申请",
	ScopeStreet:         "本街道辖区的申请",
	ScopeAssignedLeader: "交办给您本人的事项",
	ScopeHandlingUnit:   "交由本单位承办的事项",
}

// Transition is one row of the workflow table.
type Transition struct {
	Action string // stable name, e.g. "submit"
	Label  string // what people see
	From   string
	To     string // equal to From for in-place actions (delegate, postpone)
	Roles  []string
	Scope  Scope
	Via    Via
	// Fields are the fields the actor sets with this move — the
	// application's besides status for applications.update, the talk's for
	// talks.update — any other change in the same write is refused.
	Fields []string
	// NoteRequired: decision_note (or the comment field) must be given.
	NoteRequired bool
	// Sets are values the write must give fields (two in-place moves on
	// the same field told apart: approve or refuse an extension).
	Sets map[string]string
	// When are conditions on the application's fields besides its status:
	// field → value it must hold ("" unset; a leading "!" negates). Unless
	// says in Chinese why the move is refused when one fails.
	When   map[string]string
	Unless string
	// Caution, on a move that sends the matter back or refuses it, says
	// what it undoes: people are asked to confirm it, and it never looks
	// like the moves that take the matter forward.
	Caution string
}

// Holds reports whether the application meets t's When conditions.
func (t Transition) Holds(s Subject) bool {
	for f, want := range t.When {
		got := s.Fields[f]
		if strings.HasPrefix(want, "!") {
			if got == want[1:] {
				return false
			}
		} else if got != want {
			return false
		}
	}
	return true
}

// WhenFields lists the application fields the table's conditions read.
func WhenFields() []string {
	var out []string
	for _, t := range Table {
		for f := range t.When {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Table is the workflow: every allowed move, who may make it and how.
var Table = []Transition{
	{Action: "create", Label: "新建约谈申请", From: StatusNew, To: StatusDraft, Roles: []string{RoleCommunityStaff}, Scope: ScopeCommunity, Via: ViaAppCreate},
	{Action: "submit", Label: "报送街道", From: StatusDraft, To: StatusSubmitted, Roles: []string{RoleCommunityStaff}, Scope: ScopeCommunity, Via: ViaAppUpdate},
	{Action: "street_resolve", Label: "街道层面解决", From: StatusSubmitted, To: StatusStreetResolved, Roles: []string{RoleStreetReviewer}, Scope: ScopeStreet, Via: ViaAppUpdate, Fields: []string{"decision_note"}},
	{Action: "forward", Label: "上报专门工作小组", From: StatusSubmitted, To: StatusForwarded, Roles: []string{RoleStreetReviewer}, Scope: ScopeStreet, Via: ViaAppUpdate, Fields: []string{"decision_note", "urgent"}},
	{Action: "return", Label: "退回社区", From: StatusSubmitted, To: StatusDraft, Roles: []string{RoleStreetReviewer}, Scope: ScopeStreet, Via: ViaAppUpdate, Fields: []string{"decision_note"}, NoteRequired: true,
		Caution: "申请将退回社区，回到草稿，须由社区修改后重新报送；退回理由社区可见。"},
	{Action: "accept", Label: "受理并确定约谈领导", From: StatusForwarded, To: StatusAccepted, Roles: []string{RoleWorkingGroup}, Scope: ScopeAny, Via: ViaAppUpdate, Fields: []string{"assigned_leader", "decision_note", "urgent"}},
	{Action: "decline", Label: "不予受理（按一般来信处理）", From: StatusForwarded, To: StatusDeclined, Roles: []string{RoleWorkingGroup}, Scope: ScopeAny, Via: ViaAppUpdate, Fields: []string{"decision_note", "litigation_or_petition"}, NoteRequired: true,
		Caution: "不予受理后，这件事项不列入群众约谈，按一般来信处理并向约谈主体反馈；此决定不能撤回。"},
	{Action: "notify", Label: "交办通知单送达领导", From: StatusAccepted, To: StatusNotified, Roles: []string{RoleWorkingGroup}, Scope: ScopeAny, Via: ViaAppUpdate, Fields: []string{"decision_note"}},
	{Action: "delegate", Label: "指定分管领导或部门负责人接受约谈", From: StatusNotified, To: StatusNotified, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaAppUpdate, Fields: []string{"assigned_leader", "decision_note"}},
	{Action: "postpone", Label: "延期商定（书面说明）", From: StatusNotified, To: StatusNotified, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaAppUpdate, Fields: []string{"schedule_due", "postpone_reason"}},
	{Action: "acknowledge", Label: "签收交办通知", From: StatusNotified, To: StatusNotified, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaAppUpdate, Fields: []string{"leader_ack_at"},
		When: map[string]string{"leader_ack_at": ""}, Unless: "交办通知已经签收过了。"},
	{Action: "schedule", Label: "商定约谈时间、地点和形式", From: StatusNotified, To: StatusScheduled, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaTalkCreate},
	{Action: "resolve_on_spot", Label: "约谈并现场解决", From: StatusScheduled, To: StatusResolved, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaTalkUpdate,
		Fields: TalkRecordFields},
	{Action: "assign", Label: "约谈并交办承办单位", From: StatusScheduled, To: StatusInHandling, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaTalkUpdate,
		Fields: append(slices.Clone(TalkRecordFields), "handling_unit", "responsible", "handling_due")},
	{Action: "acknowledge", Label: "签收交办事项", From: StatusInHandling, To: StatusInHandling, Roles: []string{RoleHandler}, Scope: ScopeHandlingUnit, Via: ViaAppUpdate, Fields: []string{"handler_ack_at"},
		When: map[string]string{"handler_ack_at": ""}, Unless: "交办事项已经签收过了。"},
	{Action: "request_extension", Label: "申请延期办结", From: StatusInHandling, To: StatusInHandling, Roles: []string{RoleHandler}, Scope: ScopeHandlingUnit, Via: ViaAppUpdate, Fields: []string{"extension_due", "extension_reason"},
		When: map[string]string{"extension_state": "!" + ExtensionPending}, Unless: "上一次延期申请尚待领导审批，请等待审批结果。"},
	{Action: "approve_extension", Label: "同意延期", From: StatusInHandling, To: StatusInHandling, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaAppUpdate,
		Fields: []string{"extension_state", "decision_note"}, Sets: map[string]string{"extension_state": ExtensionApproved},
		When: map[string]string{"extension_state": ExtensionPending}, Unless: "没有待审批的延期申请。"},
	{Action: "refuse_extension", Label: "不同意延期", From: StatusInHandling, To: StatusInHandling, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaAppUpdate,
		Fields: []string{"extension_state", "decision_note"}, Sets: map[string]string{"extension_state": ExtensionRefused}, NoteRequired: true,
		When: map[string]string{"extension_state": ExtensionPending}, Unless: "没有待审批的延期申请。"},
	{Action: "submit_feedback", Label: "提交办理情况反馈", From: StatusInHandling, To: StatusFeedbackSubmitted, Roles: []string{RoleHandler}, Scope: ScopeHandlingUnit, Via: ViaFeedbackCreate},
	{Action: "approve_feedback", Label: "审核同意反馈", From: StatusFeedbackSubmitted, To: StatusFeedbackApproved, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaFeedbackUpdate},
	{Action: "return_feedback", Label: "退回重新办理", From: StatusFeedbackSubmitted, To: StatusInHandling, Roles: []string{RoleLeader}, Scope: ScopeAssignedLeader, Via: ViaFeedbackUpdate, NoteRequired: true,
		Caution: "反馈将退回承办单位重新办理，办结时限照旧计算；退回意见承办单位可见。"},
	{Action: "reply", Label: "向约谈主体反馈结果", From: StatusFeedbackApproved, To: StatusReplied, Roles: []string{RoleCommunityStaff, RoleWorkingGroup}, Scope: ScopeCommunity, Via: ViaFeedbackUpdate},
	{Action: "redo", Label: "不满意，退回重办", From: StatusReplied, To: StatusInHandling, Roles: []string{RoleSupervisor, RoleWorkingGroup}, Scope: ScopeAny, Via: ViaAppUpdate,
		Fields: []string{"decision_note", "handling_due"}, NoteRequired: true,
		When: map[string]string{"dissatisfied": "true"}, Unless: "只有约谈主体答复或督查回访为“不满意”的事项才能退回重办；满意的事项请销号。"},
	{Action: "close", Label: "销号", From: StatusStreetResolved, To: StatusClosed, Roles: []string{RoleSupervisor}, Scope: ScopeAny, Via: ViaAppUpdate, Fields: []string{"decision_note"}},
	{Action: "close", Label: "销号", From: StatusDeclined, To: StatusClosed, Roles: []string{RoleSupervisor}, Scope: ScopeAny, Via: ViaAppUpdate, Fields: []string{"decision_note"}},
	{Action: "close", Label: "销号", From: StatusResolved, To: StatusClosed, Roles: []string{RoleSupervisor}, Scope: ScopeAny, Via: ViaAppUpdate, Fields: []string{"decision_note"}},
	{Action: "close", Label: "销号", From: StatusReplied, To: StatusClosed, Roles: []string{RoleSupervisor}, Scope: ScopeAny, Via: ViaAppUpdate, Fields: []string{"decision_note"}},
}

// Extension states (延期申请).
const (
	ExtensionPending  = "pending"
	ExtensionApproved = "approved"
	ExtensionRefused  = "refused"
)

// ExtensionStates are where an extension request stands.
var ExtensionStates = Terms{
	{Value: ExtensionPending, Label: "延期待审批"},
	{Value: ExtensionApproved, Label: "延期已同意"},
	{Value: ExtensionRefused, Label: "延期未同意"},
}

// Actor is who attempts a move.
type Actor struct {
	ID   string
	Role string // superusers act as the working group
	Org  string
}

// Subject is what the scope checks need of an application.
type Subject struct {
	Community      string
	Street         string
	AssignedLeader string
	HandlingUnit   string
	// Fields are the application's values of WhenFields, as strings.
	Fields map[string]string
}

// Error is a refused move, with a message for people.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func label(status string) string {
	if status == StatusNew {
		return "新建"
	}
	if l, ok := StatusLabels[status]; ok {
		return l
	}
	return status
}

// CanTransition returns the table row that lets actor move an application
// from → to through via, or an Error saying in Chinese why not.
func CanTransition(from, to string, via Via, actor Actor, subject Subject) (Transition, error) {
	candidates := lo.Filter(Table, func(t Transition, _ int) bool { return t.From == from && t.To == to && t.Via == via })
	if len(candidates) == 0 {
		return Transition{}, &Error{"transition_not_allowed", fmt.Sprintf("不允许的状态变更：申请不能从“%s”变为“%s”。", label(from), label(to))}
	}
	var roleErr, scopeErr, whenErr error
	for _, t := range candidates {
		if !slices.Contains(t.Roles, actor.Role) {
			roleErr = &Error{"role_not_allowed", fmt.Sprintf("“%s”只能由%s办理，您的角色是%s。", t.Label, roleList(t.Roles), roleName(actor.Role))}
			continue
		}
		if !InScope(t.Scope, actor, subject) {
			scopeErr = &Error{"out_of_scope", fmt.Sprintf("“%s”只能针对%s。", t.Label, scopeLabels[t.Scope])}
			continue
		}
		if !t.Holds(subject) {
			whenErr = &Error{"condition_not_met", t.Unless}
			continue
		}
		return t, nil
	}
	if whenErr != nil {
		return Transition{}, whenErr
	}
	if scopeErr != nil {
		return Transition{}, scopeErr
	}
	return Transition{}, roleErr
}

// InScope reports whether actor acts within scope on subject. The working
// group may act on any application where a community's staff may (the
// reply to the applicant).
func InScope(scope Scope, actor Actor, s Subject) bool {
	switch scope {
	case ScopeCommunity:
		return actor.Role == RoleWorkingGroup || (actor.Org != "" && actor.Org == s.Community)
	case ScopeStreet:
		return actor.Org != "" && actor.Org == s.Street
	case ScopeAssignedLeader:
		return actor.ID != "" && actor.ID == s.AssignedLeader
	case ScopeHandlingUnit:
		return actor.Org != "" && actor.Org == s.HandlingUnit
	}
	return true
}

// Available lists the moves actor may make now on an application in status from.
func Available(from string, actor Actor, subject Subject) []Transition {
	return lo.Filter(Table, func(t Transition, _ int) bool {
		return t.From == from && slices.Contains(t.Roles, actor.Role) && InScope(t.Scope, actor, subject) && t.Holds(subject)
	})
}

// Open reports whether an application in status is still being worked on.
func Open(status string) bool {
	switch status {
	case StatusStreetResolved, StatusDeclined, StatusResolved, StatusClosed:
		return false
	}
	return true
}

func roleName(r string) string {
	if l, ok := RoleLabels[r]; ok {
		return l
	}
	if r == "" {
		return "未登录"
	}
	return r
}

func roleList(roles []string) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = roleName(r)
	}
	return strings.Join(names, "或")
}

// Edit is a change of plain fields (no status move) a role may make.
type Edit struct {
	Collection string
	Roles      []string
	Statuses   []string // application statuses in which the edit is allowed; nil = any
	Scope      Scope
	Fields     []string
}

// TalkRecordFields are what the leader writes when recording a talk held
// (the leader who recorded it is the server's to set, never the client's).
var TalkRecordFields = []string{"outcome", "held_at", "participants", "record", "response", "recorder"}

// DraftFields are the application's content fields, editable while a draft.
var DraftFields = []string{
	"applicant_kind", "contact_name", "contact_phone", "subject", "category", "description",
	"request", "affected_count", "target_leader", "talk_form", "urgent", "litigation_or_petition", "issues",
}

// Edits lists every plain edit of the workflow's records.
var Edits = []Edit{
	{Collection: "applications", Roles: []string{RoleCommunityStaff}, Statuses: []string{StatusDraft}, Scope: ScopeCommunity, Fields: DraftFields},
	// the scanned, signed and stamped paper copy may be attached at any stage
	{Collection: "applications", Roles: []string{RoleCommunityStaff}, Scope: ScopeCommunity, Fields: []string{"signed_scan"}},
	// while reviewing, the working group may mark a matter urgent or 涉法涉访
	{Collection: "applications", Roles: []string{RoleWorkingGroup}, Statuses: []string{StatusForwarded}, Scope: ScopeAny, Fields: []string{"urgent", "litigation_or_petition", "decision_note"}},
	{Collection: "talks", Roles: []string{RoleLeader}, Statuses: []string{StatusScheduled, StatusInHandling, StatusFeedbackSubmitted, StatusFeedbackApproved, StatusResolved, StatusReplied},
		Scope: ScopeAssignedLeader, Fields: []string{"scheduled_at", "place", "form", "participants", "record", "response", "recorder"}},
	{Collection: "feedback", Roles: []string{RoleHandler}, Statuses: []string{StatusFeedbackSubmitted}, Scope: ScopeHandlingUnit, Fields: []string{"result", "measures", "completed_on", "proof"}},
}

// AllowedEdits lists the plain edits actor may make now on an application
// in status (and its talks and feedback).
func AllowedEdits(status string, actor Actor, subject Subject) []Edit {
	return lo.Filter(Edits, func(e Edit, _ int) bool { return e.applies(status, actor) && InScope(e.Scope, actor, subject) })
}

// applies reports whether the edit is the actor's role's in status (its
// scope aside).
func (e Edit) applies(status string, actor Actor) bool {
	return slices.Contains(e.Roles, actor.Role) && (e.Statuses == nil || slices.Contains(e.Statuses, status))
}

// CanEdit checks that actor may change fields of a record of collection
// belonging to an application in status.
func CanEdit(collection, status string, fields []string, actor Actor, subject Subject) error {
	var scopeErr error
	for _, e := range Edits {
		if e.Collection != collection || !e.applies(status, actor) {
			continue
		}
		if !lo.Every(e.Fields, fields) {
			continue
		}
		if !InScope(e.Scope, actor, subject) {
			scopeErr = &Error{"out_of_scope", fmt.Sprintf("只能修改%s。", scopeLabels[e.Scope])}
			continue
		}
		return nil
	}
	if scopeErr != nil {
		return scopeErr
	}
	return &Error{"edit_not_allowed", fmt.Sprintf("申请处于“%s”状态，%s不能修改这些内容：%s。", label(status), roleName(actor.Role), strings.Join(fields, "、"))}
}
