package apis

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/deadlines"
	"yuetan/stats"
	"yuetan/workdays"
)

// bindCalendarApi serves the working-day calendar:
//
//	GET /api/calendar/add?from=2026-09-30&days=3   the date that many working days later
//	GET /api/calendar/late?due=<instant>,…         how many working days each deadline is overdue now
func bindCalendarApi(app core.App, rg *router.RouterGroup[*core.RequestEvent]) {
	rg.GET("/calendar/add", calendarAdd)
	rg.GET("/calendar/late", calendarLate)
}

// maxLate bounds the deadlines one /api/calendar/late request may ask about.
const maxLate = 500

// calendarLate answers, for each due instant given (RFC 3339 or
// PocketBase's "2006-01-02 15:04:05.000Z"), how many working days it is
// overdue now (stats.DaysLate: 0 until the day after the due day) — the
// count the figures and the bulletin print, so the web app's chips say
// the same.
func calendarLate(e *core.RequestEvent) error {
	raw := strings.Split(e.Request.URL.Query().Get("due"), ",")
	if len(raw) > maxLate {
		return e.BadRequestError(fmt.Sprintf("一次最多查询 %d 个期限。", maxLate),
			validation.Errors{"due": validation.NewError("too_many", "期限过多")})
	}
	cal, now := deadlines.Calendar(e.App), time.Now()
	late := map[string]int{}
	for _, s := range raw {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		due, err := types.ParseDateTime(s)
		if err != nil || due.IsZero() {
			return e.BadRequestError("期限格式无效："+s+"。",
				validation.Errors{"due": validation.NewError("invalid_date", "期限无效："+s)})
		}
		late[s] = stats.DaysLate(cal, due.Time(), now)
	}
	return e.JSON(http.StatusOK, map[string]any{"late": late})
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
