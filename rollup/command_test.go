package rollup_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	gosync "sync"
	"testing"

	"yuetan/rollup"
)

// TestReplicateCommandOnce: `yuetan replicate --once` catches up with
// progress lines (changes done of the total, the percentage, the rate)
// and a summary, then exits; a second run applies nothing. Bad flags are a
// Chinese error and exit status 1.
func TestReplicateCommandOnce(t *testing.T) {
	defer rollup.SetProgressEvery(rollup.SetProgressEvery(0))
	pg := newDB(t)
	d := newDistrict(t, "330102")
	bulkIssues(t, d, 3000, "cmd")
	run := func(args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		code := 0
		cmd := rollup.NewReplicateCommand(d.App, func(c int) { code = c })
		cmd.SetArgs(args)
		cmd.SetOut(&out)
		cmd.SetErr(&errOut)
		cmd.SetContext(context.Background())
		_ = cmd.Execute()
		return out.String(), errOut.String(), code
	}
	out, errOut, code := run("--postgres", pg, "--district", d.code, "--once", "--batch", "500")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !regexp.MustCompile(`区 330102 追赶中：\d+/\d+ 条变更（\d+%）`).MatchString(out) || !strings.Contains(out, "已追平") ||
		!regexp.MustCompile(`区 330102：复制 \d+ 条变更，已复制到序号 \d+`).MatchString(out) {
		t.Errorf("no progress or summary:\n%s", out)
	}
	assertReplica(t, d, pg, false)
	out, _, _ = run("--postgres", pg, "--district", d.code, "--once")
	if !strings.Contains(out, "复制 0 条变更") {
		t.Errorf("second run: %s", out)
	}
	for _, args := range [][]string{
		{"--postgres", pg, "--district", "", "--once"},
		{"--postgres", "::not a url::", "--district", d.code, "--once"},
	} {
		t.Setenv(rollup.EnvDistrict, "")
		if _, errOut, code := run(args...); code != 1 || !strings.HasPrefix(errOut, "错误：") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

// TestSameDistrictTwice: two replicators of one district at once (serve's
// background one and a cron --once, say) while the district writes: the
// cursor row's lock orders their batches, and the replica matches.
func TestSameDistrictTwice(t *testing.T) {
	pg := newDB(t)
	d := newDistrict(t, "330102")
	bulkIssues(t, d, 4000, "two")
	w := startWriter(d, "双写")
	var wg gosync.WaitGroup
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		r, _ := d.replicator(pg, rollup.Options{BatchSize: 100 + 50*i})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 4; round++ {
				if _, err := r.CatchUp(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	w.halt(t)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	d.catchUp(pg, rollup.Options{})
	assertReplica(t, d, pg, false)
}
