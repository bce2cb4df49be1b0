package workdays

import "sort"

// span is an inclusive range of dates from a State Council notice.
type span struct {
	from, to string // YYYY-MM-DD, inclusive
	work     bool
	name     string
}

// notices holds the State Council holiday arrangements (放假安排通知).
// Ranges with work=false are days off; work=true are make-up working days (调休上班).
var notices = []span{
	// 国务院办公厅关于2025年部分节假日安排的通知
	{"2025-01-01", "2025-01-01", false, "元旦"},
	{"2025-01-26", "2025-01-26", true, "春节调休上班"},
	{"2025-01-28", "2025-02-04", false, "春节"},
	{"2025-02-08", "2025-02-08", true, "春节调休上班"},
	{"2025-04-04", "2025-04-06", false, "清明节"},
	{"2025-04-27", "2025-04-27", true, "劳动节调休上班"},
	{"2025-05-01", "2025-05-05", false, "劳动节"},
	{"2025-05-31", "2025-06-02", false, "端午节"},
	{"2025-09-28", "2025-09-28", true, "国庆节、中秋节调休上班"},
	{"2025-10-01", "2025-10-08", false, "国庆节、中秋节"},
	{"2025-10-11", "2025-10-11", true, "国庆节、中秋节调休上班"},

	// 国务院办公厅关于2026年部分节假日安排的通知
	{"2026-01-01", "2026-01-03", false, "元旦"},
	{"2026-01-04", "2026-01-04", true, "元旦调休上班"},
	{"2026-02-14", "2026-02-14", true, "春节调休上班"},
	{"2026-02-15", "2026-02-23", false, "春节"},
	{"2026-02-28", "2026-02-28", true, "春节调休上班"},
	{"2026-04-04", "2026-04-06", false, "清明节"},
	{"2026-05-01", "2026-05-05", false, "劳动节"},
	{"2026-05-09", "2026-05-09", true, "劳动节调休上班"},
	{"2026-06-19", "2026-06-21", false, "端午节"},
	{"2026-09-20", "2026-09-20", true, "国庆节调休上班"},
	{"2026-09-25", "2026-09-27", false, "中秋节"},
	{"2026-10-01", "2026-10-07", false, "国庆节"},
	{"2026-10-10", "2026-10-10", true, "国庆节调休上班"},
}

// builtinSpecials is notices expanded to one entry per date, sorted by day.
var builtinSpecials = expandNotices(notices)

func expandNotices(spans []span) []entry {
	var out []entry
	seen := map[int64]bool{}
	for _, s := range spans {
		from, err := ParseDate(s.from)
		if err != nil {
			panic("workdays: bad built-in data: " + err.Error())
		}
		to, err := ParseDate(s.to)
		if err != nil {
			panic("workdays: bad built-in data: " + err.Error())
		}
		a, b := dayNumber(from), dayNumber(to)
		if b < a {
			panic("workdays: bad built-in data: reversed range " + s.from + ".." + s.to)
		}
		for d := a; d <= b; d++ {
			if seen[d] {
				panic("workdays: bad built-in data: duplicate date in " + s.from + ".." + s.to)
			}
			seen[d] = true
			out = append(out, entry{day: d, work: s.work, name: s.name, source: SourceBuiltin})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].day < out[j].day })
	return out
}
