package workflow

import (
	"time"

	"yuetan/workdays"
)

// Deadline fields on an application, and the status in which each runs.
const (
	DeadlineReview   = "review_due"
	DeadlineNotice   = "notice_due"
	DeadlineSchedule = "schedule_due"
	DeadlineHandling = "handling_due"
)

// OpenDeadline returns the deadline field that runs while an application is
// in status, or "".
func OpenDeadline(status string) string {
	switch status {
	case StatusForwarded:
		return DeadlineReview
	case StatusAccepted:
		return DeadlineNotice
	case StatusNotified:
		return DeadlineSchedule
	case StatusInHandling:
		return DeadlineHandling
	}
	return ""
}

// DeadlineLabels name each deadline for people.
var DeadlineLabels = map[string]string{
	DeadlineReview:   "专门工作小组审核",
	DeadlineNotice:   "交办通知单送达（3个工作日）",
	DeadlineSchedule: "领导商定约谈（5个工作日）",
	DeadlineHandling: "承办单位办结",
}

// Deadline is one running deadline of an application.
type Deadline struct {
	Application string
	Field       string
	Due         time.Time // the last instant of the due day
}

// Flag is a supervision flag a deadline has earned.
type Flag struct {
	Application string
	Field       string
	Kind        string // "reminder" or "overdue"
	DueOn       string // YYYY-MM-DD of the due day, in Asia/Shanghai
}

// Flags returns the flags the deadlines have earned at now: a reminder from
// the working day before the due day, "overdue" once the due day has passed.
func Flags(now time.Time, cal *workdays.Calendar, deadlines []Deadline) []Flag {
	var out []Flag
	today := cal.AddWorkdays(now, 0)
	for _, d := range deadlines {
		if d.Due.IsZero() {
			continue
		}
		dueOn := workdays.FormatDate(d.Due)
		switch {
		case now.After(d.Due):
			out = append(out, Flag{d.Application, d.Field, "overdue", dueOn})
		case !cal.AddWorkdays(today, 1).Before(startOfDay(d.Due)):
			out = append(out, Flag{d.Application, d.Field, "reminder", dueOn})
		}
	}
	return out
}

func startOfDay(t time.Time) time.Time {
	d := t.In(workdays.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, workdays.Shanghai)
}
