// Text: styles, measuring, wrapping into lines and flowing over pages.

package pdf

import (
	"strings"

	"github.com/jung-kurt/gofpdf"
)

// style selects face and size of a piece of text.
type style struct {
	size float64 // points
	bold bool
	gray int // text colour as a grey level, 0 = black
}

var (
	stTitle = style{size: titleSize, bold: true}
	stBody  = style{size: bodySize}
	stLabel = style{size: bodySize, bold: true}
	stSmall = style{size: smallSize}
	stTiny  = style{size: tinySize, gray: 90}
)

// em is the font size in mm; lineH the height of one line box.
func (st style) em() float64    { return st.size * ptToMM }
func (st style) lineH() float64 { return st.size * ptToMM * lineFactor }
func (st style) faceIndex() int {
	if st.bold {
		return 1
	}
	return 0
}
func (st style) gofpdfStyle() string {
	if st.bold {
		return "B"
	}
	return ""
}

// align places a line of text inside its box.
type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// clean prepares s for drawing with st: control characters go, characters
// the font lacks become 〓.
func (d *doc) clean(s string, st style, keepNewlines bool) string {
	f := d.faces[st.faceIndex()]
	ok := true
	for _, r := range s {
		if !f.has(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' && keepNewlines:
			b.WriteRune(r)
		case r == '\t':
			b.WriteRune(' ')
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
		case f.has(r):
			b.WriteRune(r)
		default:
			b.WriteRune(missingRune)
		}
	}
	return b.String()
}

// runeWidth returns a function measuring single runes in mm for st.
func (d *doc) runeWidth(st style) func(rune) float64 {
	f := d.faces[st.faceIndex()]
	k := st.size * ptToMM / 1000
	return func(r rune) float64 { return f.width(r) * k }
}

// width measures s in mm.
func (d *doc) width(s string, st style) float64 {
	f := d.faces[st.faceIndex()]
	w := 0.0
	for _, r := range s {
		w += f.width(r)
	}
	return w * st.size * ptToMM / 1000
}

// wrap breaks s into lines at most w mm wide.
func (d *doc) wrap(s string, w float64, st style) []string {
	return wrapText(d.clean(s, st, true), w, d.runeWidth(st))
}

// text draws one line with its baseline at y, aligned inside [x, x+w].
func (d *doc) text(x, y, w float64, s string, st style, a align) {
	s = d.clean(s, st, false)
	if s == "" {
		return
	}
	switch a {
	case alignCenter:
		x += (w - d.width(s, st)) / 2
	case alignRight:
		x += w - d.width(s, st)
	}
	used := d.used[st.faceIndex()]
	for _, r := range s {
		used[r] = true
	}
	d.add(func(p *gofpdf.Fpdf) {
		p.SetFont(fontFamily, st.gofpdfStyle(), st.size)
		p.SetTextColor(st.gray, st.gray, st.gray)
		p.Text(x, y, s)
	})
}

// baseline returns the baseline of a line of st whose line box starts at
// top: the ideographic em box (880/1000 above the baseline in Source Han
// and Noto CJK) is centred in the line box.
func baseline(top float64, st style) float64 {
	return top + (st.lineH()-st.em())/2 + 0.88*st.em()
}

// lines draws wrapped lines from top, one line box each.
func (d *doc) lines(x, top, w float64, ls []string, st style, a align) {
	for i, l := range ls {
		d.text(x, baseline(top+float64(i)*st.lineH(), st), w, l, st, a)
	}
}

// paragraph flows s over pages from the cursor, w wide, indented by x.
func (d *doc) paragraph(x, w float64, s string, st style) {
	for _, l := range d.wrap(s, w, st) {
		d.ensure(st.lineH())
		d.text(x, baseline(d.y, st), w, l, st, alignLeft)
		d.y += st.lineH()
	}
}
