package hooks

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/workflow"
)

// bindUsers keeps users consistent: leaders carry a rank and nobody else
// does, and no user changes their own role, org or rank on any path.
func bindUsers(app core.App) error {
	app.OnRecordValidate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		role := e.Record.GetString(collections.UserRole)
		rank := e.Record.GetString(collections.UserLeaderRank)
		switch {
		case role == workflow.RoleLeader && rank == "":
			return validation.Errors{collections.UserLeaderRank: validation.NewError(
				"leader_rank_required", "被约谈领导必须注明级别：区四套班子领导或区管党政正职。")}
		case role != workflow.RoleLeader && rank != "":
			return validation.Errors{collections.UserLeaderRank: validation.NewError(
				"leader_rank_not_allowed", "只有被约谈领导才有领导级别。")}
		}
		return e.Next()
	})
	app.OnRecordUpdate(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		a := actorOf(e)
		if a.Record != nil && !a.IsSuperuser() && a.Record.Id == e.Record.Id {
			old := e.Record.Original()
			for _, f := range []string{collections.UserRole, collections.UserOrg, collections.UserLeaderRank} {
				if old.GetString(f) != e.Record.GetString(f) {
					return validation.Errors{f: validation.NewError(
						"self_change_forbidden", "不能修改自己的角色、所属单位或领导级别。")}
				}
			}
		}
		return e.Next()
	})
	return nil
}
