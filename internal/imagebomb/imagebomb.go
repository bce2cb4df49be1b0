// Package imagebomb crafts hostile images for tests: files of a few bytes
// to a few hundred KB whose headers claim more pixels than any budget, and
// ordinary small images to compare with.
package imagebomb

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// PNGHeader is a PNG whose header claims w×h grey pixels and whose data is
// one empty row: a decoder allocates the whole image before it notices.
func PNGHeader(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk(&b, "IHDR", ihdr(w, h))
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write([]byte{0})
	_ = zw.Close()
	chunk(&b, "IDAT", z.Bytes())
	chunk(&b, "IEND", nil)
	return b.Bytes()
}

// PNG is a real, decodable w×h grey PNG, all black: it compresses about a
// thousand to one (7000×7000 is ~50 KB and decodes to 49 MB).
func PNG(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk(&b, "IHDR", ihdr(w, h))
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	row := make([]byte, 1+w) // filter byte, then w zero pixels
	for range h {
		_, _ = zw.Write(row)
	}
	_ = zw.Close()
	chunk(&b, "IDAT", z.Bytes())
	chunk(&b, "IEND", nil)
	return b.Bytes()
}

func ihdr(w, h int) []byte {
	d := make([]byte, 13)
	binary.BigEndian.PutUint32(d[0:4], uint32(w))
	binary.BigEndian.PutUint32(d[4:8], uint32(h))
	d[8], d[9] = 8, 0 // 8-bit greyscale
	return d
}

func chunk(b *bytes.Buffer, typ string, data []byte) {
	_ = binary.Write(b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	_ = binary.Write(b, binary.BigEndian, crc.Sum32())
}

// JPEG is a real 16×16 JPEG whose frame header (SOF0) is rewritten to
// claim w×h pixels (at most 65535 each).
func JPEG(w, h int) []byte {
	b := Photo(16, 16)
	for i := 2; i+9 < len(b); {
		if b[i] != 0xff {
			break
		}
		marker, n := b[i+1], int(binary.BigEndian.Uint16(b[i+2:i+4]))
		if marker == 0xc0 {
			binary.BigEndian.PutUint16(b[i+5:i+7], uint16(h))
			binary.BigEndian.PutUint16(b[i+7:i+9], uint16(w))
			return b
		}
		i += 2 + n
	}
	panic("imagebomb: no SOF0 in the encoded JPEG")
}

// WebP is a WebP whose extended header (VP8X) claims a w×h canvas.
func WebP(w, h int) []byte {
	vp8x := make([]byte, 10)
	put24 := func(b []byte, v int) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }
	put24(vp8x[4:7], w-1)
	put24(vp8x[7:10], h-1)
	var body bytes.Buffer
	body.WriteString("WEBP")
	body.WriteString("VP8X")
	_ = binary.Write(&body, binary.LittleEndian, uint32(len(vp8x)))
	body.Write(vp8x)
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(body.Len()))
	b.Write(body.Bytes())
	return b.Bytes()
}

// HEIC is the metadata of a HEIC still image whose image item's spatial
// extents (ispe) are w×h (no coded data: nothing here decodes HEIC).
func HEIC(w, h int) []byte {
	box := func(typ string, payload ...[]byte) []byte {
		n := 8
		for _, p := range payload {
			n += len(p)
		}
		b := make([]byte, 8, n)
		binary.BigEndian.PutUint32(b[:4], uint32(n))
		copy(b[4:8], typ)
		for _, p := range payload {
			b = append(b, p...)
		}
		return b
	}
	ispe := make([]byte, 12)
	binary.BigEndian.PutUint32(ispe[4:8], uint32(w))
	binary.BigEndian.PutUint32(ispe[8:12], uint32(h))
	hdlr := append(make([]byte, 8), []byte("pict\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")...)
	meta := box("meta", []byte{0, 0, 0, 0}, box("hdlr", hdlr),
		box("iprp", box("ipco", box("ispe", ispe))))
	ftyp := box("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	return append(append(ftyp, meta...), box("mdat")...)
}

// Photo is an ordinary w×h JPEG (a gradient).
func Photo(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// Signature is an ordinary w×h PNG with a dark stroke on a clear ground.
func Signature(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := w / 8; x < w*7/8; x++ {
		img.Set(x, h/2+(x%7)-3, color.NRGBA{10, 10, 40, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}
