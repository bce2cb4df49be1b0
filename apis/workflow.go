package apis

import (
	"net/http"

	pbapis "github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/samber/lo"

	"yuetan/collections"
	hooks "yuetan/pb_hooks"
	"yuetan/savectx"
	"yuetan/workflow"
)

// The web app reads the workflow from the server, so the transition table
// and its labels stay in one place (workflow.Table):
//
//	GET /api/workflow                       the vocabulary, the table and the edit table
//	GET /api/workflow/available/{id}        the moves the caller may make now on an application

// transitionJSON is one row of workflow.Table as the web app sees it.
type transitionJSON struct {
	Action       string            `json:"action"`
	Label        string            `json:"label"`
	From         string            `json:"from"`
	To           string            `json:"to"`
	Roles        []string          `json:"roles"`
	Scope        string            `json:"scope"`
	Via          string            `json:"via"`
	Fields       []string          `json:"fields"`
	NoteRequired bool              `json:"noteRequired"`
	Deadline     string            `json:"deadline,omitempty"`
	Days         int               `json:"days,omitempty"`
	Sets         map[string]string `json:"sets,omitempty"`
	When         map[string]string `json:"when,omitempty"`
	Unless       string            `json:"unless,omitempty"`
	Caution      string            `json:"caution,omitempty"`
}

// stageJSON is one row of workflow.Stages as the web app sees it.
type stageJSON struct {
	Field   string `json:"field"`
	Status  string `json:"status"`
	Start   string `json:"start"`
	Stop    string `json:"stop,omitempty"`
	Clock   string `json:"clock"`
	Days    int    `json:"days,omitempty"`
	Setting string `json:"setting,omitempty"`
	Label   string `json:"label"`
	Role    string `json:"holderRole"`
	Scope   string `json:"holderScope"`
	Done    string `json:"done,omitempty"`
}

func stagesJSON() []stageJSON {
	out := make([]stageJSON, 0, len(workflow.Stages))
	for _, s := range workflow.Stages {
		days := s.Length()
		if s.Clock != workflow.ClockWorkdays && s.Clock != workflow.ClockReview {
			days = 0
		}
		out = append(out, stageJSON{s.Field, s.Status, s.Start, s.Stop, string(s.Clock), days, s.Setting, s.Label,
			s.Holder.Role, scopeNames[s.Holder.Scope], s.Done})
	}
	return out
}

// startedClock is the counted clock a move into another status starts.
func startedClock(t workflow.Transition) (string, int) {
	if t.From == t.To {
		return "", 0
	}
	for _, s := range workflow.StagesIn(t.To) {
		if s.Stop == "" && s.Clock == workflow.ClockWorkdays {
			return s.Field, s.Length()
		}
	}
	return "", 0
}

type editJSON struct {
	Collection string   `json:"collection"`
	Roles      []string `json:"roles"`
	Statuses   []string `json:"statuses"`
	Scope      string   `json:"scope"`
	Fields     []string `json:"fields"`
}

var scopeNames = map[workflow.Scope]string{
	workflow.ScopeAny:            "any",
	workflow.ScopeCommunity:      "community",
	workflow.ScopeStreet:         "street",
	workflow.ScopeAssignedLeader: "assigned_leader",
	workflow.ScopeHandlingUnit:   "handling_unit",
}

// statusDeadlines names the application date field that is the main
// running deadline while an application waits in a status (for queues
// and colours); "stages" has every clock.
func statusDeadlines() map[string]string {
	out := map[string]string{}
	for _, s := range workflow.Statuses {
		if f := workflow.OpenDeadline(s); f != "" {
			out[s] = f
		}
	}
	return out
}

func transitionsJSON(ts []workflow.Transition) []transitionJSON {
	return lo.Map(ts, func(t workflow.Transition, _ int) transitionJSON {
		deadline, days := startedClock(t)
		return transitionJSON{
			Action: t.Action, Label: t.Label, From: t.From, To: t.To, Roles: t.Roles,
			Scope: scopeNames[t.Scope], Via: string(t.Via), Fields: lo.CoalesceSliceOrEmpty(t.Fields),
			NoteRequired: t.NoteRequired, Deadline: deadline, Days: days,
			Sets: t.Sets, When: t.When, Unless: t.Unless, Caution: t.Caution,
		}
	})
}

// workflowDocument is the whole read-only workflow, the same for everyone.
func editsJSON(es []workflow.Edit) []editJSON {
	return lo.Map(es, func(e workflow.Edit, _ int) editJSON {
		return editJSON{e.Collection, e.Roles, lo.CoalesceSliceOrEmpty(e.Statuses), scopeNames[e.Scope], e.Fields}
	})
}

func workflowDocument() map[string]any {
	edits := editsJSON(workflow.Edits)
	open := lo.SliceToMap(workflow.Statuses, func(s string) (string, bool) { return s, workflow.Open(s) })
	return map[string]any{
		// the vocabulary, all of it
		"roles":            workflow.RoleTerms,
		"statuses":         workflow.StatusTerms,
		"categories":       workflow.CategoryTerms,
		"talkForms":        workflow.TalkFormTerms,
		"applicantKinds":   workflow.ApplicantKinds,
		"issueKinds":       workflow.IssueKinds,
		"issueSources":     workflow.IssueSources,
		"issueStatuses":    workflow.IssueStatuses,
		"meetingKinds":     workflow.MeetingKinds,
		"outcomes":         workflow.Outcomes,
		"supervisionKinds": workflow.SupervisionKinds,
		"leaderDecisions":  workflow.LeaderDecisions,
		"leaderRanks":      workflow.LeaderRanks,
		"satisfaction":     workflow.Satisfactions,
		"fieldLabels":      workflow.FieldLabels,
		"deadlineLabels":   workflow.DeadlineLabels,
		"extensionStates":  workflow.ExtensionStates,
		// the rules
		"open":         open,
		"transitions":  transitionsJSON(workflow.Table),
		"edits":        edits,
		"deadlines":    statusDeadlines(),
		"stages":       stagesJSON(),
		"minCoSigners": workflow.MinCoSigners,
		"eligibility":  workflow.Eligibility,
		"fitsOrg":      workflow.FitsOrg,
		"eligible":     workflow.Eligible,
	}
}

// bindWorkflowApi serves the workflow to the web app.
func bindWorkflowApi(app core.App, rg *router.RouterGroup[*core.RequestEvent]) {
	sub := rg.Group("/workflow")
	sub.GET("", workflowView)
	sub.GET("/available/{id}", availableMoves).Bind(pbapis.RequireAuth())
}

// workflowView answers the whole read-only workflow, the same for everyone.
func workflowView(e *core.RequestEvent) error {
	return e.JSON(http.StatusOK, workflowDocument())
}

// availableMoves answers the moves the caller may make now on the
// application, if the caller may view it at all (else 404, as the REST API).
func availableMoves(e *core.RequestEvent) error {
	rec, err := e.App.FindRecordById(collections.Applications, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("约谈申请不存在或您无权查看。", nil)
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.BadRequestError("", err)
	}
	if !e.Auth.IsSuperuser() {
		ok, err := e.App.CanAccessRecord(rec, info, rec.Collection().ViewRule)
		if err != nil || !ok {
			return e.NotFoundError("约谈申请不存在或您无权查看。", nil)
		}
	}
	status := rec.GetString(collections.AppStatus)
	actor := hooks.WorkflowActor(savectx.Actor{Record: e.Auth})
	out := map[string]any{
		"application": rec.Id,
		"status":      status,
		"moves":       transitionsJSON(workflow.Available(status, actor, hooks.SubjectOf(rec))),
		"edits":       editsJSON(workflow.AllowedEdits(status, actor, hooks.SubjectOf(rec))),
	}
	if status == workflow.StatusDraft {
		checks, err := hooks.Eligibility(e.App, rec)
		if err != nil {
			return e.InternalServerError("", err)
		}
		out["eligibility"] = checks
	}
	return e.JSON(http.StatusOK, out)
}
