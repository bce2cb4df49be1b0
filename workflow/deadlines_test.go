package workflow

import (
	"testing"
	"time"

	"yuetan/workdays"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workdays.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// endOf is the last instant of a due day.
func endOf(day string) time.Time { return at(day + " 23:59").Add(59 * time.Second) }

func TestFlags(t *testing.T) {
	cal := workdays.New()
	cases := []struct {
		name, now, due, want string
	}{
		{"two working days before", "2026-11-23 09:00", "2026-11-25", ""},
		{"the working day before", "2026-11-24 09:00", "2026-11-25", "reminder"},
		{"on the due day", "2026-11-25 18:00", "2026-11-25", "reminder"},
		{"the day after", "2026-11-26 00:01", "2026-11-25", "overdue"},
		// due Monday 10-12 2026 after National Day: the working day before is Saturday 10-10 (调休)
		{"friday before a 调休 saturday", "2026-10-09 09:00", "2026-10-12", ""},
		{"调休 saturday", "2026-10-10 09:00", "2026-10-12", "reminder"},
		// due 2026-10-08, first working day after the holiday: reminded from 9-30
		{"before National Day", "2026-09-30 09:00", "2026-10-08", "reminder"},
		{"before National Day, one day earlier", "2026-09-29 09:00", "2026-10-08", ""},
	}
	for _, c := range cases {
		got := Flags(at(c.now), cal, []Deadline{{"a", DeadlineNotice, endOf(c.due)}})
		kind := ""
		if len(got) == 1 {
			kind = got[0].Kind
			if got[0].DueOn != c.due {
				t.Errorf("%s: due_on %s", c.name, got[0].DueOn)
			}
		}
		if kind != c.want {
			t.Errorf("%s: got %q, want %q", c.name, kind, c.want)
		}
	}
}

// TestEveryOpenStatusHasAClock: the deadline table covers every status a
// matter waits in for someone (the draft is the community's own), names
// a holder for each clock, and its labels are what /api/workflow serves.
func TestEveryOpenStatusHasAClock(t *testing.T) {
	for _, s := range Statuses {
		if Open(s) && s != StatusDraft && OpenDeadline(s) == "" {
			t.Errorf("%s (%s) has no clock", s, StatusLabels[s])
		}
	}
	seen := map[string]bool{}
	for _, s := range Stages {
		if seen[s.Field] {
			t.Errorf("%s twice in the table", s.Field)
		}
		seen[s.Field] = true
		if s.Holder.Role == "" || s.Label == "" || DeadlineLabels[s.Field] != s.Label {
			t.Errorf("%s: holder %q, label %q", s.Field, s.Holder.Role, s.Label)
		}
		if (s.Clock == ClockWorkdays || s.Clock == ClockReview) && s.Length() < 1 {
			t.Errorf("%s counts no days", s.Field)
		}
	}
}
