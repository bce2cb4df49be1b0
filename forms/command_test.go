package forms_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"yuetan/collections"
	"yuetan/forms"
	"yuetan/internal/testenv"
	"yuetan/workdays"
)

// runForms runs `yuetan forms args...` in process against env's app.
func runForms(env *testenv.Env, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	exited := -1
	cmd := forms.NewCommand(env.App, func(code int) { exited = code })
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.Execute()
	if (err != nil) != (exited == 1) {
		env.T.Errorf("error %v but exit code %d", err, exited)
	}
	return out.String(), errOut.String(), err
}

// TestFormsCommand: `yuetan forms --month M --out DIR` writes every form
// of every application active in M, one folder per serial, and M's
// bulletin, with a progress bar, registering each print.
func TestFormsCommand(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	now := time.Now().In(workdays.Shanghai)
	month := now.Format("2006-01")
	dir := filepath.Join(t.TempDir(), "归档")
	printsBefore, _ := env.App.CountRecords("form_prints")
	stdout, stderr, err := runForms(env, "--month", month, "--out", dir)
	if err != nil {
		t.Fatalf("forms: %v\n%s", err, stderr)
	}
	var files []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, rel)
			if b, _ := os.ReadFile(path); !isPDF(b) {
				t.Errorf("%s is not a PDF", rel)
			}
		}
		return nil
	})
	has := func(f string) bool { return slices.Contains(files, f) }
	// the seed's story: all four of its forms
	story := application(env, storySubject).GetString(collections.AppSerial)
	for _, f := range []string{"群众约谈登记申报表", "群众约谈交办通知单", "群众约谈情况登记表", "群众约谈事项办理情况反馈表"} {
		if !has(filepath.Join(story, f+".pdf")) {
			t.Errorf("%s/%s.pdf missing", story, f)
		}
	}
	// a forwarded application: its application form only
	forwarded := application(env, "中塘河划船段河道清淤").GetString(collections.AppSerial)
	for _, f := range files {
		if strings.HasPrefix(f, forwarded+string(filepath.Separator)) && f != filepath.Join(forwarded, "群众约谈登记申报表.pdf") {
			t.Errorf("forwarded application has %s", f)
		}
	}
	if !has(filepath.Join(forwarded, "群众约谈登记申报表.pdf")) {
		t.Errorf("forwarded application form missing: %v", files)
	}
	// drafts have no serial and are not archived
	for _, f := range files {
		if strings.Contains(f, "草稿") {
			t.Errorf("draft exported: %s", f)
		}
	}
	bulletin := "督查通报-" + now.Format("2006") + "年" + strings.TrimLeft(now.Format("01"), "0") + "月.pdf"
	if !has(bulletin) {
		t.Errorf("%s missing: %v", bulletin, files)
	}
	// one folder per submitted application (all of the demo's are active this month)
	var submitted int
	apps, _ := env.App.FindAllRecords(collections.Applications)
	for _, a := range apps {
		if a.GetString(collections.AppSerial) != "" {
			submitted++
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != submitted+1 {
		t.Errorf("%d entries in the output, want %d folders and the bulletin", len(entries), submitted)
	}
	if n, _ := env.App.CountRecords("form_prints"); int(n-printsBefore) != len(files) {
		t.Errorf("%d prints registered for %d files", n-printsBefore, len(files))
	}
	total := len(files)
	if !strings.Contains(stderr, "[####################] ") || !strings.Contains(stderr, "/"+strconv.Itoa(total)+" "+story) {
		t.Errorf("progress:\n%s", stderr)
	}
	if !strings.Contains(stdout, strconv.Itoa(total)+" 个 PDF") {
		t.Errorf("summary: %s", stdout)
	}
	// a month without activity: the bulletin alone
	empty := filepath.Join(t.TempDir(), "empty")
	if _, _, err := runForms(env, "--month", "2001-01", "--out", empty); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 1 || entries[0].Name() != "督查通报-2001年1月.pdf" {
		t.Errorf("empty month: %v", entries)
	}
}

// TestFormsCommandErrors: clear Chinese errors and a failure exit.
func TestFormsCommandErrors(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", t.TempDir()}, "请用 --month 指定月份"},
		{[]string{"--month", "2026-13", "--out", t.TempDir()}, "--month 2026-13 无效"},
		{[]string{"--month", "2026-11"}, "请用 --out 指定输出目录"},
		{[]string{"--month", "2026-11", "--out", file}, "无法创建输出目录"},
	} {
		_, stderr, err := runForms(env, c.args...)
		if err == nil || !strings.Contains(stderr, "错误："+c.want) && !strings.Contains(stderr, c.want) {
			t.Errorf("%v: err %v, stderr %q; want %q", c.args, err, stderr, c.want)
		}
	}
}
