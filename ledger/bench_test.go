package ledger_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"yuetan/internal/testenv"
	"yuetan/ledger"
)

// addApplications inserts n submitted applications (and their submission
// events) straight into the database: the benchmark's data, not a test
// of the workflow.
func addApplications(t testing.TB, env *testenv.Env, n int, at time.Time) {
	community, street := env.Org("DL-HC").Id, env.Org("DL").Id
	leader := env.User("chief@yuetan.example").Id
	stamp := at.UTC().Format("2006-01-02 15:04:05.000Z")
	_, err := env.App.DB().NewQuery(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {:n})
		INSERT INTO applications (id, serial, community, street, applicant_kind, contact_name, contact_phone, subject, category,
			target_leader, assigned_leader, status, submitted_at, accepted_at, notice_due, notified_at, created, updated)
		SELECT printf('bench%010d', i), printf('约申〔2025〕第%d号', i), {:community}, {:street}, 'community', '联系人' || i, printf('138%08d', i),
			'基准事项' || i, 'other_hot', {:leader}, {:leader}, 'notified', {:at}, {:at}, {:at}, {:at}, {:at}, {:at} FROM n`).
		Bind(map[string]any{"n": n, "community": community, "street": street, "leader": leader, "at": stamp}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.App.DB().NewQuery(`INSERT INTO events (id, application, action, from_status, to_status, actor_name, created, updated)
		SELECT 'ev' || substr(id, 6), id, 'submit', 'draft', 'submitted', '系统', {:at}, {:at} FROM applications WHERE id LIKE 'bench%'`).
		Bind(map[string]any{"at": stamp}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}

// csvVisitor writes the same rows as CSV with encoding/csv: the baseline.
type csvVisitor struct{ w *csv.Writer }

func (c *csvVisitor) Sheet(s ledger.Sheet) error {
	head := make([]string, len(s.Columns))
	for i, col := range s.Columns {
		head[i] = col.Header
	}
	return c.w.Write(head)
}

func (c *csvVisitor) Row(cells []any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch x := v.(type) {
		case time.Time:
			rec[i] = x.Format("2006-01-02 15:04")
		case nil:
		default:
			rec[i] = fmt.Sprint(x)
		}
	}
	return c.w.Write(rec)
}

// peakHeap runs f and returns the most heap found live (by the garbage
// collector's marking, so garbage not yet swept does not count) above
// what was live before, sampled every millisecond.
func peakHeap(f func() error) (uint64, error) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	err := f()
	close(stop)
	<-done
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	if peak.Load() < base {
		return 0, err
	}
	return peak.Load() - base, err
}

// BenchmarkLedger100k exports 100 000 applications as the working group
// to .xlsx and, in the same run, the same rows as CSV with encoding/csv;
// it reports the time and peak heap of the workbook as ratios to the CSV
// (xlsx/csv-time, xlsx/csv-heap) and the workbook's peak heap per row.
//
//	go test ./ledger -run '^$' -bench Ledger100k -benchtime 2x -p 1
func BenchmarkLedger100k(b *testing.B) {
	n := 100_000
	if s := os.Getenv("LEDGER_BENCH_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	env := testenv.New(b)
	at := time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC)
	addApplications(b, env, n, at)
	q := ledger.Query{From: at.Add(-time.Hour), To: at.Add(time.Hour), Auth: env.User("wg@yuetan.example")}
	dir := b.TempDir()
	var xt, ct time.Duration
	var xh, ch uint64
	writeXLSX := func() {
		f, _ := os.Create(dir + "/l.xlsx")
		defer f.Close()
		start := time.Now()
		h, err := peakHeap(func() error {
			counts, err := ledger.Write(env.App, q, f, nil)
			if err == nil && counts["约谈申请"] != n {
				err = fmt.Errorf("%d rows", counts["约谈申请"])
			}
			return err
		})
		xt += time.Since(start)
		xh = max(xh, h)
		if err != nil {
			b.Fatal(err)
		}
	}
	writeCSV := func() {
		g, _ := os.Create(dir + "/l.csv")
		defer g.Close()
		start := time.Now()
		h, err := peakHeap(func() error {
			w := csv.NewWriter(g)
			if err := ledger.Walk(env.App, q, &csvVisitor{w}, nil); err != nil {
				return err
			}
			w.Flush()
			return w.Error()
		})
		ct += time.Since(start)
		ch = max(ch, h)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// in turn, so neither always runs on the warmer caches
		if i%2 == 0 {
			writeXLSX()
			writeCSV()
		} else {
			writeCSV()
			writeXLSX()
		}
	}
	b.ReportMetric(float64(xt)/float64(ct), "xlsx/csv-time")
	b.ReportMetric(float64(xh)/float64(max(ch, 1)), "xlsx/csv-heap")
	b.ReportMetric(float64(xh)/float64(n), "xlsx-heap-B/row")
}
