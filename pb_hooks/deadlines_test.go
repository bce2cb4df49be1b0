package hooks_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/savectx"
	"yuetan/workdays"
)

func shanghai(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workdays.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// moveAt makes a move as email at a given Shanghai time (the sync path:
// a save carrying its actor and clock in the context).
func moveAt(t *testing.T, env *testenv.Env, email, at string, rec *core.Record, changes map[string]any) *core.Record {
	t.Helper()
	for k, v := range changes {
		rec.Set(k, v)
	}
	ctx := savectx.At(savectx.AsUser(context.Background(), env.User(email)), shanghai(at))
	if err := env.App.SaveWithContext(ctx, rec); err != nil {
		t.Fatalf("move as %s at %s: %v", email, at, err)
	}
	fresh, err := env.App.FindRecordById(rec.Collection().Name, rec.Id)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func dueDate(r *core.Record, field string) string {
	return workdays.FormatDate(r.GetDateTime(field).Time())
}

// TestDeadlinesOverHolidays checks the 3- and 5-working-day deadlines the
// hooks set across National Day and the Spring Festival with their 调休 days.
func TestDeadlinesOverHolidays(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	cases := []struct {
		name, from, acceptAt, wantNotice, notifyAt, wantSchedule string
	}{
		// 2026: off 10-1..10-7, Saturday 10-10 is a working day
		{"National Day 2026", "forwarded", "2026-09-30 10:00", "2026-10-10", "2026-10-09 16:00", "2026-10-15"},
		// 2025: off 10-1..10-8, Saturday 10-11 is a working day
		{"National Day 2025", "forwarded", "2025-09-30 10:00", "2025-10-11", "2025-10-10 09:00", "2025-10-16"},
		// 2026 Spring Festival: Saturday 2-14 works, 2-15..2-23 off, Saturday 2-28 works
		{"Spring Festival 2026", "forwarded", "2026-02-12 10:00", "2026-02-24", "2026-02-13 10:00", "2026-02-27"},
		// accepted late in the evening of a working day: the day is not counted
		{"late evening", "forwarded", "2026-11-20 23:30", "2026-11-25", "2026-11-23 08:00", "2026-11-30"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := prepare(t, env, c.from)
			app := moveAt(t, env, wg, c.acceptAt, p.app, map[string]any{"status": "accepted"})
			if got := dueDate(app, collections.AppNoticeDue); got != c.wantNotice {
				t.Errorf("notice_due %s, want %s", got, c.wantNotice)
			}
			app = moveAt(t, env, wg, c.notifyAt, app, map[string]any{"status": "notified"})
			if got := dueDate(app, collections.AppScheduleDue); got != c.wantSchedule {
				t.Errorf("schedule_due %s, want %s", got, c.wantSchedule)
			}
		})
	}
}

// TestCalendarChangeRecomputesDeadlines adds a day off through the API and
// checks an open deadline moves at once, then that removing it moves it back.
func TestCalendarChangeRecomputesDeadlines(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	p := prepare(t, env, "forwarded")
	app := moveAt(t, env, wg, "2026-09-30 10:00", p.app, map[string]any{"status": "accepted"})
	if got := dueDate(app, collections.AppNoticeDue); got != "2026-10-10" {
		t.Fatalf("notice_due %s", got)
	}
	res := env.Do("POST", "/api/collections/calendar_days/records", demo.SuperuserEmail,
		map[string]any{"date": "2026-10-09", "workday": false, "name": "临时调整", "source": "区政府通知"})
	if res.Status != 200 {
		t.Fatalf("add day off: %s", res)
	}
	app, _ = env.App.FindRecordById(collections.Applications, app.Id)
	if got := dueDate(app, collections.AppNoticeDue); got != "2026-10-12" {
		t.Fatalf("after the day off notice_due %s, want 2026-10-12", got)
	}
	if r := env.Do("GET", "/api/calendar/add?from=2026-09-30&days=3", "", nil); r.JSON(t)["date"] != "2026-10-12" {
		t.Fatalf("calendar route after change: %s", r)
	}
	id := res.JSON(t)["id"].(string)
	if r := env.Do("DELETE", "/api/collections/calendar_days/records/"+id, demo.SuperuserEmail, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete day: %s", r)
	}
	app, _ = env.App.FindRecordById(collections.Applications, app.Id)
	if got := dueDate(app, collections.AppNoticeDue); got != "2026-10-10" {
		t.Fatalf("after removing the day off notice_due %s", got)
	}
}

func TestCalendarRoute(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	cases := []struct {
		query string
		want  int
		date  string
	}{
		{"from=2026-09-30&days=3", 200, "2026-10-10"},
		{"from=2026-02-13&days=1", 200, "2026-02-14"},
		{"from=2026-02-14&days=1", 200, "2026-02-24"},
		{"from=2026-11-25&days=0", 200, "2026-11-25"},
		{"from=2026-11-25&days=366", 200, ""},
		{"from=2026-11-25&days=367", 400, ""},
		{"from=2026-11-25&days=-1", 400, ""},
		{"from=2026-11-25&days=x", 400, ""},
		{"from=2026-02-30&days=1", 400, ""},
		{"from=20261125&days=1", 400, ""},
		{"days=1", 400, ""},
	}
	for _, c := range cases {
		for _, who := range []string{"", grid} {
			res := env.Do("GET", "/api/calendar/add?"+c.query, who, nil)
			if res.Status != c.want {
				t.Errorf("%s as %q: status %d, want %d", c.query, who, res.Status, c.want)
				continue
			}
			body := res.JSON(t)
			if c.want == 400 && body["message"] == "" {
				t.Errorf("%s: 400 without message", c.query)
			}
			if c.date != "" && body["date"] != c.date {
				t.Errorf("%s: date %v, want %s", c.query, body["date"], c.date)
			}
		}
	}
}

// TestSuperviseFlagsEachDeadlineOnce runs the deadline job around a due day.
func TestSuperviseFlagsEachDeadlineOnce(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	p := prepare(t, env, "forwarded")
	app := moveAt(t, env, wg, "2026-09-30 10:00", p.app, map[string]any{"status": "accepted"}) // notice due 2026-10-10
	count := func(kind string) int {
		recs, err := env.App.FindRecordsByFilter(collections.Supervisions, "application = {:a} && kind = {:k}", "", 0, 0,
			map[string]any{"a": app.Id, "k": kind})
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	steps := []struct {
		now                string
		reminders, overdue int
	}{
		{"2026-10-08 09:00", 0, 0},
		{"2026-10-09 09:00", 1, 0}, // the working day before the due day
		{"2026-10-09 18:00", 1, 0}, // not twice
		{"2026-10-10 20:00", 1, 0},
		{"2026-10-11 00:05", 1, 1}, // the day after
		{"2026-10-12 09:00", 1, 1}, // not twice
	}
	for _, s := range steps {
		if _, err := deadlines.Supervise(env.App, shanghai(s.now)); err != nil {
			t.Fatal(err)
		}
		if r, o := count("reminder"), count("overdue"); r != s.reminders || o != s.overdue {
			t.Errorf("%s: %d reminders, %d overdue; want %d, %d", s.now, r, o, s.reminders, s.overdue)
		}
	}
	// once notified, the notice deadline no longer runs
	moveAt(t, env, wg, "2026-10-12 10:00", app, map[string]any{"status": "notified"})
	if _, err := deadlines.Supervise(env.App, shanghai("2026-10-13 09:00")); err != nil {
		t.Fatal(err)
	}
	if o := count("overdue"); o != 1 {
		t.Errorf("after notification: %d overdue flags", o)
	}
	// the job is registered with the app's cron, so superusers can run it
	registered := false
	for _, j := range env.App.Cron().Jobs() {
		registered = registered || j.Id() == deadlines.SuperviseJobID
	}
	if !registered {
		t.Error("deadline job not registered")
	}
}

// TestReviewCadence: forwarded matters wait for the monthly review day,
// urgent ones are due within 3 working days.
func TestReviewCadence(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	normal := prepare(t, env, "submitted")
	app := moveAt(t, env, street, "2026-11-05 10:00", normal.app, map[string]any{"status": "forwarded"})
	if got := dueDate(app, collections.AppReviewDue); got != "2026-12-07" { // 12-05 is a Saturday
		t.Errorf("review_due %s, want 2026-12-07", got)
	}
	urgent := prepare(t, env, "submitted")
	app = moveAt(t, env, street, "2026-09-29 10:00", urgent.app, map[string]any{"status": "forwarded", "urgent": true})
	if got := dueDate(app, collections.AppReviewDue); got != "2026-10-09" {
		t.Errorf("urgent review_due %s, want 2026-10-09", got)
	}
}
