package ledger_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/ledger"
	"yuetan/workdays"
)

// book is a workbook read back: per sheet, the header and the rows as
// header → cell (text as shown, dates as time.Time).
type book map[string][]map[string]any

// readBook reads an .xlsx cell by cell with excelize, checking the
// header row is frozen and every date column holds dates.
func readBook(t *testing.T, b []byte) book {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	out := book{}
	for _, s := range ledger.Sheets() {
		if idx, _ := f.GetSheetIndex(s.Name); idx < 0 {
			t.Fatalf("no sheet %s in %v", s.Name, f.GetSheetList())
		}
		panes, err := f.GetPanes(s.Name)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: header row not frozen: %+v %v", s.Name, panes, err)
		}
		rows, err := f.GetRows(s.Name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Fatalf("%s: no header row", s.Name)
		}
		for i, c := range s.Columns {
			if i >= len(rows[0]) || rows[0][i] != c.Header {
				t.Fatalf("%s: header %d is %q, want %q", s.Name, i, at(rows[0], i), c.Header)
			}
		}
		out[s.Name] = []map[string]any{}
		for r := 1; r < len(rows); r++ {
			row := map[string]any{}
			for i, c := range s.Columns {
				raw := at(rows[r], i)
				if c.Kind != ledger.Date || raw == "" {
					row[c.Header] = raw
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(i+1, r+1)
				typ, _ := f.GetCellType(s.Name, cell)
				shown, _ := f.GetCellValue(s.Name, cell)
				serial, err := strconv.ParseFloat(raw, 64)
				if err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || len(shown) != 16 {
					t.Fatalf("%s %s: %q (%v, shown %q) is not a date cell", s.Name, cell, raw, typ, shown)
				}
				d, err := excelize.ExcelDateToTime(serial, false)
				if err != nil {
					t.Fatal(err)
				}
				row[c.Header] = d.Round(time.Second)
			}
			out[s.Name] = append(out[s.Name], row)
		}
	}
	return out
}

func at(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// wall is a stored date as the Shanghai wall-clock time the workbook
// shows (as a UTC time, as excelize reads a date back).
func wall(t *testing.T, stored any) any {
	s, _ := stored.(string)
	if s == "" {
		return ""
	}
	d, err := time.Parse("2006-01-02 15:04:05.000Z", s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	w := d.In(workdays.Shanghai)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)
}

// listed is what the list API gives email of collection, by id.
func listed(t *testing.T, env *testenv.Env, email, collection, filter string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for page := 1; ; page++ {
		res := env.Do("GET", "/api/collections/"+collection+"/records?perPage=500&page="+strconv.Itoa(page)+"&filter="+url.QueryEscape(filter), email, nil)
		if res.Status != http.StatusOK {
			if res.Status == http.StatusForbidden {
				return out
			}
			t.Fatalf("%s lists %s: %d %s", email, collection, res.Status, res)
		}
		body := res.JSON(t)
		for _, it := range body["items"].([]any) {
			m := it.(map[string]any)
			out[m["id"].(string)] = m
		}
		if float64(page) >= body["totalPages"].(float64) {
			return out
		}
	}
}

// TestLedgerEqualsTheListAPI exports the whole ledger as every demo
// account and reads it back cell by cell: each sheet holds exactly the
// records the list API gives that account (applications once submitted),
// each personal cell exactly what the list API shows it (a leader sees
// no resident's name or phone, a handler no co-signer), and the dates
// are date cells holding the stored instant in Shanghai time.
func TestLedgerEqualsTheListAPI(t *testing.T) {
	env := testenv.New(t)
	callers := []string{demo.SuperuserEmail}
	for _, a := range demo.Accounts {
		callers = append(callers, a.Email)
	}
	checked := map[string]int{}
	for _, email := range callers {
		res := env.Do("GET", "/api/export/ledger?from=2000-01-01&to=2100-12-31", email, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: export %d %s", email, res.Status, res)
		}
		b := readBook(t, res.Body)

		apps := listed(t, env, email, collections.Applications, `submitted_at != ""`)
		rows := b["约谈申请"]
		if len(rows) != len(apps) {
			t.Errorf("%s: %d application rows, the list API gives %d", email, len(rows), len(apps))
		}
		bySerial := map[string]map[string]any{}
		for _, a := range apps {
			bySerial[a["serial"].(string)] = a
		}
		for _, row := range rows {
			a := bySerial[row["编号"].(string)]
			if a == nil {
				t.Errorf("%s: row %v is no application the list API gives", email, row["编号"])
				continue
			}
			for header, fieldName := range map[string]string{"联系人": "contact_name", "联系电话": "contact_phone", "约谈事项": "subject"} {
				want, _ := a[fieldName].(string)
				if row[header] != want {
					t.Errorf("%s %s: %s is %q, the list API %q", email, row["编号"], header, row[header], want)
				}
			}
			for header, fieldName := range map[string]string{"交办通知单送达（3个工作日）·期限": "notice_due", "交办通知单送达（3个工作日）·完成": "notified_at", "销号时间": "closed_at"} {
				if want := wall(t, a[fieldName]); row[header] != want {
					t.Errorf("%s %s: %s is %v, stored %v", email, row["编号"], header, row[header], want)
				}
			}
			if row["报送街道"] == "" {
				t.Errorf("%s %s: no submission date", email, row["编号"])
			}
			checked["applications"]++
		}

		issues := listed(t, env, email, collections.Issues, "")
		if got := len(b["问题和意见建议"]); got != countWith(issues, "collected_at") {
			t.Errorf("%s: %d issue rows, the list API gives %d", email, got, countWith(issues, "collected_at"))
		}
		byTitle := map[string][]map[string]any{}
		for _, is := range issues {
			byTitle[is["title"].(string)] = append(byTitle[is["title"].(string)], is)
		}
		for _, row := range b["问题和意见建议"] {
			found := false
			for _, is := range byTitle[row["标题"].(string)] {
				name, _ := is["resident_name"].(string)
				phone, _ := is["resident_phone"].(string)
				if row["居民姓名"] == name && row["居民电话"] == phone && row["收集时间"] == wall(t, is["collected_at"]) {
					found = true
					if name != "" {
						checked["resident names"]++
					}
				}
			}
			if !found {
				t.Errorf("%s: issue row %v matches nothing the list API gives (%v)", email, row, byTitle[row["标题"].(string)])
			}
		}

		sigs := listed(t, env, email, collections.Signatures, "")
		if got := len(b["居民联名"]); got != len(sigs) {
			t.Errorf("%s: %d co-signature rows, the list API gives %d", email, got, len(sigs))
		}
		seen := map[string]int{}
		for _, s := range sigs {
			name, _ := s["name"].(string)
			phone, _ := s["phone"].(string)
			seen[name+"|"+phone]++
		}
		for _, row := range b["居民联名"] {
			k := fmt.Sprint(row["姓名"], "|", row["联系电话"])
			if seen[k] == 0 {
				t.Errorf("%s: co-signature row %v is none the list API gives", email, row)
			}
			seen[k]--
			checked["co-signers"]++
		}
	}
	for _, k := range []string{"applications", "resident names", "co-signers"} {
		if checked[k] == 0 {
			t.Errorf("no %s were compared", k)
		}
	}
}

func countWith(m map[string]map[string]any, field string) int {
	n := 0
	for _, r := range m {
		if s, _ := r[field].(string); s != "" {
			n++
		}
	}
	return n
}

// TestLedgerHidesFromLeaders checks the side door directly: a leader's
// workbook carries no resident's name or phone anywhere, though the
// district's does.
func TestLedgerHidesFromLeaders(t *testing.T) {
	env := testenv.New(t)
	all := env.Do("GET", "/api/export/ledger?from=2000-01-01&to=2100-12-31", "sup@yuetan.example", nil)
	own := env.Do("GET", "/api/export/ledger?from=2000-01-01&to=2100-12-31", "secretary@yuetan.example", nil)
	if all.Status != 200 || own.Status != 200 {
		t.Fatalf("status %d %d", all.Status, own.Status)
	}
	names := 0
	for _, row := range readBook(t, all.Body)["问题和意见建议"] {
		if row["居民姓名"] != "" {
			names++
		}
	}
	if names == 0 {
		t.Fatal("the district's ledger has no resident names: nothing to hide")
	}
	leader := readBook(t, own.Body)
	if len(leader["问题和意见建议"]) == 0 {
		t.Fatal("the leader's ledger has no issues at all: the test proves nothing")
	}
	for _, row := range leader["问题和意见建议"] {
		if row["居民姓名"] != "" || row["居民电话"] != "" {
			t.Errorf("a leader's ledger shows a resident: %v", row)
		}
	}
	if n := len(leader["居民联名"]); n != 0 {
		t.Errorf("a leader's ledger has %d co-signatures", n)
	}
}

// TestLedgerRefusals: no sign-in, a bad range; a browser that opened the
// link gets a Chinese page, a program the JSON.
func TestLedgerRefusals(t *testing.T) {
	env := testenv.New(t)
	for _, c := range []struct {
		url, who string
		status   int
	}{
		{"/api/export/ledger", "", http.StatusUnauthorized},
		{"/api/export/ledger?from=2026-13-01", "sup@yuetan.example", http.StatusBadRequest},
		{"/api/export/ledger?from=2026-11-30&to=2026-11-01", "sup@yuetan.example", http.StatusBadRequest},
		{"/api/export/ledger?token=nonsense", "", http.StatusUnauthorized},
	} {
		res := env.Do("GET", c.url, c.who, nil)
		if res.Status != c.status || res.JSON(t)["message"] == "" {
			t.Errorf("%s as %q: %d %s", c.url, c.who, res.Status, res)
		}
		page := env.DoHeaders("GET", c.url, c.who, map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
		if page.Status != c.status || !strings.Contains(page.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(page.String(), "<html lang=\"zh-CN\">") || strings.Contains(page.String(), `"message"`) {
			t.Errorf("%s as %q in a browser: %d %s %s", c.url, c.who, page.Status, page.Header.Get("Content-Type"), page)
		}
	}
}
