// Package collections owns the schema as code: one file per collection with
// its name, field names, builder (fields, indexes, API rules) and a typed
// record wrapper. Migrations apply it; nothing else passes bare field names.
package collections

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/workflow"
)

// Shared field names present on every collection we own.
const (
	FieldID      = "id"
	FieldCreated = "created"
	FieldUpdated = "updated"
)

// Role names, re-exported so schema code reads naturally.
const (
	RoleGridWorker     = workflow.RoleGridWorker
	RoleCommunityStaff = workflow.RoleCommunityStaff
	RoleStreetReviewer = workflow.RoleStreetReviewer
	RoleWorkingGroup   = workflow.RoleWorkingGroup
	RoleLeader         = workflow.RoleLeader
	RoleHandler        = workflow.RoleHandler
	RoleSupervisor     = workflow.RoleSupervisor
)

// rule returns a pointer to an API rule built from alternatives joined by OR.
func rule(alternatives ...string) *string {
	if len(alternatives) == 1 {
		return types.Pointer(alternatives[0])
	}
	parts := make([]string, 0, len(alternatives))
	for _, a := range alternatives {
		parts = append(parts, "("+a+")")
	}
	return types.Pointer(strings.Join(parts, " || "))
}

// roleIs is a rule fragment true when the caller holds one of roles.
func roleIs(roles ...string) string {
	parts := make([]string, 0, len(roles))
	for _, r := range roles {
		parts = append(parts, fmt.Sprintf("@request.auth.role = %q", r))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// and joins rule fragments with AND.
func and(parts ...string) string { return strings.Join(parts, " && ") }

// Frequently used rule fragments.
var (
	signedIn       = `@request.auth.id != ""`
	communityRoles = roleIs(RoleGridWorker, RoleCommunityStaff)
	districtWide   = roleIs(RoleWorkingGroup, RoleSupervisor)
)

// timestamps adds the created/updated autodate fields every collection carries.
func timestamps(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: FieldCreated, OnCreate: true},
		&core.AutodateField{Name: FieldUpdated, OnCreate: true, OnUpdate: true},
	)
}

// relation returns a single relation field to the collection with id target.
func relation(name, target string, required bool) *core.RelationField {
	return &core.RelationField{Name: name, CollectionId: target, MaxSelect: 1, Required: required}
}

// text returns a plain text field with a maximum length.
func text(name string, max int, required bool) *core.TextField {
	return &core.TextField{Name: name, Max: max, Required: required}
}

// selectOne returns a single-value select field.
func selectOne(name string, values []string, required bool) *core.SelectField {
	return &core.SelectField{Name: name, Values: values, MaxSelect: 1, Required: required}
}

// All returns every collection this server owns, in creation order.
func All() []*core.Collection {
	return []*core.Collection{
		NewOrgs(),
		NewUsers(),
		NewCalendarDays(),
		NewMeetings(),
		NewIssues(),
		NewApplications(),
		NewSignatures(),
		NewTalks(),
		NewFeedback(),
		NewSupervisions(),
		NewEvents(),
	}
}

// Apply creates or updates every collection of All in app.
//
// Relations and rules may point at collections created later (issues and
// applications point at each other), so the first pass saves each
// collection with its plain fields, the second adds relations and indexes,
// and the third the API rules, which may follow any relation.
func Apply(app core.App) error {
	all := All()
	passes := []func(have, want *core.Collection){
		func(have, want *core.Collection) {
			for _, f := range want.Fields {
				if _, isRelation := f.(*core.RelationField); !isRelation {
					addField(have, f)
				}
			}
		},
		func(have, want *core.Collection) {
			for _, f := range want.Fields {
				addField(have, f)
			}
			have.Indexes = mergeIndexes(append(types.JSONArray[string]{}, want.Indexes...), have.Indexes)
		},
		func(have, want *core.Collection) {
			have.ListRule, have.ViewRule = want.ListRule, want.ViewRule
			have.CreateRule, have.UpdateRule, have.DeleteRule = want.CreateRule, want.UpdateRule, want.DeleteRule
		},
	}
	for i, pass := range passes {
		for _, want := range all {
			have, _ := app.FindCollectionByNameOrId(want.Id)
			if have == nil {
				have = core.NewCollection(want.Type, want.Name, want.Id)
			}
			pass(have, want)
			if err := app.Save(have); err != nil {
				return fmt.Errorf("collection %s (pass %d): %w", want.Name, i+1, err)
			}
		}
	}
	return nil
}

// addField adds f to c, keeping the id of a same-named existing field.
func addField(c *core.Collection, f core.Field) {
	if old := c.Fields.GetByName(f.GetName()); old != nil {
		f.SetId(old.GetId())
	}
	c.Fields.Add(f)
}

func mergeIndexes(want types.JSONArray[string], have []string) types.JSONArray[string] {
	seen := map[string]bool{}
	for _, idx := range want {
		seen[idx] = true
	}
	for _, idx := range have {
		if !seen[idx] {
			want = append(want, idx)
			seen[idx] = true
		}
	}
	return want
}

// ChangedFields lists the fields whose value this save changes against the
// stored record (system fields aside).
func ChangedFields(rec *core.Record) []string {
	old := rec.Original()
	var out []string
	for _, f := range rec.Collection().Fields {
		n := f.GetName()
		if n == FieldCreated || n == FieldUpdated || n == FieldID {
			continue
		}
		if fmt.Sprint(old.Get(n)) != fmt.Sprint(rec.Get(n)) {
			out = append(out, n)
		}
	}
	return out
}
