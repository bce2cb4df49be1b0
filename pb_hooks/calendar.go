package hooks

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
	"yuetan/savectx"
	"yuetan/workdays"
	"yuetan/workflow"
)

// calendars holds one working-day calendar per app, loaded from
// calendar_days on first use and reloaded whenever a day changes.
var calendars sync.Map // core.App (the root app) → *appCalendar

type appCalendar struct {
	once sync.Once
	cal  *workdays.Calendar
}

// Calendar returns app's working-day calendar (built-in notices plus the
// calendar_days rows).
func Calendar(app core.App) *workdays.Calendar {
	v, _ := calendars.LoadOrStore(rootApp(app), &appCalendar{cal: workdays.New()})
	ac := v.(*appCalendar)
	ac.once.Do(func() {
		if err := loadCalendar(app, ac.cal); err != nil {
			app.Logger().Warn("load calendar_days", "error", err)
		}
	})
	return ac.cal
}

// rootApp keys an app (or a transaction of it) by its data dir, so a
// transaction shares its app's calendar.
func rootApp(app core.App) any { return app.DataDir() }

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

// bindCalendar reloads the calendar when a day changes (recomputing open
// deadlines) and serves GET /api/calendar/add.
func bindCalendar(app core.App) error {
	reload := func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		cal := Calendar(e.App)
		if err := loadCalendar(e.App, cal); err != nil {
			return err
		}
		return recomputeDeadlines(e.App, cal)
	}
	app.OnRecordAfterCreateSuccess(collections.CalendarDays).BindFunc(reload)
	app.OnRecordAfterUpdateSuccess(collections.CalendarDays).BindFunc(reload)
	app.OnRecordAfterDeleteSuccess(collections.CalendarDays).BindFunc(reload)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/calendar/add", func(e *core.RequestEvent) error {
			q := e.Request.URL.Query()
			from, err := workdays.ParseDate(q.Get("from"))
			if err != nil {
				return router.NewBadRequestError("日期格式应为 YYYY-MM-DD，例如 2026-10-08。",
					validation.Errors{"from": validation.NewError("invalid_date", "日期无效："+q.Get("from"))})
			}
			days, err := strconv.Atoi(q.Get("days"))
			if err != nil || days < 0 || days > 366 {
				return router.NewBadRequestError("工作日天数应为 0 到 366 之间的整数。",
					validation.Errors{"days": validation.NewError("invalid_days", "天数无效："+q.Get("days"))})
			}
			due := Calendar(e.App).AddWorkdays(from, days)
			return e.JSON(http.StatusOK, map[string]any{"date": workdays.FormatDate(due), "from": workdays.FormatDate(from), "days": days})
		})
		return se.Next()
	})
	return nil
}

// endOfDay returns the last instant of date's day in Asia/Shanghai: a
// deadline date is met by anything done on that day.
func endOfDay(date time.Time) time.Time {
	d := date.In(workdays.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, workdays.Shanghai).UTC()
}

// dueAfter returns the deadline n working days after t.
func dueAfter(cal *workdays.Calendar, t time.Time, n int) time.Time {
	return endOfDay(cal.AddWorkdays(t, n))
}

// recomputeDeadlines recomputes the open deadlines that count working days
// from a fixed start, after the calendar changed.
func recomputeDeadlines(app core.App, cal *workdays.Calendar) error {
	type rule struct {
		status, field, from string
		days                int
		filter              string
	}
	rules := []rule{
		{workflow.StatusAccepted, collections.AppNoticeDue, collections.AppAcceptedAt, 3, ""},
		{workflow.StatusNotified, collections.AppScheduleDue, collections.AppNotifiedAt, 5, " && postpone_reason = ''"},
		{workflow.StatusForwarded, collections.AppReviewDue, collections.AppForwardedAt, 3, " && urgent = true"},
	}
	for _, r := range rules {
		recs, err := app.FindRecordsByFilter(collections.Applications, "status = {:s}"+r.filter, "", 0, 0, map[string]any{"s": r.status})
		if err != nil {
			return fmt.Errorf("find %s applications: %w", r.status, err)
		}
		for _, rec := range recs {
			start := rec.GetDateTime(r.from).Time()
			if start.IsZero() {
				continue
			}
			due := dueAfter(cal, start, r.days)
			if rec.GetDateTime(r.field).Time().Equal(due) {
				continue
			}
			rec.Set(r.field, due)
			if err := app.SaveWithContext(savectx.WithActor(context.Background(), savectx.System), rec); err != nil {
				return fmt.Errorf("recompute %s of %s: %w", r.field, rec.Id, err)
			}
		}
	}
	return nil
}
