package ledger

import (
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/xuri/excelize/v2"

	"yuetan/workdays"
)

// dateFormat is how date cells show (the cell holds the date itself).
const dateFormat = "yyyy-mm-dd hh:mm"

// Write writes the ledger of q to w as an .xlsx workbook and returns how
// many rows each sheet has. progress as in Walk.
func Write(app core.App, q Query, w io.Writer, progress func(done int)) (map[string]int, error) {
	x, err := newXLSX()
	if err != nil {
		return nil, err
	}
	defer x.file.Close()
	if err := Walk(app, q, x, progress); err != nil {
		return nil, err
	}
	if err := x.flush(); err != nil {
		return nil, err
	}
	// the workbook is born with a "Sheet1" the sheets replace
	if err := x.file.DeleteSheet("Sheet1"); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	x.file.SetActiveSheet(0)
	if _, err := x.file.WriteTo(w); err != nil {
		return nil, fmt.Errorf("ledger write: %w", err)
	}
	return x.counts, nil
}

// xlsx is a Visitor writing each sheet with excelize's streaming writer.
type xlsx struct {
	file          *excelize.File
	sw            *excelize.StreamWriter
	sheet         Sheet
	row           int
	counts        map[string]int
	header, dates int // style ids
}

func newXLSX() (*xlsx, error) {
	f := excelize.NewFile()
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, fmt.Errorf("ledger style: %w", err)
	}
	format := dateFormat
	dates, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return nil, fmt.Errorf("ledger style: %w", err)
	}
	return &xlsx{file: f, counts: map[string]int{}, header: header, dates: dates}, nil
}

func (x *xlsx) flush() error {
	if x.sw == nil {
		return nil
	}
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("ledger sheet %s: %w", x.sheet.Name, err)
	}
	x.sw = nil
	return nil
}

// Sheet starts a worksheet: column widths, the frozen header row.
func (x *xlsx) Sheet(s Sheet) error {
	if err := x.flush(); err != nil {
		return err
	}
	if _, err := x.file.NewSheet(s.Name); err != nil {
		return fmt.Errorf("ledger sheet %s: %w", s.Name, err)
	}
	sw, err := x.file.NewStreamWriter(s.Name)
	if err != nil {
		return fmt.Errorf("ledger sheet %s: %w", s.Name, err)
	}
	x.sw, x.sheet, x.row = sw, s, 1
	x.counts[s.Name] = 0
	for i, c := range s.Columns {
		if c.Width > 0 {
			if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
				return err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return fmt.Errorf("ledger sheet %s: %w", s.Name, err)
	}
	head := make([]any, len(s.Columns))
	for i, c := range s.Columns {
		head[i] = excelize.Cell{StyleID: x.header, Value: c.Header}
	}
	return x.sw.SetRow("A1", head, excelize.RowOpts{Height: 30})
}

// Row writes one row; a date is written as the Asia/Shanghai wall time
// (a spreadsheet's dates have no time zone).
func (x *xlsx) Row(cells []any) error {
	x.row++
	x.counts[x.sheet.Name]++
	out := make([]any, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case time.Time:
			out[i] = excelize.Cell{StyleID: x.dates, Value: wallTime(v)}
		case string:
			if v != "" {
				out[i] = v
			}
		default:
			out[i] = v
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, out)
}

// wallTime is t's Shanghai clock reading as a time in UTC, which is what
// excelize turns into a spreadsheet date.
func wallTime(t time.Time) time.Time {
	s := t.In(workdays.Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), s.Hour(), s.Minute(), s.Second(), 0, time.UTC)
}
