package deadlines

import (
	"os"
	"strconv"
	"time"

	"yuetan/workdays"
)

// ReviewDay is the working group's monthly review day (YUETAN_REVIEW_DAY, default the 5th).
func ReviewDay() int {
	if d, err := strconv.Atoi(os.Getenv("YUETAN_REVIEW_DAY")); err == nil && d >= 1 && d <= 28 {
		return d
	}
	return 5
}

// ReviewDue is when the working group must decide a forwarded application:
// urgent ones within 3 working days, others at the next monthly review day.
func ReviewDue(cal *workdays.Calendar, forwarded time.Time, urgent bool) time.Time {
	if urgent {
		return DueAfter(cal, forwarded, 3)
	}
	d := forwarded.In(workdays.Shanghai)
	day := ReviewDay()
	next := time.Date(d.Year(), d.Month(), day, 0, 0, 0, 0, workdays.Shanghai)
	if !next.After(d) {
		next = time.Date(d.Year(), d.Month()+1, day, 0, 0, 0, 0, workdays.Shanghai)
	}
	for !cal.IsWorkday(next) {
		next = next.AddDate(0, 0, 1)
	}
	return EndOfDay(next)
}

// EndOfDay returns the last instant of date's day in Asia/Shanghai: a
// deadline date is met by anything done on that day.
func EndOfDay(date time.Time) time.Time {
	d := date.In(workdays.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, workdays.Shanghai).UTC()
}

// DueAfter returns the deadline n working days after t.
func DueAfter(cal *workdays.Calendar, t time.Time, n int) time.Time {
	return EndOfDay(cal.AddWorkdays(t, n))
}
