// Tick boxes and the printed choices they stand for.

package pdf

import (
	"fmt"

	"github.com/jung-kurt/gofpdf"

	"yuetan/workflow"
)

// Box draws an empty tick box of the given side with its top-left corner
// at (x, y). CJK fonts have no ☐, so boxes are drawn as graphics.
func Box(p *gofpdf.Fpdf, x, y, side float64) {
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.25)
	p.Rect(x, y, side, side, "D")
}

// Tick draws a tick box at (x, y) and, when checked, a tick mark in it.
func Tick(p *gofpdf.Fpdf, x, y, side float64, checked bool) {
	Box(p, x, y, side)
	if !checked {
		return
	}
	p.SetLineWidth(side * 0.14)
	p.SetLineCapStyle("round")
	p.SetLineJoinStyle("round")
	p.MoveTo(x+side*0.18, y+side*0.52)
	p.LineTo(x+side*0.42, y+side*0.78)
	p.LineTo(x+side*0.86, y+side*0.2)
	p.DrawPath("D")
	p.SetLineCapStyle("butt")
	p.SetLineJoinStyle("miter")
}

// option is one printed choice of a tick-box list.
type option struct{ key, label string }

// printed turns a workflow vocabulary into the options a form ticks, with
// the wording the paper uses.
func printed(ts workflow.Terms) []option {
	out := make([]option, len(ts))
	for i, t := range ts {
		out[i] = option{t.Value, ts.PrintedLabel(t.Value)}
	}
	return out
}

// labelOf returns the printed label of key among opts.
func labelOf(opts []option, key string) (string, bool) {
	for _, o := range opts {
		if o.key == key {
			return o.label, true
		}
	}
	return "", false
}

// checkKey reports an unknown non-empty key as a layout error.
func (d *doc) checkKey(field string, opts []option, key string) {
	if key == "" {
		return
	}
	if _, ok := labelOf(opts, key); !ok {
		d.fail(fmt.Errorf("unknown %s %q", field, key))
	}
}

// choices lays out tick boxes with labels, wrapping inside w, and returns
// a cell drawing them with the option whose key is selected ticked.
func (d *doc) choices(w float64, opts []option, selected string) cell {
	st := stBody
	lh := st.lineH()
	type item struct {
		x, y  float64
		label string
		on    bool
	}
	var items []item
	x, y := padX, padY
	for _, o := range opts {
		iw := tickSide + 1.2 + d.width(o.label, st)
		if x > padX && x+iw > w-padX {
			x, y = padX, y+lh
		}
		items = append(items, item{x, y, o.label, o.key == selected})
		x += iw + 5
	}
	h := y + lh + padY
	return cell{w: w, drawH: h, draw: func(d *doc, cx, cy, cw, ch float64) {
		off := (ch - h) / 2
		for _, it := range items {
			top := cy + off + it.y
			bx, by := cx+it.x, top+(lh-tickSide)/2
			on := it.on
			d.add(func(p *gofpdf.Fpdf) { Tick(p, bx, by, tickSide, on) })
			d.text(bx+tickSide+1.2, baseline(top, st), 0, it.label, st, alignLeft)
		}
	}}
}
