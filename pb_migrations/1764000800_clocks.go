package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
)

// A clock on every stage (issue 12): the applications' new due dates,
// 签收, 不满意, 退回 and 延期 fields, and the handling unit's update rule
// (the workflow table decides which of them it may change); the
// feedback's proof of work; the supervision records' target, the 回访's
// satisfaction and the follow_up kind. Fields and rules come from the
// collection builders; nothing else of the collections changes.
func init() {
	m.Register(func(app core.App) error {
		apps, err := addFields(app, collections.NewApplications(), collections.ClockFields...)
		if err != nil {
			return err
		}
		apps.UpdateRule = collections.NewApplications().UpdateRule
		if err := app.Save(apps); err != nil {
			return fmt.Errorf("applications: %w", err)
		}
		fb, err := addFields(app, collections.NewFeedback(), collections.FbProof)
		if err != nil {
			return err
		}
		if err := app.Save(fb); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		want := collections.NewSupervisions()
		sup, err := addFields(app, want, collections.SupervisionTargetFields...)
		if err != nil {
			return err
		}
		kind := want.Fields.GetByName(collections.SupKind) // the follow_up kind
		kind.SetId(sup.Fields.GetByName(collections.SupKind).GetId())
		sup.Fields.Add(kind)
		sup.ListRule, sup.ViewRule = want.ListRule, want.ViewRule
		for _, idx := range []string{"idx_supervisions_target_user", "idx_supervisions_target_org"} {
			sup.RemoveIndex(idx)
			sup.Indexes = append(sup.Indexes, want.GetIndex(idx))
		}
		if err := app.Save(sup); err != nil {
			return fmt.Errorf("supervisions: %w", err)
		}
		return nil
	}, nil)
}

// addFields fetches want's collection and adds (or replaces, by name) the
// named fields of want to it.
func addFields(app core.App, want *core.Collection, names ...string) (*core.Collection, error) {
	c, err := app.FindCollectionByNameOrId(want.Id)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", want.Name, err)
	}
	for _, n := range names {
		f := want.Fields.GetByName(n)
		if f == nil {
			return nil, fmt.Errorf("%s has no field %s", want.Name, n)
		}
		if old := c.Fields.GetByName(n); old != nil {
			f.SetId(old.GetId())
		}
		c.Fields.Add(f)
	}
	return c, nil
}
