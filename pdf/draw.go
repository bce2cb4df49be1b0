package pdf

import (
	"bytes"
	"fmt"
	goimage "image"
	"image/draw"
	_ "image/jpeg" // signatures may come as JPEG
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"

	"yuetan/workflow"
)

// Page geometry and type sizes shared by all forms, in millimetres and points.
const (
	pageW      = 210.0
	pageH      = 297.0
	marginL    = 20.0
	marginR    = 20.0
	contentW   = pageW - marginL - marginR
	bodyTop    = 16.0  // first page: title baseline area starts here
	contTop    = 22.0  // continuation pages: body starts here
	bodyBottom = 276.0 // body content never goes below this line
	footerY    = 283.0 // baseline of the verification line
	pageNoY    = 289.5 // baseline of "第 X 页 共 Y 页"

	qrSide = 20.0 // verification QR code on the first page, top right

	titleSize = 18.0 // 小二
	bodySize  = 11.0
	smallSize = 9.0
	tinySize  = 7.5

	lineFactor = 1.5  // line height as a multiple of the font size
	padX       = 1.8  // horizontal padding inside table cells
	padY       = 1.6  // vertical padding inside table cells
	thinLine   = 0.25 // inner table rules
	thickLine  = 0.6  // table frame
	tickSide   = 3.4  // side of a tick box
	rowMinH    = 9.5  // default minimum height of a table row
	labelGray  = 242  // background of label cells

	ptToMM = 25.4 / 72
)

// fontFamily is the name the embedded font is registered under in gofpdf.
const fontFamily = "notosanssc"

// compressOutput turns zlib compression of page content on; tests turn it
// off to get readable golden files.
var compressOutput = true

// Meta is printed on every form: serial number, verification line and QR
// code, and the generation time. It is embedded in every form's data struct.
type Meta struct {
	Serial      string    // form serial number, e.g. "YT-2026-0193"
	VerifyCode  string    // short code a reader can type to check the copy
	VerifyURL   string    // URL encoded in the QR code and printed in full
	GeneratedAt time.Time // printed, and the PDF's creation date; required
}

// Forms lists the names of the forms this package renders, in process order.
func Forms() []string {
	return []string{"application", "signatures", "notice", "talk", "feedback", "bulletin"}
}

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

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// op is one drawing operation, replayed into gofpdf once the layout is done
// and the set of characters used is known.
type op func(p *gofpdf.Fpdf)

// doc lays a form out. Layout measures text with the cached font metrics
// and records drawing operations per page; render then builds a font subset
// holding exactly the characters used and replays the operations into
// gofpdf. Recording first also gives the total page count before any page
// number is printed.
type doc struct {
	faces  [2]*face
	meta   Meta
	title  string
	pages  [][]op
	cur    int // page the next operation goes to
	used   [2]map[rune]bool
	y      float64 // layout cursor on the current page
	nimg   int
	widths map[int]bool // pixel widths of registered images, kept unique
	err    error        // first layout error
}

// render lays out a form with layout and writes the PDF to w.
func render(w io.Writer, title string, m Meta, layout func(d *doc)) error {
	if m.GeneratedAt.IsZero() {
		return fmt.Errorf("pdf: %s: Meta.GeneratedAt is required", title)
	}
	fs, err := loadFaces()
	if err != nil {
		return err
	}
	d := &doc{faces: fs, meta: m, title: title, used: [2]map[rune]bool{{}, {}}, widths: map[int]bool{}}
	d.firstPage()
	layout(d)
	if d.err != nil {
		return fmt.Errorf("pdf: %s: %w", title, d.err)
	}
	d.footers()

	p := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	p.SetMargins(0, 0, 0)
	p.SetAutoPageBreak(false, 0)
	p.SetCompression(compressOutput)
	p.SetCatalogSort(true)
	p.SetCreationDate(m.GeneratedAt)
	p.SetModificationDate(m.GeneratedAt)
	p.SetTitle(title, true)
	p.SetCreator("yuetan", false)
	p.SetProducer("yuetan/pdf (gofpdf)", false)
	for i, st := range []string{"", "B"} {
		if len(d.used[i]) == 0 {
			continue
		}
		runes := make([]rune, 0, len(d.used[i]))
		for r := range d.used[i] {
			runes = append(runes, r)
		}
		p.AddUTF8FontFromBytes(fontFamily, st, fs[i].subset(runes))
	}
	for _, ops := range d.pages {
		p.AddPage()
		for _, o := range ops {
			o(p)
		}
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf: %s: %w", title, err)
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("pdf: %s: write: %w", title, err)
	}
	return nil
}

// fail records the first layout error; render reports it.
func (d *doc) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *doc) add(o op) { d.pages[d.cur] = append(d.pages[d.cur], o) }

// firstPage draws the title, the serial number and the QR code.
func (d *doc) firstPage() {
	d.pages = append(d.pages, nil)
	d.text(0, bodyTop+9, pageW, d.title, stTitle, alignCenter)
	if d.meta.VerifyURL != "" {
		d.qr(pageW-marginR-qrSide, bodyTop-6, qrSide, d.meta.VerifyURL)
		d.text(pageW-marginR-qrSide, bodyTop-6+qrSide+2.8, qrSide, "扫码核验", stTiny, alignCenter)
	}
	y := bodyTop + 19
	d.text(marginL, y, 0, "编号："+d.meta.Serial, stSmall, alignLeft)
	d.y = y + 3.5
}

// newPage starts a continuation page with a running header.
func (d *doc) newPage() {
	d.pages = append(d.pages, nil)
	d.cur = len(d.pages) - 1
	head := d.title + "（续）"
	if d.meta.Serial != "" {
		head += "　编号：" + d.meta.Serial
	}
	d.text(marginL, contTop-6, 0, head, stTiny, alignLeft)
	d.line(marginL, contTop-4.5, pageW-marginR, contTop-4.5, thinLine)
	d.y = contTop
}

// ensure starts a new page unless h millimetres are left on this one.
func (d *doc) ensure(h float64) {
	if d.y+h > bodyBottom {
		d.newPage()
	}
}

// footers prints the verification line on every page and page numbers on
// multi-page forms.
func (d *doc) footers() {
	m := d.meta
	var parts []string
	if m.VerifyCode != "" {
		parts = append(parts, "验证码："+m.VerifyCode)
	}
	if m.VerifyURL != "" {
		parts = append(parts, "扫码或访问 "+m.VerifyURL+" 核验")
	}
	parts = append(parts, "生成时间："+dateTime(m.GeneratedAt))
	lines := d.wrap(strings.Join(parts, "　"), contentW, stTiny)
	n := len(d.pages)
	for i := range d.pages {
		d.cur = i
		d.line(marginL, footerY-4, pageW-marginR, footerY-4, thinLine)
		for j, l := range lines {
			d.text(marginL, footerY+float64(j)*stTiny.lineH(), 0, l, stTiny, alignLeft)
		}
		if n > 1 {
			d.text(0, pageNoY+float64(len(lines)-1)*stTiny.lineH(), pageW,
				fmt.Sprintf("第 %d 页 共 %d 页", i+1, n), stSmall, alignCenter)
		}
	}
}

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

func (d *doc) line(x1, y1, x2, y2, lw float64) {
	d.add(func(p *gofpdf.Fpdf) {
		p.SetDrawColor(0, 0, 0)
		p.SetLineWidth(lw)
		p.Line(x1, y1, x2, y2)
	})
}

func (d *doc) rect(x, y, w, h, lw float64) {
	d.add(func(p *gofpdf.Fpdf) {
		p.SetDrawColor(0, 0, 0)
		p.SetLineWidth(lw)
		p.Rect(x, y, w, h, "D")
	})
}

// fill paints a rectangle in the colour r, g, b, without outline.
func (d *doc) fill(x, y, w, h float64, r, g, b int) {
	d.add(func(p *gofpdf.Fpdf) {
		p.SetFillColor(r, g, b)
		p.Rect(x, y, w, h, "F")
	})
}

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

// qr draws a QR code of content as filled modules, side mm wide.
func (d *doc) qr(x, y, side float64, content string) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		d.fail(fmt.Errorf("QR code: %w", err))
		return
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	mod := side / float64(len(bm))
	d.add(func(p *gofpdf.Fpdf) {
		p.SetFillColor(0, 0, 0)
		for row, bits := range bm {
			for c := 0; c < len(bits); {
				if !bits[c] {
					c++
					continue
				}
				e := c
				for e < len(bits) && bits[e] {
					e++
				}
				// A hair of overlap hides anti-aliasing seams between modules.
				p.Rect(x+float64(c)*mod, y+float64(row)*mod, float64(e-c)*mod+0.01, mod+0.01, "F")
				c = e
			}
		}
	})
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

// date formats t as 2026年11月23日, or a blank line for hand writing.
func date(t time.Time) string {
	if t.IsZero() {
		return "　　　　年　　月　　日"
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// dateTime formats t as 2026年11月23日 10:20.
func dateTime(t time.Time) string {
	if t.IsZero() {
		return date(t) + "　　时　　分"
	}
	return fmt.Sprintf("%s %02d:%02d", date(t), t.Hour(), t.Minute())
}

// dateOrBlank formats t, or returns "" when t is zero.
func dateOrBlank(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return date(t)
}

func itoa(n int) string { return strconv.Itoa(n) }

// leader joins a name and a title: 张三（区委书记）.
func leader(name, title string) string {
	switch {
	case title == "":
		return name
	case name == "":
		return title
	}
	return name + "（" + title + "）"
}

// sigImage is a normalised signature image ready for gofpdf.
type sigImage struct {
	name string
	png  []byte
	w, h int
}

func (d *doc) drawImage(img *sigImage, x, y, w, h float64) {
	// Fit inside the box, keeping the aspect ratio, centred.
	scale := math.Min(w/float64(img.w), h/float64(img.h))
	iw, ih := float64(img.w)*scale, float64(img.h)*scale
	ix, iy := x+(w-iw)/2, y+(h-ih)/2
	d.add(func(p *gofpdf.Fpdf) {
		opt := gofpdf.ImageOptions{ImageType: "PNG"}
		p.RegisterImageOptionsReader(img.name, opt, bytes.NewReader(img.png))
		p.ImageOptions(img.name, ix, iy, iw, ih, false, opt, 0, "")
	})
}

// pngEncoder writes the normalised signatures, reusing its buffers.
var pngEncoder = png.Encoder{CompressionLevel: png.NoCompression, BufferPool: &pngPool{}}

type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.p.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }

// maxImagePx bounds the width of an embedded signature image; wider ones
// are scaled down (a 35 mm cell at 300 dpi is about 410 px).
const maxImagePx = 480

// MaxDecodePixels bounds the images the renderer decodes (width × height,
// read from the header first): decoding takes about 8 bytes a pixel here,
// and a few KB of PNG can claim gigapixels. Callers hold images to their
// fields' budgets (collections.ImageBudgets); this is the renderer's own.
const MaxDecodePixels = 16 << 20

// loadImage decodes a PNG or JPEG signature, crops it to the ink, scales it
// down if needed and re-encodes it as PNG. It returns nil for an image with
// no ink. Registered images get distinct pixel widths: gofpdf orders image
// objects by width and ties by map order, so equal widths would make the
// output vary between runs.
func (d *doc) loadImage(data []byte) (*sigImage, error) {
	cfg, _, err := goimage.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > MaxDecodePixels {
		return nil, fmt.Errorf("image of %d×%d pixels: over the renderer's %d", cfg.Width, cfg.Height, MaxDecodePixels)
	}
	src, _, err := goimage.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	b := src.Bounds()
	rgba := goimage.NewRGBA(goimage.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src)
	// ink reports whether the premultiplied pixel at offset i is dark
	// enough and opaque enough to be part of the signature.
	ink := func(i int) bool {
		p := rgba.Pix[i : i+4 : i+4]
		a := int(p[3])
		return a > 24 && (int(p[0])+int(p[1])+int(p[2]))*255 < 225*3*a
	}
	box := goimage.Rectangle{}
	for y := 0; y < b.Dy(); y++ {
		minX, maxX := -1, -1
		for x := 0; x < b.Dx(); x++ {
			if ink(rgba.PixOffset(x, y)) {
				if minX < 0 {
					minX = x
				}
				maxX = x
			}
		}
		if minX >= 0 {
			box = box.Union(goimage.Rect(minX, y, maxX+1, y+1))
		}
	}
	if box.Empty() {
		return nil, nil
	}
	box = box.Inset(-2).Intersect(rgba.Bounds())
	step := (box.Dx() + maxImagePx - 1) / maxImagePx
	w, h := (box.Dx()+step-1)/step, (box.Dy()+step-1)/step
	for d.widths[w] {
		w++
	}
	d.widths[w] = true
	out := goimage.NewNRGBA(goimage.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// Average the step×step block; ink is kept, the rest is clear.
			var r, g, bl, a, n int
			for dy := 0; dy < step; dy++ {
				for dx := 0; dx < step; dx++ {
					p := goimage.Pt(box.Min.X+x*step+dx, box.Min.Y+y*step+dy)
					if !p.In(box) {
						continue
					}
					n++
					if i := rgba.PixOffset(p.X, p.Y); ink(i) {
						px := rgba.Pix[i : i+4 : i+4]
						r, g, bl, a = r+int(px[0]), g+int(px[1]), bl+int(px[2]), a+int(px[3])
					}
				}
			}
			if a > 0 {
				// Premultiplied sums over alpha sum give straight colour.
				i := out.PixOffset(x, y)
				out.Pix[i] = uint8(r * 255 / a)
				out.Pix[i+1] = uint8(g * 255 / a)
				out.Pix[i+2] = uint8(bl * 255 / a)
				out.Pix[i+3] = uint8(a / n)
			}
		}
	}
	// gofpdf inflates the PNG and deflates colour and alpha again, so the
	// PNG is stored uncompressed: compressing it here would be wasted.
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, out); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	d.nimg++
	return &sigImage{name: fmt.Sprintf("sig%d", d.nimg), png: buf.Bytes(), w: w, h: h}, nil
}
