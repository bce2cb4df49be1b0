// The verification QR code.

package pdf

import (
	"fmt"

	"github.com/jung-kurt/gofpdf"
	"github.com/skip2/go-qrcode"
)

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
