// How values print: dates, numbers, a leader's name and title.

package pdf

import (
	"fmt"
	"strconv"
	"time"
)

// date formats t as 2026年11月23日, or a blank line for hand writing.
func date(t time.Time) string {
	if t.IsZero() {
		return "　　　　年　　月　　日"
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// dateTime formats t as 2026年11月23日 10:20.
func dateTime(t time.Time) string {
	if t.IsZero() {
		return date(t) + "　　时　　分"
	}
	return fmt.Sprintf("%s %02d:%02d", date(t), t.Hour(), t.Minute())
}

// dateOrBlank formats t, or returns "" when t is zero.
func dateOrBlank(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return date(t)
}

// itoa prints n in decimal.
func itoa(n int) string { return strconv.Itoa(n) }

// leader joins a name and a title: 张三（区委书记）.
func leader(name, title string) string {
	switch {
	case title == "":
		return name
	case name == "":
		return title
	}
	return name + "（" + title + "）"
}
