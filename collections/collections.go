// Package collections owns the schema as code: one file per collection with
// its name, field names, builder (fields, indexes, API rules) and a typed
// record wrapper: the schema as it is today. Nothing passes bare field
// names. The migrations in pb_migrations bring a database to it, change by
// change (they never read it).
package collections

import (
	"encoding/json"
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

// Apply imports what collections/ declares today into app: every
// collection of All, the users' and superusers' Chinese mails. It is for
// blank apps (tests, the schema check in pb_migrations); a migration never
// calls it, since a released migration must not change in effect with the
// code. A change here ships as a delta migration in pb_migrations (adding
// a field: the field in its builder, and a migration that adds it).
func Apply(app core.App) error {
	all := All()
	data := make([]map[string]any, 0, len(all))
	for _, c := range all {
		if c.Name == Users {
			SetChineseMail(c)
		}
		declared, err := declaredProperties(c)
		if err != nil {
			return fmt.Errorf("collection %s: %w", c.Name, err)
		}
		data = append(data, declared)
	}
	if err := app.ImportCollections(data, false); err != nil {
		return fmt.Errorf("import collections: %w", err)
	}
	superusers, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return fmt.Errorf("superusers: %w", err)
	}
	SetChineseMail(superusers)
	if err := app.Save(superusers); err != nil {
		return fmt.Errorf("superusers' mail: %w", err)
	}
	return nil
}

// declaredProperties is c in PocketBase's import format without the
// options c leaves at their defaults, so that importing it keeps what an
// existing collection has there (PocketBase's own users collection maps
// its OAuth2 name and avatar), as a migration editing it would.
func declaredProperties(c *core.Collection) (map[string]any, error) {
	toMap := func(v any) (map[string]json.RawMessage, error) {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		m := map[string]json.RawMessage{}
		return m, json.Unmarshal(raw, &m)
	}
	have, err := toMap(c)
	if err != nil {
		return nil, err
	}
	blank, err := toMap(core.NewCollection(c.Type, c.Name, c.Id))
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range have {
		switch k {
		case FieldCreated, FieldUpdated: // unset: the import keeps All's order
			continue
		case "id", "name", "type", "fields", "indexes", "listRule", "viewRule", "createRule", "updateRule", "deleteRule":
		default:
			if string(v) == string(blank[k]) {
				continue
			}
		}
		var value any
		if err := json.Unmarshal(v, &value); err != nil {
			return nil, err
		}
		out[k] = value
	}
	return out, nil
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
