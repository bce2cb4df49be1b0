package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
)

// checkIssueUpdate keeps an issue's link to its application under the
// workflow's control: only unlinked issues may be closed or reopened by hand.
func checkIssueUpdate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		return e.Next()
	}
	old := e.Record.Original()
	if old.GetString(collections.IssueStatus) == e.Record.GetString(collections.IssueStatus) {
		return e.Next()
	}
	if old.GetString(collections.IssueApplication) != "" {
		return fieldError(collections.IssueStatus, "follows_application", "已纳入约谈申请的问题，其状态随申请办理进度变化，不能手工修改。")
	}
	if e.Record.GetString(collections.IssueStatus) == collections.IssueInApplication {
		return fieldError(collections.IssueStatus, "use_application", "请在约谈申请中关联问题，而不是直接修改状态。")
	}
	return e.Next()
}
