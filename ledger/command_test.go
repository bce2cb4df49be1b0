package ledger_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yuetan/internal/testenv"
	"yuetan/ledger"
)

func runExport(env *testenv.Env, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	exited := -1
	cmd := ledger.NewCommand(env.App, func(code int) { exited = code })
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.Execute()
	if (err != nil) != (exited == 1) {
		env.T.Errorf("error %v but exit code %d", err, exited)
	}
	return out.String(), errOut.String(), err
}

// TestExportCommand: `yuetan export --from --to --out` writes the
// district's ledger (the superuser's, cell for cell the same as the
// route's), draws a progress bar to the last row, says what it wrote;
// --as narrows it to an account; it never overwrites a file and leaves
// nothing behind when refused.
func TestExportCommand(t *testing.T) {
	env := testenv.New(t)
	dir := t.TempDir()
	from, to := "2000-01-01", time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	out := filepath.Join(dir, "台账.xlsx")
	stdout, stderr, err := runExport(env, "--from", from, "--to", to, "--out", out)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := readBook(t, b)
	via := env.Do("GET", "/api/export/ledger?from="+from+"&to="+to, "admin@yuetan.example", nil)
	want := readBook(t, via.Body)
	for _, s := range ledger.Sheets() {
		if len(got[s.Name]) == 0 || len(got[s.Name]) != len(want[s.Name]) {
			t.Errorf("%s: %d rows from the command, %d from the route", s.Name, len(got[s.Name]), len(want[s.Name]))
			continue
		}
		for i := range got[s.Name] {
			for _, c := range s.Columns {
				if got[s.Name][i][c.Header] != want[s.Name][i][c.Header] {
					t.Errorf("%s row %d %s: %v, the route %v", s.Name, i+2, c.Header, got[s.Name][i][c.Header], want[s.Name][i][c.Header])
				}
			}
		}
	}
	_, total, _ := ledger.Count(env.App, ledger.Query{From: mustDate(t, from), To: mustDate(t, to).AddDate(0, 0, 1), Auth: superuser(t, env)})
	if !strings.Contains(stderr, "[####################] "+itoa(total)+"/"+itoa(total)) {
		t.Errorf("no finished progress bar for %d rows: %q", total, stderr)
	}
	if !strings.Contains(stdout, "台账已写入") || !strings.Contains(stdout, "约谈申请 "+itoa(len(got["约谈申请"]))+" 行") {
		t.Errorf("stdout %q", stdout)
	}

	// an existing file stays as it was
	if _, stderr, err := runExport(env, "--out", out); err == nil || !strings.Contains(stderr, "已存在") {
		t.Errorf("overwrote %s: %v %q", out, err, stderr)
	}
	if again, _ := os.ReadFile(out); !bytes.Equal(again, b) {
		t.Error("the refused export changed the file")
	}
	// as a leader: none of the residents
	lead := filepath.Join(dir, "领导.xlsx")
	if _, stderr, err := runExport(env, "--from", from, "--to", to, "--out", lead, "--as", "secretary@yuetan.example"); err != nil {
		t.Fatalf("--as: %v %s", err, stderr)
	}
	lb, _ := os.ReadFile(lead)
	for _, row := range readBook(t, lb)["问题和意见建议"] {
		if row["居民姓名"] != "" {
			t.Errorf("--as a leader shows a resident: %v", row)
		}
	}
	for _, bad := range [][]string{
		{"--out", filepath.Join(dir, "x.csv")},
		{"--from", "2026-02-30", "--out", filepath.Join(dir, "y.xlsx")},
		{"--as", "nobody@example.com", "--out", filepath.Join(dir, "z.xlsx")},
		{},
	} {
		if _, stderr, err := runExport(env, bad...); err == nil || !strings.HasPrefix(stderr, "错误：") {
			t.Errorf("%v: %v %q", bad, err, stderr)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v", names)
	}
}
