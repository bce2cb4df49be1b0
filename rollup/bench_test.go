package rollup_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"yuetan/demo"
	"yuetan/internal/pgtest"
	"yuetan/rollup"
	"yuetan/stats"
	"yuetan/tabletsync/client"
	"yuetan/workdays"
)

// Every benchmark here reports ratios against a baseline measured in the
// same run (absolute times depend on the shared machine):
//
//	go test -run '^$' -bench . -benchtime 1x ./rollup
//
// Sizes: YUETAN_BENCH_CHANGES (default 200000) feed changes for the
// catch-up, YUETAN_BENCH_TABLETS (600) simulated tablets for the lag,
// YUETAN_BENCH_DISTRICTS (100) × 5 years of matters for the city figures.

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// heapPeak samples the Go heap in use until stopped and returns its peak.
func heapPeak() (stop func() float64) {
	var peak uint64
	done := make(chan struct{})
	var wg gosync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(peak) / (1 << 20)
	}
}

// BenchmarkCatchUpVsCopy replicates a district whose feed holds
// YUETAN_BENCH_CHANGES changes (bulk issues plus the demo) into a fresh
// database and — the floor — COPYs exactly the rows a catch-up wrote
// (exported once with COPY … TO in binary) into the same tables of another
// fresh database, alternating which goes first. catchup_vs_copy_x = COPY's
// time / the catch-up's: the catch-up's rate as a fraction of plain COPY's
// (goal ≥ 0.3). The peak Go heap during the catch-ups shows the batches
// bound memory.
func BenchmarkCatchUpVsCopy(b *testing.B) {
	n := envInt("YUETAN_BENCH_CHANGES", 200_000)
	ctx := context.Background()
	d := newDistrict(b, "330102")
	bulkIssues(b, d, n, "bch")
	admin := pgtest.URL(b)
	dir := b.TempDir()
	var tCatch, tCopy time.Duration
	var changes int
	var heap float64
	catchUp := func() {
		pg := pgtest.CreateDatabase(b, admin)
		r, _ := d.replicator(pg, rollup.Options{})
		if err := r.Connect(ctx); err != nil { // migrations, not timed
			b.Fatal(err)
		}
		runtime.GC()
		stop := heapPeak()
		start := time.Now()
		got, err := r.CatchUp(ctx)
		tCatch += time.Since(start)
		heap = max(heap, stop())
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
		if changes == 0 { // the floor's rows: exactly what the catch-up wrote
			src := pgConn(b, pg)
			for _, coll := range rollup.Collections {
				f, err := os.Create(filepath.Join(dir, coll))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := src.PgConn().CopyTo(ctx, f, "COPY yuetan."+coll+" TO STDOUT (FORMAT binary)"); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		}
		changes = got
	}
	plainCopy := func() {
		dst := pgtest.CreateDatabase(b, admin)
		db := openSQL(b, dst)
		if err := rollup.Migrate(db); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO yuetan.districts (code, server_id) VALUES ('330102', 'copy')"); err != nil {
			b.Fatal(err)
		}
		conn := pgConn(b, dst)
		start := time.Now()
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for _, coll := range rollup.Collections {
				f, err := os.Open(filepath.Join(dir, coll))
				if err != nil {
					return err
				}
				_, err = tx.Conn().PgConn().CopyFrom(ctx, f, "COPY yuetan."+coll+" FROM STDIN (FORMAT binary)")
				f.Close()
				if err != nil {
					return err
				}
			}
			return nil
		})
		tCopy += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	catchUp() // warm-up, and the floor's rows
	tCatch = 0
	iter := 0
	for b.Loop() {
		if iter%2 == 0 {
			catchUp()
			plainCopy()
		} else {
			plainCopy()
			catchUp()
		}
		iter++
	}
	b.ReportMetric(float64(changes), "changes")
	b.ReportMetric(float64(changes)/tCatch.Seconds()*float64(iter), "catchup_changes/s")
	b.ReportMetric(float64(changes)/tCopy.Seconds()*float64(iter), "copy_rows/s")
	b.ReportMetric(float64(tCopy)/float64(tCatch), "catchup_vs_copy_x")
	b.ReportMetric(heap, "catchup_peak_heap_MB")
}

// BenchmarkLagTablets runs the district server on loopback with the
// replicator following it as serve does (woken by every save), and
// YUETAN_BENCH_TABLETS simulated tablets in 75 communities, 30 mutations
// each, their syncs spread over 30 seconds (tabletsync/client's simulator). The
// lag of a change is from its feed row (written in the push's
// transaction) to the commit of the PostgreSQL batch holding it.
// lag_p99_vs_push_p99_x compares it with the tablets' own push latency in
// the same run. Goal: lag p99 < 2 s.
func BenchmarkLagTablets(b *testing.B) {
	tablets := envInt("YUETAN_BENCH_TABLETS", 600)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := newDistrict(b, "330102")
	srv := d.Serve()
	pg := newDB(b)
	var mu gosync.Mutex
	var lags []time.Duration
	rep, err := rollup.New(d.App, rollup.Options{Postgres: pg, District: d.code, Log: quiet(),
		OnBatch: func(committed time.Time, at []string) {
			mu.Lock()
			defer mu.Unlock()
			for _, s := range at {
				if t, err := time.Parse("2006-01-02 15:04:05.000Z", s); err == nil {
					lags = append(lags, committed.Sub(t))
				}
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	rollup.BindWake(d.App, rep)
	ran := make(chan error, 1)
	go func() { ran <- rep.Run(ctx) }()
	caughtUp := func() bool { s := rep.Status(); return s.Pending == 0 && s.State == "following" }
	waitFor(b, 2*time.Minute, "the initial catch-up", caughtUp)
	var report client.SimReport
	for b.Loop() {
		mu.Lock()
		lags = nil
		mu.Unlock()
		opts := client.SimOptions{Server: srv.URL, Tablets: tablets, Mutations: 30, Dir: b.TempDir(), Password: demo.Password,
			Communities: 75, Superuser: demo.SuperuserEmail, SuperuserPassword: demo.Password, Spread: 30 * time.Second}
		if report, err = client.Simulate(ctx, opts); err != nil {
			b.Fatal(err)
		}
		waitFor(b, 5*time.Minute, "the replica to catch up", caughtUp)
	}
	cancel()
	if err := <-ran; err != nil {
		b.Fatal(err)
	}
	assertReplica(b, d, pg, false)
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lags)
	pct := func(p float64) time.Duration { return lags[int(float64(len(lags)-1)*p)] }
	b.ReportMetric(float64(len(lags)), "changes")
	b.ReportMetric(float64(pct(0.50).Milliseconds()), "lag_p50_ms")
	b.ReportMetric(float64(pct(0.99).Milliseconds()), "lag_p99_ms")
	b.ReportMetric(float64(report.Percentile(99).Milliseconds()), "push_p99_ms")
	b.ReportMetric(float64(pct(0.99))/float64(report.Percentile(99)), "lag_p99_vs_push_p99_x")
}

// BenchmarkCityFigures: one district with 5 years of matters (about 1,000
// applications with talks and feedback) replicated, then copied in
// PostgreSQL to YUETAN_BENCH_DISTRICTS districts. Baseline: that
// district's own GET /api/stats over the 5 years (SQLite). Timed: the
// same district's figures from PostgreSQL, the city's figures over every
// district at once, and the city bulletin's data (city + one computation
// per district). Each reported as a ratio to the baseline.
func BenchmarkCityFigures(b *testing.B) {
	districts := envInt("YUETAN_BENCH_DISTRICTS", 100)
	ctx := context.Background()
	d := newDistrict(b, "D000")
	now := time.Now()
	generate(b, d, 1000, now, 5, 5*365*24*time.Hour)
	pg := newDB(b)
	d.catchUp(pg, rollup.Options{})
	c := pgConn(b, pg)
	if _, err := c.Exec(ctx, `INSERT INTO yuetan.districts (code, server_id, name)
		SELECT 'D' || lpad(g::text, 3, '0'), 'copy-' || g, '模拟区' || g FROM generate_series(1, $1::int - 1) g`, districts); err != nil {
		b.Fatal(err)
	}
	for _, coll := range rollup.Collections {
		var cols []string
		for _, col := range pgColumns(b, c, coll) {
			if col.name != "district" {
				cols = append(cols, col.name)
			}
		}
		list := strings.Join(cols, ", ")
		if _, err := c.Exec(ctx, fmt.Sprintf(`INSERT INTO yuetan.%s (district, %s)
			SELECT dd.code, t.%s FROM yuetan.%s t CROSS JOIN yuetan.districts dd WHERE t.district = 'D000' AND dd.code <> 'D000'`,
			coll, list, strings.Join(cols, ", t."), coll)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := c.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	db := openFigures(b, pg)
	from := now.AddDate(-5, 0, -1).In(workdays.Shanghai)
	q := stats.Query{From: time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, workdays.Shanghai), To: now.Add(time.Second)}
	statsURL := "/api/stats?from=" + workdays.FormatDate(q.From)
	var tStats, tDistrict, tCity, tBulletin time.Duration
	var apps int
	for b.Loop() {
		start := time.Now()
		res := d.Do("GET", statsURL, demo.SuperuserEmail, nil)
		tStats += time.Since(start)
		if res.Status != http.StatusOK {
			b.Fatal(res)
		}
		apps = int(res.JSON(b)["applications"].(float64))

		start = time.Now()
		one, err := rollup.DistrictFigures(ctx, db, "D000", q, now)
		tDistrict += time.Since(start)
		if err != nil || one.Total != apps {
			b.Fatalf("district from PostgreSQL: %v, %d vs %d applications", err, one.Total, apps)
		}

		start = time.Now()
		city, err := rollup.CityFigures(ctx, db, q, now)
		tCity += time.Since(start)
		if err != nil || city.Total != districts*apps {
			b.Fatalf("city: %v, %d applications, want %d", err, city.Total, districts*apps)
		}

		start = time.Now()
		if _, err := rollup.CityBulletin(ctx, db, rollup.CityBulletinOptions{Month: q.To.AddDate(0, -1, 0), Now: now}); err != nil {
			b.Fatal(err)
		}
		tBulletin += time.Since(start)
	}
	b.ReportMetric(float64(apps), "applications_per_district")
	b.ReportMetric(float64(districts), "districts")
	b.ReportMetric(float64(tStats.Microseconds())/1000/float64(b.N), "stats_ms")
	b.ReportMetric(float64(tDistrict)/float64(tStats), "pg_district_vs_stats_x")
	b.ReportMetric(float64(tCity)/float64(tStats), "city_vs_stats_x")
	b.ReportMetric(float64(tCity)/float64(tStats)/float64(districts), "city_per_district_vs_stats_x")
	b.ReportMetric(float64(tBulletin)/float64(tStats), "city_bulletin_month_vs_stats_x")
}
