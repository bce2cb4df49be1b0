package texttable

import (
	"bytes"
	"strings"
	"testing"
)

func TestWidth(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"grid@yuetan.example", 19},
		{"网格员", 6},
		{"区委书记（四套班子）", 20},
		{"王小燕, 划船社区", 16},
		{"ｙ", 2}, // fullwidth Latin
	} {
		if got := Width(c.s); got != c.want {
			t.Errorf("Width(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}

// Every row's columns start at the same terminal column, Chinese or not.
func TestWriteAligns(t *testing.T) {
	rows := [][]string{
		{"账号", "角色", "姓名"},
		{"grid@yuetan.example", "网格员", "王小燕"},
		{"secretary@yuetan.example", "被约谈领导", "周明远"},
		{"sup@x", "督查", "黄海"},
	}
	var b bytes.Buffer
	if err := Write(&b, "  ", rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != len(rows) {
		t.Fatalf("%d lines for %d rows:\n%s", len(lines), len(rows), b.String())
	}
	for col := 1; col < 3; col++ {
		want := -1
		for i, line := range lines {
			at := Width(line[:strings.Index(line, rows[i][col])])
			if want == -1 {
				want = at
			} else if at != want {
				t.Errorf("column %d of row %d starts at %d, row 0 at %d:\n%s", col, i, at, want, b.String())
			}
		}
	}
	if !strings.HasPrefix(lines[1], "  grid@yuetan.example") || strings.HasSuffix(lines[1], " ") {
		t.Errorf("indent or trailing space wrong: %q", lines[1])
	}
}
