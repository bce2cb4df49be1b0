// The page frame every form shares: geometry, the document being laid
// out and its rendering, the title block, continuation pages and footers,
// and the rules and fills drawn on it.

package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
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

// add records o on the current page.
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

// line draws a black rule of width lw.
func (d *doc) line(x1, y1, x2, y2, lw float64) {
	d.add(func(p *gofpdf.Fpdf) {
		p.SetDrawColor(0, 0, 0)
		p.SetLineWidth(lw)
		p.Line(x1, y1, x2, y2)
	})
}

// rect outlines a rectangle with a black rule of width lw.
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
