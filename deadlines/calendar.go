// Package deadlines owns the clocks: the working-day calendar of each app
// (the State Council's notices plus calendar_days), the due dates the
// workflow's moves start, their recomputation when the calendar changes,
// and the supervision job that flags deadlines about to pass or passed.
package deadlines

import (
	"context"
	"fmt"
	"sync"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/workdays"
	"yuetan/workflow"
)

// calendarKey is where an app keeps its working-day calendar in its
// store (a transaction shares its app's store, and so its calendar).
const calendarKey = "yuetan.deadlines.calendar"

type appCalendar struct {
	once sync.Once
	cal  *workdays.Calendar
	mu   sync.Mutex
	err  error // of the last load
}

func (ac *appCalendar) loaded(err error) {
	ac.mu.Lock()
	ac.err = err
	ac.mu.Unlock()
}

func (ac *appCalendar) lastError() error {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return ac.err
}

// Calendar returns app's working-day calendar (built-in notices plus the
// calendar_days rows). If the rows cannot be read, the calendar keeps the
// built-in notices and the failure is logged at every use until a reload
// succeeds: deadlines are never computed silently without the overrides.
func Calendar(app core.App) *workdays.Calendar {
	ac := app.Store().GetOrSet(calendarKey, func() any { return &appCalendar{cal: workdays.New()} }).(*appCalendar)
	ac.once.Do(func() { ac.loaded(loadCalendar(app, ac.cal)) })
	if err := ac.lastError(); err != nil {
		app.Logger().Error("deadlines: calendar_days not loaded; deadlines use the built-in notices only", "error", err)
	}
	return ac.cal
}

func loadCalendar(app core.App, cal *workdays.Calendar) error {
	rows, err := app.FindAllRecords(collections.CalendarDays)
	if err != nil {
		return fmt.Errorf("read calendar_days: %w", err)
	}
	days := make([]workdays.Day, 0, len(rows))
	for _, r := range rows {
		days = append(days, workdays.Day{
			Date:    r.GetString(collections.CalendarDate),
			Workday: r.GetBool(collections.CalendarWorkday),
			Name:    r.GetString(collections.CalendarName),
			Source:  r.GetString(collections.CalendarSource),
		})
	}
	cal.SetOverrides(days)
	return nil
}

// bindCalendar reloads the calendar when a day changes and recomputes
// the open deadlines that count from a fixed start.
func bindCalendar(app core.App) {
	reload := func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		cal := Calendar(e.App)
		err := loadCalendar(e.App, cal)
		e.App.Store().Get(calendarKey).(*appCalendar).loaded(err)
		if err != nil {
			return err
		}
		return recompute(e.App, cal)
	}
	app.OnRecordAfterCreateSuccess(collections.CalendarDays).BindFunc(reload)
	app.OnRecordAfterUpdateSuccess(collections.CalendarDays).BindFunc(reload)
	app.OnRecordAfterDeleteSuccess(collections.CalendarDays).BindFunc(reload)
}

// recompute recomputes the running deadlines that count working days
// from a fixed start (workflow.Stages), after the calendar changed; due
// dates a move named or an approved request moved stay.
func recompute(app core.App, cal *workdays.Calendar) error {
	for _, s := range workflow.Stages {
		if s.Clock != workflow.ClockWorkdays && s.Clock != workflow.ClockReview {
			continue
		}
		recs, err := app.FindRecordsByFilter(collections.Applications, "status = {:s}", "", 0, 0, map[string]any{"s": s.Status})
		if err != nil {
			return fmt.Errorf("find %s applications: %w", s.Status, err)
		}
		for _, rec := range recs {
			if !s.Running(s.Status, rec.GetString) || (s.MovedBy != "" && rec.GetString(s.MovedBy) != "") {
				continue
			}
			due := DueOf(cal, s, rec)
			if due.IsZero() || rec.GetDateTime(s.Field).Time().Equal(due) {
				continue
			}
			rec.Set(s.Field, due)
			if err := app.SaveWithContext(savectx.WithActor(context.Background(), savectx.System), rec); err != nil {
				return fmt.Errorf("recompute %s of %s: %w", s.Field, rec.Id, err)
			}
		}
	}
	return nil
}

// Register binds the calendar's reloading and the supervision job to app.
func Register(app core.App) error {
	bindCalendar(app)
	return bindSupervision(app)
}
