// Signature images: decoded within a budget, cropped to the ink, scaled
// and drawn into a cell.

package pdf

import (
	"bytes"
	"fmt"
	goimage "image"
	"image/draw"
	_ "image/jpeg" // signatures may come as JPEG
	"image/png"
	"math"
	"sync"

	"github.com/jung-kurt/gofpdf"
)

// sigImage is a normalised signature image ready for gofpdf.
type sigImage struct {
	name string
	png  []byte
	w, h int
}

// drawImage draws img fitted into the box at (x, y), w × h mm.
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

// pngPool keeps the PNG encoder's buffers between signatures.
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
