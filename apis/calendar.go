package apis

import (
	"net/http"
	"strconv"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/deadlines"
	"yuetan/workdays"
)

// bindCalendarApi serves the working-day calendar:
//
//	GET /api/calendar/add?from=2026-09-30&days=3   the date that many working days later
func bindCalendarApi(app core.App, rg *router.RouterGroup[*core.RequestEvent]) {
	rg.GET("/calendar/add", calendarAdd)
}

// calendarAdd answers the working day `days` working days after `from`,
// by the app's calendar (the notices and the calendar_days rows).
func calendarAdd(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	from, err := workdays.ParseDate(q.Get("from"))
	if err != nil {
		return e.BadRequestError("日期格式应为 YYYY-MM-DD，例如 2026-10-08。",
			validation.Errors{"from": validation.NewError("invalid_date", "日期无效："+q.Get("from"))})
	}
	days, err := strconv.Atoi(q.Get("days"))
	if err != nil || days < 0 || days > 366 {
		return e.BadRequestError("工作日天数应为 0 到 366 之间的整数。",
			validation.Errors{"days": validation.NewError("invalid_days", "天数无效："+q.Get("days"))})
	}
	due := deadlines.Calendar(e.App).AddWorkdays(from, days)
	return e.JSON(http.StatusOK, map[string]any{"date": workdays.FormatDate(due), "from": workdays.FormatDate(from), "days": days})
}
