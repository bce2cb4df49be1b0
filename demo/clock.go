package demo

import (
	"hash/fnv"
	"time"

	"yuetan/workdays"
)

// clock dates the demo's records the way a district's offices work: on
// working days (the official calendar, 调休 included), in office hours in
// Asia/Shanghai, never after now.
type clock struct {
	cal *workdays.Calendar
	now time.Time
}

func newClock(now time.Time) clock { return clock{cal: workdays.New(), now: now} }

// Office hours: mornings 09:00–11:45, afternoons 14:00–17:15.
const (
	morningFrom   = 9 * 60
	morningMins   = 165
	afternoonFrom = 14 * 60
	afternoonMins = 195
)

// officeTime is day (its Shanghai date) at a time in office hours that
// seed picks: the same seed, the same minute, on every seeding.
func (c clock) officeTime(day time.Time, seed string) time.Time {
	h := fnv.New32a()
	_, _ = h.Write([]byte(seed))
	n := int(h.Sum32() % (morningMins + afternoonMins))
	mins := morningFrom + n
	if n >= morningMins {
		mins = afternoonFrom + n - morningMins
	}
	return c.midnight(day).Add(time.Duration(mins) * time.Minute)
}

// at is day (its Shanghai date) at hh:mm.
func (c clock) at(day time.Time, hh, mm int) time.Time {
	return c.midnight(day).Add(time.Duration(hh*60+mm) * time.Minute)
}

func (c clock) midnight(t time.Time) time.Time {
	d := t.In(workdays.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, workdays.Shanghai)
}

// after is the n-th working day after t's date (n ≥ 1).
func (c clock) after(t time.Time, n int) time.Time { return c.cal.AddWorkdays(t, n) }

// onOrBefore is the last working day on or before t's date.
func (c clock) onOrBefore(t time.Time) time.Time {
	d := c.midnight(t)
	for !c.cal.IsWorkday(d) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// before is the working day before t's date.
func (c clock) before(t time.Time) time.Time { return c.onOrBefore(c.midnight(t).AddDate(0, 0, -1)) }

// daysAgo is the last working day on or before n calendar days ago.
func (c clock) daysAgo(n int) time.Time { return c.onOrBefore(c.now.AddDate(0, 0, -n)) }

// slots yields n times from start on, in office hours, gap apart (a grid
// worker going door to door), carrying over to the next working day.
func (c clock) slots(start time.Time, n int, gap time.Duration) []time.Time {
	out := make([]time.Time, 0, n)
	t := start
	for len(out) < n {
		local := t.In(workdays.Shanghai)
		mins := local.Hour()*60 + local.Minute()
		switch {
		case !c.cal.IsWorkday(t) || mins >= afternoonFrom+afternoonMins:
			t = c.at(c.after(t, 1), 9, 10)
			continue
		case mins < morningFrom:
			t = c.at(t, 9, 10)
			continue
		case mins >= morningFrom+morningMins && mins < afternoonFrom:
			t = c.at(t, 14, 5)
			continue
		}
		out = append(out, t)
		t = t.Add(gap)
	}
	return out
}
