package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
)

// A clock on every stage (issue 12), on applications: the due dates the
// deadline table adds, when the matter entered its stage, 签收 (leader
// and handling unit), 不满意, 退回 (when and why) and 延期申请; and the
// handling unit's update rule (the workflow table decides which fields it
// may change).
func init() {
	dates := []string{"street_due", "leader_ack_due", "talk_due", "handler_ack_due", "approval_due", "reply_due", "close_due",
		"stage_at", "leader_ack_at", "handler_ack_at", "returned_at", "extension_due"}
	m.Register(func(app core.App) error {
		return update(app, collections.ApplicationsID, func(c *core.Collection) error {
			for _, n := range dates {
				c.Fields.Add(&core.DateField{Name: n})
			}
			c.Fields.Add(
				&core.BoolField{Name: "dissatisfied"},
				&core.TextField{Name: "return_reason", Max: 2000},
				&core.TextField{Name: "extension_reason", Max: 2000},
				&core.SelectField{Name: "extension_state", Values: []string{"pending", "approved", "refused"}, MaxSelect: 1},
			)
			c.UpdateRule = types.Pointer(`(@request.auth.role = "community_staff" && community = @request.auth.org && (@request.body.community:isset = false || @request.body.community = @request.auth.org)) || (@request.auth.role = "street_reviewer" && street = @request.auth.org) || ((@request.auth.role = "working_group" || @request.auth.role = "supervisor")) || (@request.auth.role = "leader" && assigned_leader = @request.auth.id) || (@request.auth.role = "handler" && handling_unit = @request.auth.org)`)
			return nil
		})
	}, func(app core.App) error {
		return update(app, collections.ApplicationsID, func(c *core.Collection) error {
			for _, n := range append(dates, "dissatisfied", "return_reason", "extension_reason", "extension_state") {
				c.Fields.RemoveByName(n)
			}
			c.UpdateRule = types.Pointer(`(@request.auth.role = "community_staff" && community = @request.auth.org && (@request.body.community:isset = false || @request.body.community = @request.auth.org)) || (@request.auth.role = "street_reviewer" && street = @request.auth.org) || ((@request.auth.role = "working_group" || @request.auth.role = "supervisor")) || (@request.auth.role = "leader" && assigned_leader = @request.auth.id)`)
			return nil
		})
	})
}
