package apis_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"yuetan/internal/testenv"
)

const (
	streetReviewer = "street@yuetan.example"
	workingGroup   = "wg@yuetan.example"
	supervisor     = "sup@yuetan.example"
)

// BenchmarkReadsAtScale measures what a user sees against the size of the
// tables (testenv.Grow: this year's district the same, its history grown),
// alternating the two sizes so both see the same machine:
//   - street_list_1M_vs_10k: the street reviewer's issues list, page 1 with
//     its total, at 1,000,000 issues over at 10,000 (goal ≤ 1.5);
//   - stats_1M_vs_10k: the working group's /api/stats for the year to date
//     (goal ≤ 3);
//   - full_read_keyset_100k_vs_10k and full_read_offset_100k_vs_10k: the
//     supervisor reading every issue through the list API in pages of 500,
//     by keyset (as the web app's listAll) and by OFFSET, at 100,000
//     issues over at 10,000 (10 is linear).
func BenchmarkReadsAtScale(b *testing.B) {
	sizes := map[string]*testenv.Env{}
	for _, n := range []struct {
		name  string
		total int
	}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}} {
		env := testenv.New(b)
		env.Grow(n.total, 1_000)
		sizes[n.name] = env
	}
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	get := func(env *testenv.Env, who, path string) map[string]any {
		res := env.Do("GET", path, who, nil)
		if res.Status != 200 {
			b.Fatalf("GET %s as %s: %s", path, who, res)
		}
		return res.JSON(b)
	}
	streetList := func(env *testenv.Env) func() {
		return func() {
			page := get(env, streetReviewer, "/api/collections/issues/records?page=1&perPage=30&sort=-collected_at")
			if page["totalItems"].(float64) < 1_000 {
				b.Fatalf("street reviewer sees %v issues", page["totalItems"])
			}
		}
	}
	stats := func(env *testenv.Env) func() {
		return func() { get(env, workingGroup, "/api/stats") }
	}
	fullRead := func(env *testenv.Env, keyset bool) func() {
		return func() {
			read, last := 0, ""
			for page := 1; ; page++ {
				q := url.Values{"perPage": {"500"}, "skipTotal": {"1"}, "fields": {"id,title"}}
				if keyset {
					q.Set("sort", "id")
					if last != "" {
						q.Set("filter", fmt.Sprintf("id > %q", last))
					}
				} else {
					q.Set("page", fmt.Sprint(page))
				}
				items := get(env, supervisor, "/api/collections/issues/records?"+q.Encode())["items"].([]any)
				read += len(items)
				if len(items) < 500 {
					break
				}
				last = items[len(items)-1].(map[string]any)["id"].(string)
			}
			if read < 10_000 {
				b.Fatalf("full read: %d issues", read)
			}
		}
	}
	var sl10k, sl1M, st10k, st1M, key10k, key100k, off10k, off100k []time.Duration
	for i := 0; b.Loop(); i++ {
		pairs := []struct {
			a, b   *[]time.Duration
			fa, fb func()
		}{
			{&sl10k, &sl1M, streetList(sizes["10k"]), streetList(sizes["1M"])},
			{&st10k, &st1M, stats(sizes["10k"]), stats(sizes["1M"])},
			{&key10k, &key100k, fullRead(sizes["10k"], true), fullRead(sizes["100k"], true)},
			{&off10k, &off100k, fullRead(sizes["10k"], false), fullRead(sizes["100k"], false)},
		}
		for _, p := range pairs {
			if i%2 == 0 {
				*p.a = append(*p.a, timed(p.fa))
				*p.b = append(*p.b, timed(p.fb))
			} else {
				*p.b = append(*p.b, timed(p.fb))
				*p.a = append(*p.a, timed(p.fa))
			}
		}
	}
	ratio := func(large, small []time.Duration) float64 { return float64(median(large)) / float64(median(small)) }
	b.ReportMetric(ratio(sl1M, sl10k), "street_list_1M_vs_10k")
	b.ReportMetric(ratio(st1M, st10k), "stats_1M_vs_10k")
	b.ReportMetric(ratio(key100k, key10k), "full_read_keyset_100k_vs_10k")
	b.ReportMetric(ratio(off100k, off10k), "full_read_offset_100k_vs_10k")
	b.ReportMetric(float64(median(sl10k).Microseconds())/1000, "street_list_10k_ms")
	b.ReportMetric(float64(median(st10k).Microseconds())/1000, "stats_10k_ms")
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
