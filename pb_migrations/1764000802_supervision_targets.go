package migrations

import (
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
)

// Reminders that reach the responsible (issue 12): each supervision
// record is aimed at the holder of its matter's stage (user, org, role)
// and notes the stage's status; repeat confirms a second reminder the
// same day; the office's own 回访 (kind follow_up) records a
// satisfaction. A community or street reads what is aimed at it.
func init() {
	kinds := []string{"reminder", "overdue", "bulletin", "closed", "criticism", "accountability"}
	m.Register(func(app core.App) error {
		return update(app, collections.SupervisionsID, func(c *core.Collection) error {
			c.Fields.Add(
				&core.RelationField{Name: "target_user", CollectionId: collections.UsersID, MaxSelect: 1},
				&core.RelationField{Name: "target_org", CollectionId: collections.OrgsID, MaxSelect: 1},
				&core.TextField{Name: "target_role", Max: 30},
				&core.TextField{Name: "status", Max: 30},
				&core.BoolField{Name: "repeat"},
				&core.SelectField{Name: "satisfaction", Values: []string{"satisfied", "basically_satisfied", "dissatisfied"}, MaxSelect: 1},
			)
			kind, ok := c.Fields.GetByName("kind").(*core.SelectField)
			if !ok {
				return fmt.Errorf("supervisions.kind is not a select field")
			}
			kind.Values = append(slices.Clone(kinds), "follow_up")
			c.AddIndex("idx_supervisions_target_user", false, "target_user", "")
			c.AddIndex("idx_supervisions_target_org", false, "target_org", "")
			c.ListRule = types.Pointer(`((@request.auth.role = "working_group" || @request.auth.role = "supervisor")) || (@request.auth.role = "leader" && (application.target_leader = @request.auth.id || application.assigned_leader = @request.auth.id) && application.assigned_leader != "") || (@request.auth.role = "handler" && application.handling_unit = @request.auth.org) || (@request.auth.role = "community_staff" && target_org = @request.auth.org && application.community = @request.auth.org) || (@request.auth.role = "street_reviewer" && target_org = @request.auth.org && application.street = @request.auth.org)`)
			c.ViewRule = types.Pointer(`((@request.auth.role = "working_group" || @request.auth.role = "supervisor")) || (@request.auth.role = "leader" && (application.target_leader = @request.auth.id || application.assigned_leader = @request.auth.id) && application.assigned_leader != "") || (@request.auth.role = "handler" && application.handling_unit = @request.auth.org) || (@request.auth.role = "community_staff" && target_org = @request.auth.org && application.community = @request.auth.org) || (@request.auth.role = "street_reviewer" && target_org = @request.auth.org && application.street = @request.auth.org)`)
			return nil
		})
	}, func(app core.App) error {
		return update(app, collections.SupervisionsID, func(c *core.Collection) error {
			for _, n := range []string{"target_user", "target_org", "target_role", "status", "repeat", "satisfaction"} {
				c.Fields.RemoveByName(n)
			}
			if kind, ok := c.Fields.GetByName("kind").(*core.SelectField); ok {
				kind.Values = kinds
			}
			c.RemoveIndex("idx_supervisions_target_user")
			c.RemoveIndex("idx_supervisions_target_org")
			c.ListRule = types.Pointer(`((@request.auth.role = "working_group" || @request.auth.role = "supervisor")) || (@request.auth.role = "leader" && (application.target_leader = @request.auth.id || application.assigned_leader = @request.auth.id) && application.assigned_leader != "") || (@request.auth.role = "handler" && application.handling_unit = @request.auth.org)`)
			c.ViewRule = types.Pointer(`((@request.auth.role = "working_group" || @request.auth.role = "supervisor")) || (@request.auth.role = "leader" && (application.target_leader = @request.auth.id || application.assigned_leader = @request.auth.id) && application.assigned_leader != "") || (@request.auth.role = "handler" && application.handling_unit = @request.auth.org)`)
			return nil
		})
	})
}
