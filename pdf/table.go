// Tables: rows that grow to fit their cells and split over pages.

package pdf

import (
	"math"
	"strings"
)

// cell is one cell of a table row: wrapped text, a footer line, or custom
// content of a fixed height.
type cell struct {
	w      float64
	text   string
	st     style
	align  align
	label  bool   // shaded label cell; repeated with （续） when a row splits
	top    bool   // text starts at the top instead of being centred
	foot   string // right-aligned line at the bottom (signature, date)
	draw   func(d *doc, x, y, w, h float64)
	drawH  float64 // height draw needs
	lines  []string
	footer []string
}

// row is one table row; it grows to fit its cells and, unless keep is set
// or it has custom content, splits over pages line by line.
type row struct {
	cells []cell
	minH  float64
	keep  bool
}

// lbl is a shaded, bold, centred label cell; val a value cell; para a
// value cell whose text starts at the top.
func lbl(w float64, s string) cell {
	return cell{w: w, text: s, st: stLabel, align: alignCenter, label: true}
}
func val(w float64, s string) cell { return cell{w: w, text: s, st: stBody} }
func para(w float64, s string) cell {
	return cell{w: w, text: s, st: stBody, top: true}
}

// layout wraps the cells' text and returns the row height.
func (d *doc) layoutRow(r *row) float64 {
	h := r.minH
	if h == 0 {
		h = rowMinH
	}
	for i := range r.cells {
		c := &r.cells[i]
		if c.st.size == 0 {
			c.st = stBody
		}
		ch := c.drawH
		if c.draw == nil {
			c.lines = nil
			if c.text != "" {
				c.lines = d.wrap(c.text, c.w-2*padX, c.st)
			}
			c.footer = nil
			if c.foot != "" {
				c.footer = d.wrap(c.foot, c.w-2*padX, c.st)
			}
			n := len(c.lines) + len(c.footer)
			ch = float64(n)*c.st.lineH() + 2*padY
			if len(c.footer) > 0 && len(c.lines) > 0 {
				ch += c.st.lineH() / 2
			}
		}
		h = math.Max(h, ch)
	}
	return h
}

// drawRow draws a laid-out row at the cursor with height h.
func (d *doc) drawRow(r *row, h float64) {
	x := marginL
	for i := range r.cells {
		c := &r.cells[i]
		if c.label {
			d.fill(x, d.y, c.w, h, labelGray, labelGray, labelGray)
		}
		d.rect(x, d.y, c.w, h, thinLine)
		if c.draw != nil {
			c.draw(d, x, d.y, c.w, h)
		} else {
			lh := c.st.lineH()
			top := d.y + padY
			if !c.top && len(c.footer) == 0 {
				top = d.y + (h-float64(len(c.lines))*lh)/2
			}
			d.lines(x+padX, top, c.w-2*padX, c.lines, c.st, c.align)
			if n := len(c.footer); n > 0 {
				d.lines(x+padX, d.y+h-padY-float64(n)*lh, c.w-2*padX, c.footer, c.st, alignRight)
			}
		}
		x += c.w
	}
	d.y += h
}

// table draws rows from the cursor, breaking pages as needed; header, if
// not nil, is repeated at the top of every page the table continues on.
func (d *doc) table(rows []row, header *row) { d.tableFill(rows, header, nil) }

// tableFill is table, then, if fill is not nil, adds rows fill(i) for
// i = len(rows), len(rows)+1, … while they fit on the last page.
func (d *doc) tableFill(rows []row, header *row, fill func(i int) row) {
	rows = append([]row(nil), rows...)
	segTop := d.y
	onPage := 0 // body rows drawn on this page
	frame := func() {
		if d.y > segTop {
			d.rect(marginL, segTop, contentW, d.y-segTop, thickLine)
		}
	}
	drawHeader := func() {
		if header != nil {
			hh := d.layoutRow(header)
			d.drawRow(header, hh)
		}
	}
	breakPage := func() {
		frame()
		d.newPage()
		segTop, onPage = d.y, 0
		drawHeader()
	}
	if header != nil && d.y+d.layoutRow(header)+12 > bodyBottom {
		d.newPage()
		segTop = d.y
	}
	drawHeader()
	fresh := bodyBottom - contTop // room on an empty continuation page
	if header != nil {
		fresh -= d.layoutRow(header)
	}
	for i := 0; i < len(rows); {
		r := rows[i]
		h := d.layoutRow(&r)
		avail := bodyBottom - d.y
		if h <= avail+eps {
			d.drawRow(&r, h)
			i, onPage = i+1, onPage+1
			continue
		}
		// Split a row that cannot fit on a page anyway, or that has a
		// reasonable number of lines left on this one.
		minLines := 3
		if h > fresh {
			minLines = 2
		}
		if first, rest, ok := d.splitRow(r, avail, minLines); ok {
			d.drawRow(&first, math.Max(d.layoutRowKeep(&first), avail))
			onPage++
			breakPage()
			rows[i] = rest
			continue
		}
		if onPage > 0 {
			breakPage()
			continue
		}
		d.drawRow(&r, h) // taller than a page and unsplittable: let it run
		i, onPage = i+1, onPage+1
	}
	for i := len(rows); fill != nil; i++ {
		r := fill(i)
		h := d.layoutRow(&r)
		if d.y+h > bodyBottom+eps {
			break
		}
		d.drawRow(&r, h)
	}
	frame()
}

// layoutRowKeep returns the height of a row whose lines are already set.
func (d *doc) layoutRowKeep(r *row) float64 {
	h := 0.0
	for _, c := range r.cells {
		n := len(c.lines) + len(c.footer)
		ch := float64(n)*c.st.lineH() + 2*padY
		if c.draw != nil {
			ch = c.drawH
		}
		h = math.Max(h, ch)
	}
	return h
}

// splitRow splits a laid-out row so that its first part fits in avail.
func (d *doc) splitRow(r row, avail float64, minLines int) (first, rest row, ok bool) {
	if r.keep {
		return
	}
	lh := 0.0
	for _, c := range r.cells {
		if c.draw != nil {
			return
		}
		lh = math.Max(lh, c.st.lineH())
	}
	k := int((avail - 2*padY) / lh)
	if k < minLines {
		return
	}
	first = row{cells: make([]cell, len(r.cells))}
	rest = row{cells: make([]cell, len(r.cells)), minH: 0}
	split := false
	for i, c := range r.cells {
		f, s := c, c
		if c.label && len(c.lines) > k {
			return row{}, row{}, false
		}
		if c.label {
			f.footer, f.foot = nil, ""
			s.text = strings.TrimSuffix(c.text, "（续）") + "（续）"
			s.lines = nil
		} else {
			n := len(c.lines) + len(c.footer)
			if n > k {
				split = true
				if len(c.lines) >= k {
					f.lines, f.footer, f.foot = c.lines[:k], nil, ""
					s.text = strings.Join(c.lines[k:], "\n")
					s.top = true
				} else {
					// Only the footer moves on.
					f.footer, f.foot = nil, ""
					s.text = ""
				}
			} else {
				s.text, s.foot = "", ""
			}
		}
		first.cells[i], rest.cells[i] = f, s
	}
	if !split {
		return row{}, row{}, false
	}
	return first, rest, true
}
