// Package imagesize reads an image's width and height from its header,
// without decoding a pixel: a few hundred bytes of PNG can claim
// 100,000 × 100,000 pixels, and decoding allocates 4 bytes for each. Check
// the size before anything decodes an image.
//
// JPEG, PNG, GIF and WebP are read by Go's decoders' DecodeConfig. HEIC
// (HEIF) has no Go decoder: its size is read from the 'ispe' (image
// spatial extents) properties HEIF requires on every image item, taking
// the largest (a grid photo's canvas is one of them).
package imagesize

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // register the decoders whose headers we read
	_ "image/jpeg"
	_ "image/png"
	"io"

	_ "golang.org/x/image/webp"
)

// Size is an image's width and height in pixels.
type Size struct{ Width, Height int }

// Pixels is Width × Height.
func (s Size) Pixels() int64 { return int64(s.Width) * int64(s.Height) }

// String is "12000×9000".
func (s Size) String() string { return fmt.Sprintf("%d×%d", s.Width, s.Height) }

// ErrUnknown is returned for content that is no image format Read knows.
var ErrUnknown = errors.New("imagesize: not an image format this server reads (JPEG, PNG, GIF, WebP, HEIC)")

// Read returns the size of the image r holds, reading only its header
// (for HEIC, the boxes before and around its metadata).
func Read(r io.ReadSeeker) (Size, error) {
	var head [12]byte
	n, _ := io.ReadFull(r, head[:])
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Size{}, err
	}
	if n >= 8 && string(head[4:8]) == "ftyp" {
		return readHEIF(r)
	}
	cfg, _, err := image.DecodeConfig(bufio.NewReader(r))
	switch {
	case errors.Is(err, image.ErrFormat):
		return Size{}, ErrUnknown
	case err != nil:
		return Size{}, fmt.Errorf("imagesize: %w", err)
	case cfg.Width <= 0 || cfg.Height <= 0:
		return Size{}, fmt.Errorf("imagesize: no size in the header (%d×%d)", cfg.Width, cfg.Height)
	}
	return Size{cfg.Width, cfg.Height}, nil
}

// maxBoxes bounds the ISO BMFF boxes readHEIF looks at.
const maxBoxes = 4096

// readHEIF walks ftyp / meta / iprp / ipco and returns the largest ispe.
func readHEIF(r io.ReadSeeker) (Size, error) {
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return Size{}, err
	}
	h := &heif{r: r}
	if err := h.walk(0, end, 0); err != nil {
		return Size{}, fmt.Errorf("imagesize: HEIF: %w", err)
	}
	if !h.brand {
		return Size{}, ErrUnknown
	}
	if !h.found {
		return Size{}, errors.New("imagesize: HEIF without an image size (ispe)")
	}
	return h.max, nil
}

type heif struct {
	r     io.ReadSeeker
	boxes int
	brand bool // an image brand in ftyp
	found bool
	max   Size
}

// containers are the boxes on the way to ispe; meta is a full box (its
// children start after 4 bytes of version and flags).
var containers = map[int]map[string]int64{
	0: {"meta": 4},
	1: {"iprp": 0},
	2: {"ipco": 0},
}

// imageBrands are the ftyp brands of HEIF still images (ISO/IEC 23008-12).
var imageBrands = map[string]bool{"heic": true, "heix": true, "heim": true, "heis": true, "mif1": true, "mif2": true, "avif": true}

func (h *heif) walk(start, end int64, depth int) error {
	for off := start; off < end; {
		if h.boxes++; h.boxes > maxBoxes {
			return errors.New("too many boxes")
		}
		if _, err := h.r.Seek(off, io.SeekStart); err != nil {
			return err
		}
		var hdr [16]byte
		if _, err := io.ReadFull(h.r, hdr[:8]); err != nil {
			return fmt.Errorf("box header at %d: %w", off, err)
		}
		size, typ, hlen := int64(binary.BigEndian.Uint32(hdr[:4])), string(hdr[4:8]), int64(8)
		switch size {
		case 0: // to the end of the enclosing box
			size = end - off
		case 1:
			if _, err := io.ReadFull(h.r, hdr[8:16]); err != nil {
				return err
			}
			size, hlen = int64(binary.BigEndian.Uint64(hdr[8:16])), 16
		}
		if size < hlen || size > end-off {
			return fmt.Errorf("box %q at %d: size %d out of bounds", typ, off, size)
		}
		body, bodyEnd := off+hlen, off+size
		switch {
		case depth == 0 && typ == "ftyp":
			if err := h.ftyp(size - hlen); err != nil {
				return err
			}
		case depth == 3 && typ == "ispe":
			var b [12]byte // version, flags, width, height
			if size-hlen < 12 {
				return errors.New("short ispe")
			}
			if _, err := io.ReadFull(h.r, b[:]); err != nil {
				return err
			}
			s := Size{int(binary.BigEndian.Uint32(b[4:8])), int(binary.BigEndian.Uint32(b[8:12]))}
			if s.Width <= 0 || s.Height <= 0 {
				return fmt.Errorf("ispe %s", s)
			}
			if !h.found || s.Pixels() > h.max.Pixels() {
				h.max = s
			}
			h.found = true
		default:
			if skip, ok := containers[depth][typ]; ok {
				if err := h.walk(body+skip, bodyEnd, depth+1); err != nil {
					return err
				}
			}
		}
		off = bodyEnd
	}
	return nil
}

// ftyp records whether the major or a compatible brand is a HEIF image one.
func (h *heif) ftyp(n int64) error {
	if n < 8 || n > 1024 {
		return fmt.Errorf("ftyp of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(h.r, b); err != nil {
		return err
	}
	for i := 0; i+4 <= len(b); i += 4 {
		if i == 4 {
			continue // minor version
		}
		if imageBrands[string(b[i:i+4])] {
			h.brand = true
		}
	}
	return nil
}
