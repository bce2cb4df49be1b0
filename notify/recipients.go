package notify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	hooks "yuetan/pb_hooks"
	"yuetan/savectx"
	"yuetan/workflow"
)

// aim says whom a kind of supervision record reaches.
type aim struct {
	// actors: the people the transition table lets act on the application
	// now, who have it in their queue (待我办理).
	actors bool
	// unit: the handling unit's handlers too, when the matter has one
	// (criticism of 承办不力 is the unit's even while its feedback waits
	// for the leader).
	unit bool
}

// aims is the one table of who hears of what. Closures (销号) and records
// about no application (a month's bulletin) reach nobody's inbox.
var aims = map[string]aim{
	collections.SupReminder:       {actors: true},
	collections.SupOverdue:        {actors: true},
	collections.SupBulletin:       {actors: true},
	collections.SupCriticism:      {actors: true, unit: true},
	collections.SupAccountability: {actors: true, unit: true},
}

// Recipients returns the users the supervision record sup is aimed at,
// the author excepted, in id order: derived from the application's status,
// assigned leader, handling unit and community through the transition
// table, the same rule that fills each person's queue.
func Recipients(app core.App, sup *core.Record, application *core.Record) ([]*core.Record, error) {
	a, ok := aims[sup.GetString(collections.SupKind)]
	if !ok || application == nil {
		return nil, nil
	}
	status := application.GetString(collections.AppStatus)
	subject := hooks.SubjectOf(application)
	var roles []string
	for _, t := range workflow.Table {
		if a.actors && t.From == status {
			roles = append(roles, t.Roles...)
		}
	}
	if a.unit && subject.HandlingUnit != "" {
		roles = append(roles, workflow.RoleHandler)
	}
	slices.Sort(roles)
	roles = slices.Compact(roles)
	if len(roles) == 0 {
		return nil, nil
	}
	candidates, err := app.FindAllRecords(collections.Users, dbx.In(collections.UserRole, anys(roles)...))
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	author := sup.GetString(collections.SupCreatedBy)
	var out []*core.Record
	for _, u := range candidates {
		if u.Id == author {
			continue
		}
		actor := hooks.WorkflowActor(savectx.Actor{Record: u})
		acts := a.actors && len(workflow.Available(status, actor, subject)) > 0
		inUnit := a.unit && actor.Role == workflow.RoleHandler && workflow.InScope(workflow.ScopeHandlingUnit, actor, subject)
		if acts || inUnit {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(x, y *core.Record) int { return strings.Compare(x.Id, y.Id) })
	return out, nil
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
