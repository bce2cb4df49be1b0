package rollup_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"yuetan/collections"
	"yuetan/rollup"
	"yuetan/stats"
	"yuetan/workdays"
)

// twoDistricts replicates two districts whose records share ids (clones
// of the demo), renamed 江东区 and 江北区, the second with extra matters.
func twoDistricts(t *testing.T) (string, *district, *district) {
	t.Helper()
	pg := newDB(t)
	a, b := newDistrict(t, "330102"), newDistrict(t, "330105")
	b.save(collections.Orgs, b.Org("JD").Id, map[string]any{collections.OrgName: "江北区"})
	now := time.Now()
	n := now.In(workdays.Shanghai)
	monthStart := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, workdays.Shanghai)
	generate(t, b, 120, now, 2, max(now.Sub(monthStart), time.Minute)) // this month
	a.catchUp(pg, rollup.Options{})
	b.catchUp(pg, rollup.Options{})
	return pg, a, b
}

// TestCityFiguresAddUp: over the city views (ids prefixed by district, so
// joins never cross districts even though both districts use the same
// ids), every additive city figure is the sum of the districts' own.
func TestCityFiguresAddUp(t *testing.T) {
	pg, a, b := twoDistricts(t)
	db := openFigures(t, pg)
	now := time.Now()
	q := stats.Query{From: time.Date(2000, 1, 1, 0, 0, 0, 0, workdays.Shanghai), To: now.AddDate(1, 0, 0)}
	city, err := rollup.CityFigures(t.Context(), db, q, now)
	if err != nil {
		t.Fatal(err)
	}
	var fa, fb *stats.Figures
	if fa, err = rollup.DistrictFigures(t.Context(), db, a.code, q, now); err != nil {
		t.Fatal(err)
	}
	if fb, err = rollup.DistrictFigures(t.Context(), db, b.code, q, now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name          string
		city, da, db_ int
	}{
		{"applications", city.Total, fa.Total, fb.Total},
		{"accepted", city.Accepted.Total, fa.Accepted.Total, fb.Accepted.Total},
		{"declined", city.Declined, fa.Declined, fb.Declined},
		{"on the spot", city.Resolved.OnSpot, fa.Resolved.OnSpot, fb.Resolved.OnSpot},
		{"assigned", city.Resolved.Assigned, fa.Resolved.Assigned, fb.Resolved.Assigned},
		{"closed", city.Closed, fa.Closed, fb.Closed},
		{"overdue now", city.OverdueNow, fa.OverdueNow, fb.OverdueNow},
		{"replied", city.Satisfaction.Replied, fa.Satisfaction.Replied, fb.Satisfaction.Replied},
		{"communities", city.Communities, fa.Communities, fb.Communities},
		{"problems", city.Problems, fa.Problems, fb.Problems},
		{"streets", len(city.ByStreet), len(fa.ByStreet), len(fb.ByStreet)},
	} {
		if c.city != c.da+c.db_ || c.da == 0 {
			t.Errorf("%s: city %d, districts %d + %d", c.name, c.city, c.da, c.db_)
		}
	}
}

// TestCityBulletinCommand runs `yuetan city-bulletin` and reads the PDF
// back with pdftotext: a row per district with its own figures, the city's
// totals, and a clear error for bad input.
func TestCityBulletinCommand(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed: bash scripts/test-deps.sh")
	}
	pg, a, b := twoDistricts(t)
	month := time.Now().In(workdays.Shanghai).Format("2006-01")
	out := filepath.Join(t.TempDir(), "city.pdf")
	var stdout, stderr bytes.Buffer
	exited := 0
	cmd := rollup.NewCityBulletinCommand(func(code int) { exited = code })
	cmd.SetArgs([]string{"--postgres", pg, "--month", month, "--out", out})
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	if err := cmd.Execute(); err != nil || exited != 0 {
		t.Fatalf("city-bulletin: %v (exit %d) %s", err, exited, stderr.String())
	}
	txt, err := exec.Command("pdftotext", "-layout", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(txt)
	m, _ := time.ParseInLocation("2006-01", month, workdays.Shanghai)
	db := openFigures(t, pg)
	q := stats.Query{From: m, To: m.AddDate(0, 1, 0)}
	for _, want := range []string{"群众约谈事项督查通报", "二、各区情况", "全市2个区", "市委市政府督查室", "合计"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	total := 0
	for _, d := range []*district{a, b} {
		f, err := rollup.DistrictFigures(t.Context(), db, d.code, q, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		total += f.Total
		name := d.Org("JD").GetString(collections.OrgName)
		line := lineWith(text, name+" ")
		fields := strings.Fields(line)
		if len(fields) < 5 || fields[1] != strconv.Itoa(f.Total) || fields[2] != strconv.Itoa(f.Accepted.Total) || fields[4] != strconv.Itoa(f.OverdueNow) {
			t.Errorf("row of %s: %q, want received %d accepted %d overdue %d", name, line, f.Total, f.Accepted.Total, f.OverdueNow)
		}
	}
	if total == 0 {
		t.Fatal("no applications this month: the bulletin test proves nothing")
	}
	if fields := strings.Fields(lineWith(text, "合计")); len(fields) < 2 || fields[1] != strconv.Itoa(total) {
		t.Errorf("合计 row %v, want %d received", fields, total)
	}

	// bad input: a clear error, no file
	for _, args := range [][]string{
		{"--postgres", pg, "--month", "2026-13", "--out", out + "2"},
		{"--postgres", "postgres://x@127.0.0.1:1/none?connect_timeout=3", "--month", month, "--out", out + "2"},
		{"--month", month, "--out", out + "2"},
	} {
		stderr.Reset()
		cmd := rollup.NewCityBulletinCommand(func(code int) { exited = code })
		cmd.SetArgs(args)
		cmd.SetOut(&stdout)
		cmd.SetErr(&stderr)
		t.Setenv(rollup.EnvPostgres, "")
		if err := cmd.Execute(); err == nil || !strings.HasPrefix(stderr.String(), "错误：") {
			t.Errorf("%v: err %v, stderr %q", args, err, stderr.String())
		}
		if _, err := os.Stat(out + "2"); err == nil {
			t.Errorf("%v wrote a file", args)
		}
	}
}

func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
