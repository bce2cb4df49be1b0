// Package workdays owns the official Chinese working-day calendar used to
// count "residents summon officials" deadlines: which dates are working days
// under the State Council holiday notices (built-in data for 2025–2026, plain
// Monday–Friday rule for other years), runtime overrides that win over the
// built-in data, and date parsing/formatting. Every calendar decision is made
// in Asia/Shanghai. The package is pure Go and knows nothing about storage.
package workdays

import (
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"
	_ "time/tzdata" // carry tzdata in the binary so Asia/Shanghai always loads
)

// Shanghai is the Asia/Shanghai location (or a fixed +08:00 "CST" zone if tzdata is unavailable).
var Shanghai *time.Location = loadShanghai()

func loadShanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*60*60)
	}
	return loc
}

// Source values reported in Day.Source.
const (
	SourceBuiltin  = "builtin"
	SourceOverride = "override"
	SourceWeekend  = "weekend"
	SourceWeekday  = "weekday"
)

// ErrInvalidDate is wrapped by every ParseDate error.
var ErrInvalidDate = errors.New("invalid date")

// Day describes one calendar date: whether it is a working day, its name and where that answer came from.
type Day struct {
	Date    string `json:"date"` // YYYY-MM-DD
	Workday bool   `json:"workday"`
	Name    string `json:"name"`
	Source  string `json:"source"`
}

// Calendar answers working-day questions; it is safe for concurrent use, and its zero value behaves like New().
type Calendar struct {
	tbl atomic.Pointer[table]
}

// entry is one special (non-rule) date inside a table.
type entry struct {
	day    int64 // days since 1970-01-01
	work   bool
	name   string
	source string
}

// table is an immutable snapshot: special dates sorted by day (unique), plus
// cum[k] = sum over entries[0..k] of (work - ruleWork), used by WorkdaysBetween.
type table struct {
	entries []entry
	cum     []int
}

var builtinTable = buildTable(nil)

// New returns a calendar holding only the built-in notice data.
func New() *Calendar {
	c := &Calendar{}
	c.tbl.Store(builtinTable)
	return c
}

func (c *Calendar) table() *table {
	if t := c.tbl.Load(); t != nil {
		return t
	}
	return builtinTable
}

// SetOverrides atomically replaces all overrides (they win over built-in data); entries with an unparsable Date are ignored, later duplicates win.
func (c *Calendar) SetOverrides(days []Day) {
	c.tbl.Store(buildTable(days))
}

func buildTable(overrides []Day) *table {
	m := make(map[int64]entry, len(builtinSpecials)+len(overrides))
	for _, b := range builtinSpecials {
		m[b.day] = b
	}
	for _, o := range overrides {
		t, err := ParseDate(o.Date)
		if err != nil {
			continue
		}
		name := o.Name
		if name == "" {
			if o.Workday {
				name = "调整为工作日"
			} else {
				name = "调整为休息日"
			}
		}
		d := dayNumber(t)
		m[d] = entry{day: d, work: o.Workday, name: name, source: SourceOverride}
	}
	tb := &table{entries: make([]entry, 0, len(m))}
	for _, e := range m {
		tb.entries = append(tb.entries, e)
	}
	sort.Slice(tb.entries, func(i, j int) bool { return tb.entries[i].day < tb.entries[j].day })
	tb.cum = make([]int, len(tb.entries))
	sum := 0
	for i, e := range tb.entries {
		sum += b2i(e.work) - b2i(ruleWork(e.day))
		tb.cum[i] = sum
	}
	return tb
}

// firstAfter returns the index of the first entry with day > d.
func (tb *table) firstAfter(d int64) int {
	lo, hi := 0, len(tb.entries)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if tb.entries[mid].day <= d {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// deltaUpTo is the sum of (work - ruleWork) over special entries with day <= d.
func (tb *table) deltaUpTo(d int64) int {
	i := tb.firstAfter(d)
	if i == 0 {
		return 0
	}
	return tb.cum[i-1]
}

// IsWorkday reports whether the Shanghai date of t is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	tb := c.table()
	d := dayNumber(t)
	if i := tb.firstAfter(d); i > 0 && tb.entries[i-1].day == d {
		return tb.entries[i-1].work
	}
	return ruleWork(d)
}

// AddWorkdays returns midnight Asia/Shanghai of the n-th working day after from's Shanghai date (start not counted; n<=0 returns the start date, negative n is clamped to 0).
func (c *Calendar) AddWorkdays(from time.Time, n int) time.Time {
	d := dayNumber(from)
	if n > 0 {
		tb := c.table()
		es := tb.entries
		i := tb.firstAfter(d)
		for n > 0 {
			d++
			var work bool
			if i < len(es) && es[i].day == d {
				work = es[i].work
				i++
			} else {
				work = ruleWork(d)
			}
			if work {
				n--
			}
		}
	}
	return dateOf(d)
}

// WorkdaysBetween counts working days d with from < d <= to (Shanghai dates); 0 if to is not after from.
func (c *Calendar) WorkdaysBetween(from, to time.Time) int {
	a, b := dayNumber(from), dayNumber(to)
	if b <= a {
		return 0
	}
	tb := c.table()
	return ruleWorkdaysBefore(b+1) - ruleWorkdaysBefore(a+1) + tb.deltaUpTo(b) - tb.deltaUpTo(a)
}

// Day reports what the calendar says about t's Shanghai date.
func (c *Calendar) Day(t time.Time) Day {
	tb := c.table()
	d := dayNumber(t)
	date := FormatDate(dateOf(d))
	if i := tb.firstAfter(d); i > 0 && tb.entries[i-1].day == d {
		e := tb.entries[i-1]
		return Day{Date: date, Workday: e.work, Name: e.name, Source: e.source}
	}
	if ruleWork(d) {
		return Day{Date: date, Workday: true, Name: "工作日", Source: SourceWeekday}
	}
	return Day{Date: date, Workday: false, Name: "周末", Source: SourceWeekend}
}

// BuiltinDays returns a fresh, date-sorted copy of the built-in special days.
func BuiltinDays() []Day {
	out := make([]Day, len(builtinSpecials))
	for i, e := range builtinSpecials {
		out[i] = Day{Date: FormatDate(dateOf(e.day)), Workday: e.work, Name: e.name, Source: SourceBuiltin}
	}
	return out
}

// ParseDate strictly parses YYYY-MM-DD into midnight Asia/Shanghai; errors wrap ErrInvalidDate.
func ParseDate(s string) (time.Time, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, fmt.Errorf("workdays: parse date %q: %w: want YYYY-MM-DD", s, ErrInvalidDate)
	}
	for i := 0; i < len(s); i++ {
		if i == 4 || i == 7 {
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, fmt.Errorf("workdays: parse date %q: %w: want YYYY-MM-DD", s, ErrInvalidDate)
		}
	}
	t, err := time.ParseInLocation(time.DateOnly, s, Shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("workdays: parse date %q: %w: %w", s, ErrInvalidDate, err)
	}
	return t, nil
}

// FormatDate formats t's Asia/Shanghai date as YYYY-MM-DD.
func FormatDate(t time.Time) string {
	return t.In(Shanghai).Format(time.DateOnly)
}

// dayNumber is the Shanghai calendar date of t as days since 1970-01-01.
func dayNumber(t time.Time) int64 {
	y, m, d := t.In(Shanghai).Date()
	// Midnight UTC is an exact multiple of 86400 seconds, so plain division is exact.
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// dateOf is midnight Asia/Shanghai of day number d.
func dateOf(d int64) time.Time {
	return time.Date(1970, time.January, 1+int(d), 0, 0, 0, 0, Shanghai)
}

// ruleWork is the plain Monday–Friday rule (1970-01-01, day 0, was a Thursday).
func ruleWork(d int64) bool {
	wd := (d + 4) % 7 // 0 = Sunday
	if wd < 0 {
		wd += 7
	}
	return wd != 0 && wd != 6
}

// ruleWorkdaysBefore counts Monday–Friday days in [origin, d) minus those in
// [origin, 0) for some fixed Monday origin; only differences are meaningful.
func ruleWorkdaysBefore(d int64) int {
	x := d - 4 // day 4 (1970-01-05) is a Monday
	w := x / 7
	r := x % 7
	if r < 0 {
		r += 7
		w--
	}
	if r > 5 {
		r = 5
	}
	return int(5*w + r)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
