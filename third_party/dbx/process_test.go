package dbx

import (
	"math/rand"
	"strings"
	"testing"
)

// processSQLRegexps is dbx v1.12.0's processSQL, with its regexps.
func (db *DB) processSQLRegexps(s string) (string, []string) {
	var placeholders []string
	count := 0
	s = plRegex.ReplaceAllStringFunc(s, func(m string) string {
		count++
		placeholders = append(placeholders, m[2:len(m)-1])
		return db.GeneratePlaceholder(count)
	})
	s = quoteRegex.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '{' {
			return db.QuoteTableName(m[2 : len(m)-2])
		}
		return db.QuoteColumnName(m[2 : len(m)-2])
	})
	return s, placeholders
}

// TestProcessSQLAsRegexps: the hand scan rewrites what the regexps did,
// on real statements and on random strings of the characters that matter.
func TestProcessSQLAsRegexps(t *testing.T) {
	db := NewFromDB(nil, "sqlite")
	cases := []string{
		"", "SELECT 1", "{:a}", "{:}", "{:a b}", "{{t}}", "{{}}", "[[c]]", "[[]]", "[[t.c]]", "{{a-b. c}}",
		"{{{:a}}}", "[[[c]]]", "{{{{t}}}}", "{:a}{:b}", "{{t}}[[c]]", "{{t}", "[[c]", "{:a", "{", "[", "{{", "[[",
		"SELECT [[t.a]], {{x}}.b FROM {{t}} WHERE [[id]] = {:id} AND [[n]] IN ({:p0}, {:p1})",
		"INSERT INTO `issues` (`a`, `b`) VALUES ({:p0}, {:p1})",
		"SELECT value FROM json_each({:ids}) WHERE x = '{:notaparam}' AND [[é]] = 1",
	}
	alphabet := []string{"{", "}", "[", "]", ":", "a", "Z", "0", "_", "-", ".", " ", "é", "?", "t"}
	r := rand.New(rand.NewSource(1))
	for range 20000 {
		var b strings.Builder
		for range r.Intn(24) {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		got, gotP := db.processSQL(c)
		want, wantP := db.processSQLRegexps(c)
		if got != want || strings.Join(gotP, ",") != strings.Join(wantP, ",") || len(gotP) != len(wantP) {
			t.Fatalf("%q: got %q %q, the regexps %q %q", c, got, gotP, want, wantP)
		}
	}
}

func BenchmarkProcessSQL(b *testing.B) {
	db := NewFromDB(nil, "sqlite")
	q := "SELECT DISTINCT `issues`.`id` FROM `issues` LEFT JOIN `users` `__auth_users` ON `__auth_users`.`id`={:p0} WHERE ([[issues.id]] IN (SELECT value FROM json_each({:p1}))) AND ((([[__auth_users.role]] = {:p2} OR [[__auth_users.role]] = {:p3}) AND COALESCE([[issues.community]], '') = COALESCE([[__auth_users.org]], '')))"
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			db.processSQL(q)
		}
	})
	b.Run("regexps", func(b *testing.B) {
		for b.Loop() {
			db.processSQLRegexps(q)
		}
	})
}
