package workdays

import (
	"fmt"
	"time"
)

// The one format of dates and times people read, in the server's messages,
// on the forms and in the web app (pb_public/js/ui.js): 2026年11月5日 and
// 2026年11月5日 14:08, Asia/Shanghai. (FormatDate's YYYY-MM-DD is for programs.)

// DisplayDate formats t's Asia/Shanghai date as 2026年11月5日.
func DisplayDate(t time.Time) string {
	d := t.In(Shanghai)
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}

// DisplayDateTime formats t in Asia/Shanghai as 2026年11月5日 14:08.
func DisplayDateTime(t time.Time) string {
	d := t.In(Shanghai)
	return fmt.Sprintf("%s %02d:%02d", DisplayDate(d), d.Hour(), d.Minute())
}

// DisplayDay formats a YYYY-MM-DD day as 2026年11月5日 (the day itself when it does not parse).
func DisplayDay(day string) string {
	t, err := ParseDate(day)
	if err != nil {
		return day
	}
	return DisplayDate(t)
}
