package pgtest

import (
	"fmt"
	"testing"
)

// recorder stands in for a test, recording a Fatal or a Skip.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()           {}
func (r *recorder) Fatal(args ...any) { r.fatal = fmt.Sprint(args...) }
func (r *recorder) Skip(args ...any)  { r.skip = fmt.Sprint(args...) }

// TestMissingPostgresFailsUnderCI: without PostgreSQL a test skips on a
// developer's machine but fails under CI or YUETAN_REQUIRE_POSTGRES=1 — a
// skip there would be a test that cannot fail.
func TestMissingPostgresFailsUnderCI(t *testing.T) {
	for _, c := range []struct {
		ci, require string
		fails       bool
	}{
		{"", "", false},
		{"true", "", true},
		{"", "1", true},
	} {
		t.Setenv("CI", c.ci)
		t.Setenv("YUETAN_REQUIRE_POSTGRES", c.require)
		r := &recorder{TB: t}
		unavailable(r, "initdb/pg_ctl not found")
		if failed := r.fatal != ""; failed != c.fails || (r.fatal == "" && r.skip == "") {
			t.Errorf("CI=%q require=%q: fatal %q, skip %q", c.ci, c.require, r.fatal, r.skip)
		}
	}
}
