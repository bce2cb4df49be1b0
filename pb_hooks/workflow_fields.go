package hooks

import (
	"slices"

	"yuetan/collections"
	"yuetan/workflow"
)

// WorkflowFields returns the fields of collection that only the workflow
// decides: the status, the fields the transition table sets and the
// fields the server sets itself. The sync API never merges them on a
// stale edit; the hooks (the state machine) decide what they become.
func WorkflowFields(collection string) []string {
	var out []string
	switch collection {
	case collections.Applications:
		out = append(out, collections.AppStatus)
		for _, t := range workflow.Table {
			if t.Via == workflow.ViaAppUpdate {
				out = append(out, t.Fields...)
			}
		}
		out = append(out, applicationServerFields...)
	case collections.Talks:
		out = append(out, talkWorkflowFields...)
	case collections.Feedback:
		out = append(out, feedbackServerFields...)
	case collections.Issues:
		out = append(out, collections.IssueStatus, collections.IssueApplication, collections.IssueCollectedBy)
	case collections.Signatures:
		out = append(out, collections.SigCollectedBy)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
