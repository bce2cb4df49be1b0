package deadlines

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/workdays"
	"yuetan/workflow"
)

// SuperviseJobID is the cron job that flags deadlines; superusers can run
// it at once from the dashboard or POST /api/crons/yuetan_deadlines.
const SuperviseJobID = "yuetan_deadlines"

// bindSupervision schedules the deadline job every 15 minutes.
func bindSupervision(app core.App) error {
	app.Cron().MustAdd(SuperviseJobID, "*/15 * * * *", func() {
		n, err := Supervise(app, time.Now())
		if err != nil {
			app.Logger().Error("supervise deadlines", "error", err)
			return
		}
		if n > 0 {
			app.Logger().Info("supervise deadlines", "flags", n)
		}
	})
	return nil
}

// Supervise writes a reminder one working day before each open deadline and
// an overdue flag the day after, each once, and returns how many it wrote.
func Supervise(app core.App, now time.Time) (int, error) {
	var statuses []any
	for _, s := range workflow.Stages {
		if !slices.Contains(statuses, any(s.Status)) {
			statuses = append(statuses, s.Status)
		}
	}
	recs, err := app.FindAllRecords(collections.Applications, dbx.In(collections.AppStatus, statuses...))
	if err != nil {
		return 0, fmt.Errorf("find open applications: %w", err)
	}
	var deadlines []workflow.Deadline
	byID := map[string]*core.Record{}
	for _, r := range recs {
		deadlines = append(deadlines, Running(r)...)
		byID[r.Id] = r
	}
	flags := workflow.Flags(now, Calendar(app), deadlines)
	written := 0
	for _, f := range flags {
		exists, err := app.FindFirstRecordByFilter(collections.Supervisions,
			"application = {:a} && kind = {:k} && deadline = {:d} && due_on = {:o}",
			map[string]any{"a": f.Application, "k": f.Kind, "d": f.Field, "o": f.DueOn})
		if err == nil && exists != nil {
			continue
		}
		c, err := app.FindCachedCollectionByNameOrId(collections.Supervisions)
		if err != nil {
			return written, err
		}
		r := core.NewRecord(c)
		r.Set(collections.SupApplication, f.Application)
		r.Set(collections.SupKind, f.Kind)
		r.Set(collections.SupDeadline, f.Field)
		r.Set(collections.SupDueOn, f.DueOn)
		rec := byID[f.Application]
		stage, _ := workflow.StageOf(f.Field)
		target := HolderOf(app, rec, stage)
		r.Set(collections.SupTargetUser, target.User)
		r.Set(collections.SupTargetOrg, target.Org)
		r.Set(collections.SupTargetRole, target.Role)
		r.Set(collections.SupStatus, rec.GetString(collections.AppStatus))
		verb := "即将到期"
		if f.Kind == collections.SupOverdue {
			verb = "已逾期"
		}
		r.Set(collections.SupNote, fmt.Sprintf("%s期限（%s）%s。", workflow.DeadlineLabels[f.Field], workdays.DisplayDay(f.DueOn), verb))
		if err := app.SaveWithContext(savectx.WithActor(context.Background(), savectx.System), r); err != nil {
			return written, fmt.Errorf("flag %s of %s: %w", f.Field, f.Application, err)
		}
		written++
	}
	return written, nil
}
