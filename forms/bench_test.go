package forms_test

import (
	"sort"
	"testing"
	"time"

	"yuetan/collections"
	"yuetan/forms"
	"yuetan/internal/testenv"
)

// BenchmarkRouteVsRender measures GET /api/forms/{form}/{id} against
// rendering the same mapped form directly, for the seed story's records
// (the co-signature sheet: the residents' draft, 7 rows; the bulletin:
// this month's demo figures). Each sub-benchmark reports the median ms per
// request and "x-render", the median route time over the median direct
// render, the two measured alternately in the same process: what access
// checks, mapping, the print register and HTTP add to a PDF. (ns/op
// counts both.)
func BenchmarkRouteVsRender(b *testing.B) {
	env := testenv.New(b)
	story := application(env, storySubject)
	residents := application(env, "划船社区僵尸车清理")
	month := time.Now().Format("2006-01")
	for _, c := range []struct{ form, id, url, who string }{
		{"application", story.Id, "/api/forms/application/" + story.Id, staff},
		{"signatures", residents.Id, "/api/forms/signatures/" + residents.Id, staff},
		{"notice", story.Id, "/api/forms/notice/" + story.Id, staff},
		{"talk", first(env, collections.Talks, story.Id).Id, "/api/forms/talk/" + story.Id, staff},
		{"feedback", first(env, collections.Feedback, story.Id).Id, "/api/forms/feedback/" + story.Id, staff},
		{"bulletin", month, "/api/forms/bulletin?month=" + month, sup},
	} {
		b.Run(c.form, func(b *testing.B) {
			render, err := forms.RenderDirectly(env.App, c.form, c.id)
			if err != nil {
				b.Fatal(err)
			}
			// interleaved, so that load on a shared machine hits both alike
			var route, direct []time.Duration
			for b.Loop() {
				start := time.Now()
				if res := get(env, c.url, c.who); res.status != 200 {
					b.Fatalf("status %d: %s", res.status, res.body)
				}
				route = append(route, time.Since(start))
				start = time.Now()
				if _, err := render(); err != nil {
					b.Fatal(err)
				}
				direct = append(direct, time.Since(start))
			}
			m := median(route)
			b.ReportMetric(float64(m.Microseconds())/1000, "ms/req")
			b.ReportMetric(float64(m)/float64(median(direct)), "x-render")
		})
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
