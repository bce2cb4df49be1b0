package hooks

import (
	"context"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/workflow"
)

// bindDuplicates keeps duplicate issues with their originals. Community
// staff mark an issue a duplicate of another of their community's
// (duplicate_of); from then on the duplicate follows the original: its
// application and status are the original's, now and whenever the
// original's change (inside the same transaction), and nobody moves it by
// hand. Only originals are marked: no chains, no cycles.
func bindDuplicates(app core.App) error {
	app.OnRecordCreate(collections.Issues).BindFunc(checkDuplicate)
	app.OnRecordUpdate(collections.Issues).BindFunc(checkDuplicate)
	app.OnRecordCreateExecute(collections.Issues).BindFunc(followOriginal)
	app.OnRecordUpdateExecute(collections.Issues).BindFunc(followOriginal)
	return nil
}

// checkDuplicate checks a marking (or unmarking) against the rules.
func checkDuplicate(e *core.RecordEvent) error {
	a := actorOf(e)
	if a.System {
		return e.Next()
	}
	rec := e.Record
	was := ""
	if !rec.IsNew() {
		was = rec.Original().GetString(collections.IssueDuplicateOf)
	}
	now := rec.GetString(collections.IssueDuplicateOf)
	if now == was {
		if now != "" && !rec.IsNew() && rec.GetString(collections.IssueStatus) != rec.Original().GetString(collections.IssueStatus) {
			return fieldError(collections.IssueStatus, "follows_original", "这条问题已标记为重复，其状态随原问题变化，不能手工修改。")
		}
		return e.Next()
	}
	unmark := func() error {
		// an issue of its own again, waiting to be handled
		rec.Set(collections.IssueApplication, "")
		rec.Set(collections.IssueStatus, collections.IssueOpen)
		return e.Next()
	}
	if now == "" {
		if _, err := e.App.FindRecordById(collections.Issues, was); err != nil {
			return unmark() // the original was deleted (PocketBase clears the reference)
		}
	}
	if !a.IsSuperuser() && actorRole(a) != workflow.RoleCommunityStaff {
		return fieldError(collections.IssueDuplicateOf, "staff_only", "只有社区工作人员可以标记或取消重复问题。")
	}
	if now == "" {
		return unmark()
	}
	if now == rec.Id {
		return fieldError(collections.IssueDuplicateOf, "self", "不能把问题标记为它自己的重复。")
	}
	original, err := e.App.FindRecordById(collections.Issues, now)
	if err != nil || original.GetString(collections.IssueCommunity) != rec.GetString(collections.IssueCommunity) {
		return fieldError(collections.IssueDuplicateOf, "other_community", "只能标记为本社区已有问题的重复。")
	}
	if first := original.GetString(collections.IssueDuplicateOf); first != "" {
		return fieldError(collections.IssueDuplicateOf, "original_is_duplicate",
			fmt.Sprintf("“%s”本身是重复问题，请标记为它的原问题的重复。", original.GetString(collections.IssueTitle)))
	}
	if !rec.IsNew() {
		if was == "" && rec.Original().GetString(collections.IssueApplication) != "" {
			return fieldError(collections.IssueDuplicateOf, "in_application", "已纳入约谈申请的问题不能标记为重复；请先从申请中移除。")
		}
		if n, _ := e.App.CountRecords(collections.Issues, dbx.HashExp{collections.IssueDuplicateOf: rec.Id}); n > 0 {
			return fieldError(collections.IssueDuplicateOf, "has_duplicates", "已有其他问题标记为这条问题的重复，它不能再标记为重复。")
		}
	}
	return e.Next()
}

// followOriginal writes the issue with its original's application and
// status, and its own duplicates after it, in one transaction.
func followOriginal(e *core.RecordEvent) error {
	return savectx.InTransaction(e, func(tx core.App) error {
		rec := e.Record
		if id := rec.GetString(collections.IssueDuplicateOf); id != "" {
			o, err := tx.FindRecordById(collections.Issues, id)
			if err != nil {
				return fieldError(collections.IssueDuplicateOf, "other_community", "只能标记为本社区已有问题的重复。")
			}
			if o.GetString(collections.IssueDuplicateOf) != "" {
				// marked a duplicate itself meanwhile
				return fieldError(collections.IssueDuplicateOf, "original_is_duplicate",
					fmt.Sprintf("“%s”本身是重复问题，请标记为它的原问题的重复。", o.GetString(collections.IssueTitle)))
			}
			if linked := rec.GetString(collections.IssueApplication); linked != "" && linked != o.GetString(collections.IssueApplication) {
				// an application took the duplicate itself: it goes with its original
				return fieldError(collections.AppIssues, "duplicate_follows_original", fmt.Sprintf(
					"“%s”已标记为“%s”的重复问题，随原问题办理，不能单独纳入约谈申请。", rec.GetString(collections.IssueTitle), o.GetString(collections.IssueTitle)))
			}
			rec.Set(collections.IssueApplication, o.GetString(collections.IssueApplication))
			rec.Set(collections.IssueStatus, o.GetString(collections.IssueStatus))
		}
		created := rec.IsNew()
		if err := e.Next(); err != nil {
			return err
		}
		if created {
			// nothing points at a record before it exists: a relation must
			// name an existing record, and PocketBase removes a deleted
			// record's id from the relations naming it
			return nil
		}
		dups, err := tx.FindAllRecords(collections.Issues, dbx.HashExp{collections.IssueDuplicateOf: rec.Id})
		if err != nil {
			return fmt.Errorf("duplicates of %s: %w", rec.Id, err)
		}
		if len(dups) > 0 && rec.GetString(collections.IssueDuplicateOf) != "" {
			// another issue was marked a duplicate of this one meanwhile
			return fieldError(collections.IssueDuplicateOf, "has_duplicates", "已有其他问题标记为这条问题的重复，它不能再标记为重复。")
		}
		for _, d := range dups {
			if d.GetString(collections.IssueApplication) == rec.GetString(collections.IssueApplication) &&
				d.GetString(collections.IssueStatus) == rec.GetString(collections.IssueStatus) {
				continue
			}
			d.Set(collections.IssueApplication, rec.GetString(collections.IssueApplication))
			d.Set(collections.IssueStatus, rec.GetString(collections.IssueStatus))
			if err := tx.SaveWithContext(derived(context.Background()), d); err != nil {
				return fmt.Errorf("duplicate %s follows %s: %w", d.Id, rec.Id, err)
			}
		}
		return nil
	})
}
