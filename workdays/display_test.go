package workdays

import (
	"testing"
	"time"
)

func TestDisplay(t *testing.T) {
	at := time.Date(2026, 11, 5, 6, 8, 0, 0, time.UTC) // 14:08 in Beijing
	for _, c := range []struct{ got, want string }{
		{DisplayDate(at), "2026年11月5日"},
		{DisplayDateTime(at), "2026年11月5日 14:08"},
		{DisplayDateTime(time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC)), "2027年1月1日 00:30"},
		{DisplayDay("2026-12-01"), "2026年12月1日"},
		{DisplayDay("not a day"), "not a day"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
