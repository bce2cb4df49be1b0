package pdf

import (
	"fmt"
	"io"
	"time"
)

// Layout of the co-signature sheet (居民联名签名表).
const (
	sigTitle    = "居民联名签名表"
	sigMinRows  = 10   // residents' applications need at least 10 co-signers
	sigRowH     = 13.0 // room for a handwritten signature
	sigLabelW   = 27.0
	sigNoW      = 12.0                                                           // 序号
	sigNameW    = 22.0                                                           // 姓名
	sigAddrW    = 50.0                                                           // 住址
	sigPhoneW   = 30.0                                                           // 联系电话
	sigSignW    = 32.0                                                           // 签名
	sigDateW    = contentW - sigNoW - sigNameW - sigAddrW - sigPhoneW - sigSignW // 日期
	sigImagePad = 1.0
)

// SignaturesData is what the co-signature sheet (居民联名签名表) prints: one
// row per co-signer, then blank rows for wet signatures: at least 10 rows
// in all, and the last page filled.
type SignaturesData struct {
	Meta
	Subject   string   // 约谈事项
	Community string   // 所在社区
	Street    string   // 所属街道
	Signers   []Signer // in signing order
}

// Signer is one co-signing resident.
type Signer struct {
	Name      string    // 姓名
	Address   string    // 住址
	Phone     string    // 联系电话
	Signature []byte    // captured signature, PNG (or JPEG); nil leaves the cell for a wet signature
	SignedAt  time.Time // 日期; zero leaves it blank
}

// RenderSignatures writes the co-signature sheet as PDF to w.
func RenderSignatures(w io.Writer, d SignaturesData) error {
	return render(w, sigTitle, d.Meta, func(c *doc) {
		c.table([]row{
			{cells: []cell{lbl(sigLabelW, "约谈事项"), val(contentW-sigLabelW, d.Subject)}, minH: 10},
			{cells: []cell{lbl(sigLabelW, "所在社区"), val(58, d.Community),
				lbl(sigLabelW, "所属街道"), val(contentW-2*sigLabelW-58, d.Street)}, minH: 10},
		}, nil)
		c.y += 2
		c.paragraph(marginL, contentW, "我们是本社区居民，同意就上述事项约谈区领导，特此联名（居民10人以上联名方可申报，签名须由本人亲笔签署）。", stSmall)
		c.y += 1.5

		center := func(w float64, s string) cell {
			return cell{w: w, text: s, st: stBody, align: alignCenter}
		}
		header := row{cells: []cell{lbl(sigNoW, "序号"), lbl(sigNameW, "姓名"), lbl(sigAddrW, "住址"),
			lbl(sigPhoneW, "联系电话"), lbl(sigSignW, "签名"), lbl(sigDateW, "日期")}, minH: 9}
		signer := func(i int) row {
			var s Signer
			if i < len(d.Signers) {
				s = d.Signers[i]
			}
			sign := cell{w: sigSignW}
			if len(s.Signature) > 0 {
				img, err := c.loadImage(s.Signature)
				if err != nil {
					c.fail(fmt.Errorf("signer %d (%s): signature image: %w", i+1, s.Name, err))
				}
				if img != nil {
					sign.drawH = sigRowH
					sign.draw = func(d *doc, x, y, w, h float64) {
						d.drawImage(img, x+sigImagePad, y+sigImagePad, w-2*sigImagePad, h-2*sigImagePad)
					}
				}
			}
			return row{cells: []cell{
				center(sigNoW, itoa(i+1)), center(sigNameW, s.Name), val(sigAddrW, s.Address),
				center(sigPhoneW, s.Phone), sign, {w: sigDateW, text: dateShort(s.SignedAt), st: stSmall, align: alignCenter},
			}, minH: sigRowH, keep: true}
		}
		// At least sigMinRows rows; blank ones then fill the last page.
		rows := make([]row, max(len(d.Signers), sigMinRows))
		for i := range rows {
			rows[i] = signer(i)
		}
		c.tableFill(rows, &header, signer)
	})
}

// dateShort formats t as 2026.11.23, or "" when t is zero.
func dateShort(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", t.Year(), int(t.Month()), t.Day())
}
