package pdf

import (
	"fmt"
	"io"
	"strings"
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
	sigAddrW    = 49.0                                                           // 住址
	sigPhoneW   = 28.0                                                           // 联系电话
	sigSignW    = 30.0                                                           // 签名
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
	// Archive prints the archive copy: every phone number in full, and
	// marked so. The sheet that passes from neighbour to neighbour (the
	// default) shows each number masked, 138****0001.
	Archive bool
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
		if d.Archive {
			c.paragraph(marginL, contentW, "存档件：含居民完整联系电话，仅供归档和核实，不得传阅或复印外传。", style{size: smallSize, bold: true})
		} else {
			c.paragraph(marginL, contentW, "传阅件：已签名居民的联系电话隐去中间四位；完整号码仅见于存档件。", stSmall)
		}
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
			phone := s.Phone
			if !d.Archive {
				phone = MaskPhone(phone)
			}
			return row{cells: []cell{
				center(sigNoW, itoa(i+1)), center(sigNameW, s.Name), val(sigAddrW, s.Address),
				center(sigPhoneW, phone), sign, {w: sigDateW, text: dateOrBlank(s.SignedAt), st: stSmall, align: alignCenter},
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

// MaskPhone hides the middle of a phone number, as on a sheet strangers
// see: the four digits before the last four become ****, 13800000001 →
// 138****0001, +86 13800000001 → +86 138****0001, 0574-87654321 →
// 0574-****4321; a number of fewer than eight digits keeps only its last two.
func MaskPhone(phone string) string {
	digits := 0
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	head, tail := digits-8, 4
	if digits < 8 {
		head, tail = 0, 2
	}
	var b strings.Builder
	n := 0
	for _, r := range phone {
		isDigit := r >= '0' && r <= '9'
		if isDigit {
			n++
		}
		switch {
		case n <= head || n > digits-tail:
			b.WriteRune(r)
		case isDigit && n == head+1:
			b.WriteString("****")
		}
	}
	return b.String()
}
