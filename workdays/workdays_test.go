package workdays

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

func mustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// knownLunarDifferences lists dates where github.com/6tail/lunar-go v1.4.6
// disagrees with the State Council notices (the notices win). Each value is
// the workday status according to the notices. Currently none are known; any
// disagreement found by TestCrossCheckLunarGo must be added here explicitly.
var knownLunarDifferences = map[string]bool{}

func TestCrossCheckLunarGo(t *testing.T) {
	c := New()
	start := mustDate(t, "2025-01-01")
	end := mustDate(t, "2027-01-01")
	builtin := map[string]Day{}
	for _, b := range BuiltinDays() {
		builtin[b.Date] = b
	}
	days, lunarSpecial := 0, 0
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		days++
		ymd := FormatDate(d)
		var lunarWork bool
		h := HolidayUtil.GetHoliday(ymd)
		if _, ok := builtin[ymd]; ok != (h != nil) {
			if _, known := knownLunarDifferences[ymd]; !known {
				t.Errorf("%s: built-in special day=%v, lunar-go special day=%v (%v)", ymd, ok, h != nil, h)
			}
		}
		if h != nil {
			lunarSpecial++
			lunarWork = h.IsWork()
		} else {
			wd := d.Weekday()
			lunarWork = wd != time.Saturday && wd != time.Sunday
		}
		got := c.IsWorkday(d)
		if want, known := knownLunarDifferences[ymd]; known {
			if lunarWork == want {
				t.Errorf("%s: listed as known lunar-go difference but lunar-go now agrees (workday=%v); remove from list", ymd, want)
			}
			if got != want {
				t.Errorf("%s: IsWorkday=%v, notices say %v", ymd, got, want)
			}
			continue
		}
		if got != lunarWork {
			t.Errorf("%s (%s): IsWorkday=%v, lunar-go says workday=%v (holiday=%v)", ymd, d.Weekday(), got, lunarWork, HolidayUtil.GetHoliday(ymd))
		}
	}
	if days != 365+365 {
		t.Fatalf("checked %d days, want 730", days)
	}
	// Guard against a vacuous check (e.g. lunar-go returning nil for everything).
	if lunarSpecial < 60 {
		t.Fatalf("lunar-go reported only %d special days in 2025–2026", lunarSpecial)
	}
	t.Logf("checked %d days; lunar-go special days: %d, built-in special days: %d", days, lunarSpecial, len(builtin))
}

func TestBuiltinDays(t *testing.T) {
	days := BuiltinDays()
	if len(days) == 0 {
		t.Fatal("no built-in days")
	}
	offCount := map[int]int{}
	for i, d := range days {
		if i > 0 && days[i-1].Date >= d.Date {
			t.Errorf("not strictly sorted at %d: %s then %s", i, days[i-1].Date, d.Date)
		}
		if d.Name == "" || d.Source != SourceBuiltin {
			t.Errorf("%+v: want name and source builtin", d)
		}
		tm := mustDate(t, d.Date)
		wd := tm.Weekday()
		if d.Workday && wd != time.Saturday && wd != time.Sunday {
			t.Errorf("%s: make-up workday is a %s", d.Date, wd)
		}
		if !d.Workday {
			offCount[tm.Year()]++
		}
	}
	// Mutating the returned slice must not affect the calendar.
	days[0].Workday = !days[0].Workday
	if BuiltinDays()[0].Workday == days[0].Workday {
		t.Error("BuiltinDays returned shared storage")
	}
	// 2025: 1+8+3+5+3+8 = 28 days off; 2026: 3+9+3+5+3+3+7 = 33.
	if offCount[2025] != 28 || offCount[2026] != 33 {
		t.Errorf("off-day counts = %v, want 2025:28 2026:33", offCount)
	}
}

func TestDay(t *testing.T) {
	c := New()
	tests := []struct {
		date    string
		workday bool
		name    string
		source  string
	}{
		{"2025-01-01", false, "元旦", SourceBuiltin},
		{"2025-01-26", true, "春节调休上班", SourceBuiltin},
		{"2025-01-29", false, "春节", SourceBuiltin},
		{"2025-04-04", false, "清明节", SourceBuiltin},
		{"2025-05-31", false, "端午节", SourceBuiltin},
		{"2025-10-06", false, "国庆节、中秋节", SourceBuiltin},
		{"2025-10-11", true, "国庆节、中秋节调休上班", SourceBuiltin},
		{"2026-02-14", true, "春节调休上班", SourceBuiltin},
		{"2026-05-01", false, "劳动节", SourceBuiltin},
		{"2026-09-25", false, "中秋节", SourceBuiltin},
		{"2026-10-01", false, "国庆节", SourceBuiltin},
		{"2026-10-10", true, "国庆节调休上班", SourceBuiltin},
		{"2026-03-02", true, "工作日", SourceWeekday},
		{"2026-03-07", false, "周末", SourceWeekend},
		{"2024-10-01", true, "工作日", SourceWeekday}, // outside data: Mon–Fri rule
		{"2027-01-02", false, "周末", SourceWeekend}, // outside data: Mon–Fri rule
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			got := c.Day(mustDate(t, tt.date).Add(15 * time.Hour))
			want := Day{Date: tt.date, Workday: tt.workday, Name: tt.name, Source: tt.source}
			if got != want {
				t.Errorf("Day = %+v, want %+v", got, want)
			}
			if c.IsWorkday(mustDate(t, tt.date)) != tt.workday {
				t.Errorf("IsWorkday disagrees with Day")
			}
		})
	}
}

func TestAddWorkdays(t *testing.T) {
	c := New()
	tests := []struct {
		name string
		from time.Time
		n    int
		want string
	}{
		{"n=0 weekday", mustDate(t, "2026-03-03"), 0, "2026-03-03"},
		{"n=0 on holiday returns start", mustDate(t, "2025-10-03"), 0, "2025-10-03"},
		{"n=0 keeps date, drops time", mustDate(t, "2026-03-03").Add(23*time.Hour + 59*time.Minute), 0, "2026-03-03"},
		{"negative clamps to 0", mustDate(t, "2026-03-03"), -4, "2026-03-03"},
		{"plain week", mustDate(t, "2026-03-05"), 3, "2026-03-10"},
		{"outside data Mon-Fri", mustDate(t, "2027-10-01"), 1, "2027-10-04"},

		// National Day 2025: 9/28 Sun works, 10/1–10/8 off, 10/11 Sat works.
		{"NatDay25 from 9/26 +1 (9/28 Sun)", mustDate(t, "2025-09-26"), 1, "2025-09-28"},
		{"NatDay25 from 9/26 +3", mustDate(t, "2025-09-26"), 3, "2025-09-30"},
		{"NatDay25 from 9/26 +4", mustDate(t, "2025-09-26"), 4, "2025-10-09"},
		{"NatDay25 from 9/30 +1", mustDate(t, "2025-09-30"), 1, "2025-10-09"},
		{"NatDay25 from 9/30 +3 (10/11 Sat)", mustDate(t, "2025-09-30"), 3, "2025-10-11"},
		{"NatDay25 from 9/30 +4", mustDate(t, "2025-09-30"), 4, "2025-10-13"},
		{"start on holiday 10/3 +1", mustDate(t, "2025-10-03"), 1, "2025-10-09"},
		{"start on holiday 10/8 +1", mustDate(t, "2025-10-08"), 1, "2025-10-09"},

		// Spring Festival 2026: 2/14 Sat works, 2/15–2/23 off, 2/28 Sat works.
		{"Spring26 from 2/13 +1", mustDate(t, "2026-02-13"), 1, "2026-02-14"},
		{"Spring26 from 2/14 +1", mustDate(t, "2026-02-14"), 1, "2026-02-24"},
		{"Spring26 from 2/12 +1", mustDate(t, "2026-02-12"), 1, "2026-02-13"},
		{"Spring26 from 2/12 +2", mustDate(t, "2026-02-12"), 2, "2026-02-14"},
		{"Spring26 from 2/12 +5", mustDate(t, "2026-02-12"), 5, "2026-02-26"},
		{"Spring26 from 2/12 +7 (2/28 Sat)", mustDate(t, "2026-02-12"), 7, "2026-02-28"},
		{"Spring26 from 2/12 +8", mustDate(t, "2026-02-12"), 8, "2026-03-02"},
		{"start on holiday 2/16 +1", mustDate(t, "2026-02-16"), 1, "2026-02-24"},

		// National Day 2026: 9/20 Sun works, 9/25–9/27 and 10/1–10/7 off, 10/10 Sat works.
		{"NatDay26 from 9/18 +1 (9/20 Sun)", mustDate(t, "2026-09-18"), 1, "2026-09-20"},
		{"NatDay26 from 9/24 +1", mustDate(t, "2026-09-24"), 1, "2026-09-28"},
		{"NatDay26 from 9/30 +1", mustDate(t, "2026-09-30"), 1, "2026-10-08"},
		{"NatDay26 from 9/30 +3 (10/10 Sat)", mustDate(t, "2026-09-30"), 3, "2026-10-10"},
		{"NatDay26 from 9/30 +4", mustDate(t, "2026-09-30"), 4, "2026-10-12"},

		// 2026-09-30T17:00Z is 2026-10-01 01:00 in Shanghai: start is the holiday 10/01.
		{"UTC evening already next day", time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC), 0, "2026-10-01"},
		{"UTC evening already next day +1", time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC), 1, "2026-10-08"},
		{"UTC 15:59 still same day +1", time.Date(2026, 9, 29, 15, 59, 0, 0, time.UTC), 1, "2026-09-30"},
		{"New York time", time.Date(2026, 2, 13, 12, 0, 0, 0, time.FixedZone("EST", -5*3600)), 1, "2026-02-24"},

		// Year boundary 2025→2026 with 元旦 1/1–1/3 and 1/4 Sun make-up.
		{"NewYear26 from 12/31 +1", mustDate(t, "2025-12-31"), 1, "2026-01-04"},
		{"NewYear26 from 12/30 +2", mustDate(t, "2025-12-30"), 2, "2026-01-04"},
		{"across year +250", mustDate(t, "2025-01-01"), 250, "2026-01-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.AddWorkdays(tt.from, tt.n)
			if FormatDate(got) != tt.want {
				t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tt.from.Format(time.RFC3339), tt.n, FormatDate(got), tt.want)
			}
			if got.Location() != Shanghai || got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
				t.Errorf("result %v is not midnight Asia/Shanghai", got)
			}
			if !got.Equal(mustDate(t, tt.want)) {
				t.Errorf("result %v != ParseDate(%s)", got, tt.want)
			}
		})
	}
}

// TestAddWorkdaysBruteForce compares AddWorkdays with a naive day-by-day walk using IsWorkday.
func TestAddWorkdaysBruteForce(t *testing.T) {
	c := New()
	c.SetOverrides([]Day{{Date: "2027-03-03", Workday: false}, {Date: "2027-03-06", Workday: true}})
	for d := mustDate(t, "2024-12-01"); d.Before(mustDate(t, "2027-04-01")); d = d.AddDate(0, 0, 1) {
		for _, n := range []int{1, 2, 5, 10, 15, 20} {
			want := d
			for k := n; k > 0; {
				want = want.AddDate(0, 0, 1)
				if c.IsWorkday(want) {
					k--
				}
			}
			if got := c.AddWorkdays(d, n); !got.Equal(want) {
				t.Fatalf("AddWorkdays(%s, %d) = %s, want %s", FormatDate(d), n, FormatDate(got), FormatDate(want))
			}
		}
	}
}

func TestOverrides(t *testing.T) {
	c := New()
	from := mustDate(t, "2026-03-05") // Thursday
	if got := FormatDate(c.AddWorkdays(from, 2)); got != "2026-03-09" {
		t.Fatalf("before overrides: got %s", got)
	}

	// Make Friday 3/6 off: +2 moves from Mon 3/9 to Tue 3/10.
	c.SetOverrides([]Day{{Date: "2026-03-06", Workday: false, Name: "临时休息"}})
	if got := FormatDate(c.AddWorkdays(from, 2)); got != "2026-03-10" {
		t.Errorf("weekday off: got %s, want 2026-03-10", got)
	}
	if d := c.Day(mustDate(t, "2026-03-06")); d != (Day{Date: "2026-03-06", Workday: false, Name: "临时休息", Source: SourceOverride}) {
		t.Errorf("Day = %+v", d)
	}

	// Replace all overrides: Saturday 3/7 working, 3/6 back to normal.
	c.SetOverrides([]Day{{Date: "2026-03-07", Workday: true}})
	if got := FormatDate(c.AddWorkdays(from, 2)); got != "2026-03-07" {
		t.Errorf("weekend working: got %s, want 2026-03-07", got)
	}
	if d := c.Day(mustDate(t, "2026-03-06")); d.Source != SourceWeekday || !d.Workday {
		t.Errorf("old override not replaced: %+v", d)
	}
	if d := c.Day(mustDate(t, "2026-03-07")); d.Source != SourceOverride || !d.Workday || d.Name == "" {
		t.Errorf("override Day = %+v", d)
	}

	// Overrides win over built-in data; invalid entries are ignored; last duplicate wins.
	c.SetOverrides([]Day{
		{Date: "2025-10-08", Workday: true, Name: "override A"},
		{Date: "bogus", Workday: true},
		{Date: "2025-10-08", Workday: true, Name: "override B"},
		{Date: "2025-10-11", Workday: false},
	})
	if got := FormatDate(c.AddWorkdays(mustDate(t, "2025-09-30"), 1)); got != "2025-10-08" {
		t.Errorf("override over builtin: got %s, want 2025-10-08", got)
	}
	if got := FormatDate(c.AddWorkdays(mustDate(t, "2025-10-10"), 1)); got != "2025-10-13" {
		t.Errorf("override off over builtin make-up: got %s, want 2025-10-13", got)
	}
	if d := c.Day(mustDate(t, "2025-10-08")); d.Name != "override B" {
		t.Errorf("duplicate: got %+v", d)
	}

	// Clearing overrides restores built-in data.
	c.SetOverrides(nil)
	if got := FormatDate(c.AddWorkdays(mustDate(t, "2025-09-30"), 1)); got != "2025-10-09" {
		t.Errorf("after clear: got %s", got)
	}
	// Other calendars are unaffected.
	if got := FormatDate(New().AddWorkdays(from, 2)); got != "2026-03-09" {
		t.Errorf("New() affected by other calendar: %s", got)
	}
	// The zero value behaves like New().
	var zero Calendar
	if got := FormatDate(zero.AddWorkdays(mustDate(t, "2025-09-30"), 1)); got != "2025-10-09" {
		t.Errorf("zero Calendar: got %s", got)
	}
}

func TestOverridesConcurrent(t *testing.T) {
	c := New()
	from := mustDate(t, "2026-03-05")
	setA := []Day{{Date: "2026-03-06", Workday: false}}           // +2 → 3/10
	setB := []Day{{Date: "2026-03-07", Workday: true, Name: "x"}} // +2 → 3/07
	valid := map[string]bool{"2026-03-09": true, "2026-03-10": true, "2026-03-07": true}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			switch i % 3 {
			case 0:
				c.SetOverrides(setA)
			case 1:
				c.SetOverrides(setB)
			default:
				c.SetOverrides(nil)
			}
		}
	}()
	errs := make(chan string, 8)
	var readers sync.WaitGroup
	for g := 0; g < 8; g++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; i < 2000; i++ {
				got := FormatDate(c.AddWorkdays(from, 2))
				if !valid[got] {
					errs <- got
					return
				}
				_ = c.WorkdaysBetween(from, mustDate(t, "2026-04-01"))
				_ = c.Day(from)
				_ = c.IsWorkday(from)
			}
		}()
	}
	readers.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("unexpected AddWorkdays result under concurrency: %s", e)
	}
	c.SetOverrides(setB)
	if got := FormatDate(c.AddWorkdays(from, 2)); got != "2026-03-07" {
		t.Errorf("after concurrent phase: got %s", got)
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := New()
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-03-03", "2026-03-03", 0},
		{"2026-03-05", "2026-03-03", 0},
		{"2026-03-02", "2026-03-09", 5},
		{"2025-09-30", "2025-10-09", 1},
		{"2025-09-30", "2025-10-11", 3},
		{"2025-09-26", "2025-10-12", 6},   // 9/28 9/29 9/30 10/9 10/10 10/11
		{"2026-02-13", "2026-02-28", 6},   // 2/14, 2/24–2/27, 2/28
		{"2024-12-31", "2025-12-31", 248}, // all of 2025
		{"2025-12-31", "2026-12-31", 248}, // all of 2026
		{"2025-12-31", "2027-01-01", 249}, // + 2027-01-01 Friday (Mon–Fri rule)
	}
	for _, tt := range tests {
		from, to := mustDate(t, tt.from), mustDate(t, tt.to)
		want := tt.want
		if got := c.WorkdaysBetween(from, to); got != want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, want)
		}
	}
	// Dates, not instants: late-evening UTC is already the next Shanghai day.
	if got := c.WorkdaysBetween(time.Date(2026, 9, 29, 16, 30, 0, 0, time.UTC), mustDate(t, "2026-10-08")); got != 1 {
		t.Errorf("Shanghai-date semantics: got %d, want 1", got)
	}
}

func TestWorkdaysBetweenMatchesAddWorkdays(t *testing.T) {
	cals := map[string]*Calendar{"builtin": New(), "overrides": New()}
	cals["overrides"].SetOverrides([]Day{
		{Date: "2026-03-06", Workday: false},
		{Date: "2026-03-07", Workday: true},
		{Date: "2025-10-08", Workday: true},
		{Date: "1999-12-31", Workday: false},
		{Date: "2100-01-02", Workday: true},
	})
	for name, c := range cals {
		t.Run(name, func(t *testing.T) {
			for d := mustDate(t, "2024-11-15"); d.Before(mustDate(t, "2027-02-15")); d = d.AddDate(0, 0, 1) {
				for n := 0; n <= 30; n++ {
					end := c.AddWorkdays(d.Add(13*time.Hour), n)
					if got := c.WorkdaysBetween(d, end); got != n {
						t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%s,%d)=%s) = %d", FormatDate(d), FormatDate(d), n, FormatDate(end), got)
					}
					if n > 0 && !c.IsWorkday(end) {
						t.Fatalf("AddWorkdays(%s,%d)=%s is not a workday", FormatDate(d), n, FormatDate(end))
					}
				}
			}
			// Far-away dates around overrides, and brute-force agreement on long spans.
			for _, s := range []string{"1999-12-20", "2099-12-25", "1900-03-01"} {
				d := mustDate(t, s)
				for n := 0; n <= 30; n++ {
					if got := c.WorkdaysBetween(d, c.AddWorkdays(d, n)); got != n {
						t.Fatalf("%s +%d: WorkdaysBetween = %d", s, n, got)
					}
				}
			}
			from, to := mustDate(t, "2024-06-01"), mustDate(t, "2027-06-01")
			brute := 0
			for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
				if c.IsWorkday(d) {
					brute++
				}
			}
			if got := c.WorkdaysBetween(from, to); got != brute {
				t.Errorf("long span: got %d, brute force %d", got, brute)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	good := []string{"2026-02-01", "2024-02-29", "2025-12-31", "0001-01-01", "9999-12-31"}
	for _, s := range good {
		d, err := ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q) error: %v", s, err)
			continue
		}
		if d.Location() != Shanghai || d.Hour() != 0 || d.Minute() != 0 {
			t.Errorf("ParseDate(%q) = %v, want midnight Shanghai", s, d)
		}
		if FormatDate(d) != s {
			t.Errorf("round trip %q -> %q", s, FormatDate(d))
		}
	}
	bad := []string{
		"", "2026-2-1", "2026-02-1", "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10",
		"2026-01-00", "2026-02-01T00:00", "2026-02-01 ", " 2026-02-01", "2026/02/01",
		"20260201", "garbage", "abcd-ef-gh", "+026-02-01", "2026-0a-01", "-2026-02-1",
		"２０２６-02-01", "2026-02-01\n",
	}
	for _, s := range bad {
		_, err := ParseDate(s)
		if err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
			continue
		}
		if !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseDate(%q) error %v does not wrap ErrInvalidDate", s, err)
		}
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC), "2026-10-01"},
		{time.Date(2026, 9, 30, 15, 59, 59, 0, time.UTC), "2026-09-30"},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, Shanghai), "2026-01-01"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.in); got != tt.want {
			t.Errorf("FormatDate(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if Shanghai == nil {
		t.Fatal("Shanghai is nil")
	}
	if _, off := time.Date(2026, 6, 1, 0, 0, 0, 0, Shanghai).Zone(); off != 8*3600 {
		t.Errorf("Shanghai offset = %d", off)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-02-01", "2026-2-1", "2026-02-30", "", "2026-02-01T00:00", "garbage", "0000-01-01", "9999-12-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("error %v does not wrap ErrInvalidDate", err)
			}
			return
		}
		if got := FormatDate(d); got != s {
			t.Fatalf("round trip %q -> %q", s, got)
		}
		if d2, err := ParseDate(FormatDate(d)); err != nil || !d2.Equal(d) {
			t.Fatalf("re-parse %q: %v %v", s, d2, err)
		}
	})
}

func BenchmarkAddWorkdays5(b *testing.B) {
	c := New()
	c.SetOverrides([]Day{{Date: "2026-03-06", Workday: false}})
	starts := make([]time.Time, 64)
	base := time.Date(2025, 9, 1, 10, 30, 0, 0, time.UTC)
	for i := range starts {
		starts[i] = base.AddDate(0, 0, i*3)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var sink time.Time
	for i := 0; i < b.N; i++ {
		sink = c.AddWorkdays(starts[i&63], 5)
	}
	_ = sink
}

func ExampleCalendar_AddWorkdays() {
	c := New()
	from, _ := ParseDate("2025-09-30")
	fmt.Println(FormatDate(c.AddWorkdays(from, 1)))
	// Output: 2025-10-09
}
