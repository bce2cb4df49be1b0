package pdf

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"sync"
)

// The embedded fonts are Noto Sans SC Regular and Bold (SIL OFL 1.1, see
// fonts/OFL.txt), cut down to the GBK repertoire plus punctuation by
// scripts/fonts/cutfont.go. See fonts/README.md.
var (
	//go:embed fonts/NotoSansSC-Regular.ttf
	regularTTF []byte
	//go:embed fonts/NotoSansSC-Bold.ttf
	boldTTF []byte
)

// missingRune replaces a character the font cannot draw. 〓 (geta mark) is
// the traditional typesetter's placeholder for a missing character.
const missingRune = '〓'

// face is an embedded TrueType font parsed once per process and never
// modified afterwards, so documents rendered concurrently share it.
type face struct {
	data    []byte
	tables  map[string][]byte
	upem    float64
	glyph   []uint16 // BMP rune -> glyph id; 0 means missing
	adv     []uint16 // glyph id -> advance width in font units
	lsb     []int16  // glyph id -> left side bearing
	loca    []uint32 // glyph id -> offset into glyf; len numGlyphs+1
	ascent  float64  // typographic ascent, 1/1000 em
	descent float64  // typographic descent (negative), 1/1000 em
}

var (
	facesOnce sync.Once
	faces     [2]*face // indexed by style: regular, bold
	facesErr  error
)

// loadFaces parses both embedded fonts the first time it is called.
func loadFaces() ([2]*face, error) {
	facesOnce.Do(func() {
		for i, b := range [2][]byte{regularTTF, boldTTF} {
			f, err := parseFace(b)
			if err != nil {
				facesErr = fmt.Errorf("pdf: embedded font %d: %w", i, err)
				return
			}
			faces[i] = f
		}
	})
	return faces, facesErr
}

func parseFace(data []byte) (*face, error) {
	be := binary.BigEndian
	if len(data) < 12 || be.Uint32(data) != 0x00010000 {
		return nil, fmt.Errorf("not a TrueType font")
	}
	f := &face{data: data, tables: map[string][]byte{}}
	n := int(be.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		off, ln := be.Uint32(rec[8:]), be.Uint32(rec[12:])
		if uint64(off)+uint64(ln) > uint64(len(data)) {
			return nil, fmt.Errorf("table %q out of range", rec[:4])
		}
		f.tables[string(rec[:4])] = data[off : off+ln]
	}
	for _, t := range []string{"head", "hhea", "maxp", "cmap", "hmtx", "loca", "glyf", "OS/2", "name", "post"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("missing table %q", t)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	f.upem = float64(be.Uint16(head[18:]))
	longLoca := be.Uint16(head[50:]) == 1
	numGlyphs := int(be.Uint16(maxp[4:]))
	numHM := int(be.Uint16(hhea[34:]))
	f.ascent = float64(int16(be.Uint16(hhea[4:]))) * 1000 / f.upem
	f.descent = float64(int16(be.Uint16(hhea[6:]))) * 1000 / f.upem

	f.loca = make([]uint32, numGlyphs+1)
	loca := f.tables["loca"]
	for g := range f.loca {
		if longLoca {
			f.loca[g] = be.Uint32(loca[4*g:])
		} else {
			f.loca[g] = uint32(be.Uint16(loca[2*g:])) * 2
		}
	}
	hmtx := f.tables["hmtx"]
	f.adv = make([]uint16, numGlyphs)
	f.lsb = make([]int16, numGlyphs)
	for g := 0; g < numGlyphs; g++ {
		if g < numHM {
			f.adv[g] = be.Uint16(hmtx[4*g:])
			f.lsb[g] = int16(be.Uint16(hmtx[4*g+2:]))
		} else {
			f.adv[g] = f.adv[numHM-1]
			f.lsb[g] = int16(be.Uint16(hmtx[4*numHM+2*(g-numHM):]))
		}
	}
	glyph, err := parseCmap4(f.tables["cmap"], numGlyphs)
	if err != nil {
		return nil, err
	}
	f.glyph = glyph
	return f, nil
}

// parseCmap4 reads the Unicode BMP (format 4) subtable into a rune -> glyph
// id table.
func parseCmap4(cmap []byte, numGlyphs int) ([]uint16, error) {
	be := binary.BigEndian
	nt := int(be.Uint16(cmap[2:]))
	for i := 0; i < nt; i++ {
		pid, eid, off := be.Uint16(cmap[4+8*i:]), be.Uint16(cmap[6+8*i:]), be.Uint32(cmap[8+8*i:])
		if !(pid == 3 && eid == 1 || pid == 0) || be.Uint16(cmap[off:]) != 4 {
			continue
		}
		t := cmap[off:]
		seg := int(be.Uint16(t[6:])) / 2
		ends, starts := t[14:], t[16+2*seg:]
		deltas, ros := t[16+4*seg:], t[16+6*seg:]
		out := make([]uint16, 0x10000)
		for s := 0; s < seg; s++ {
			end, start := int(be.Uint16(ends[2*s:])), int(be.Uint16(starts[2*s:]))
			delta, ro := int(be.Uint16(deltas[2*s:])), int(be.Uint16(ros[2*s:]))
			for c := start; c <= end && c < 0xFFFF; c++ {
				g := 0
				if ro == 0 {
					g = (c + delta) & 0xFFFF
				} else {
					p := 2*s + ro + 2*(c-start)
					if p+2 > len(ros) {
						continue
					}
					if g = int(be.Uint16(ros[p:])); g != 0 {
						g = (g + delta) & 0xFFFF
					}
				}
				if g < numGlyphs {
					out[c] = uint16(g)
				}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("no Unicode format 4 cmap")
}

// has reports whether the face draws r with a real glyph.
func (f *face) has(r rune) bool {
	return r >= 0 && r < 0xFFFF && f.glyph[r] != 0
}

// width returns the advance of r in 1/1000 em, rounded as gofpdf rounds it,
// so our measurements agree with what gofpdf draws.
func (f *face) width(r rune) float64 {
	g := 0
	if r >= 0 && r < 0xFFFF {
		g = int(f.glyph[r])
	}
	return math.Round(float64(f.adv[g]) * 1000 / f.upem)
}

// subset builds a small, valid TrueType font holding only .notdef and the
// glyphs of runes (and any composite components). gofpdf parses its input
// font completely on AddUTF8FontFromBytes and again on output, so handing it
// a font of a few hundred glyphs instead of 22,000 is what makes each
// document cheap.
func (f *face) subset(runes []rune) []byte {
	be := binary.BigEndian
	glyf := f.tables["glyf"]
	newID := map[uint16]uint16{0: 0}
	order := []uint16{0}
	add := func(g uint16) uint16 {
		if id, ok := newID[g]; ok {
			return id
		}
		id := uint16(len(order))
		newID[g] = id
		order = append(order, g)
		return id
	}
	type pair struct {
		r rune
		g uint16
	}
	pairs := make([]pair, 0, len(runes))
	sorted := append([]rune(nil), runes...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for i, r := range sorted {
		if (i > 0 && r == sorted[i-1]) || !f.has(r) {
			continue
		}
		pairs = append(pairs, pair{r, add(f.glyph[r])})
	}
	// Glyph data, with composite component ids rewritten. Components are
	// appended to order as they are discovered, so the loop reaches them.
	var glyfOut []byte
	locaOut := make([]uint32, 0, len(order)+1)
	for i := 0; i < len(order); i++ {
		g := order[i]
		data := glyf[f.loca[g]:f.loca[g+1]]
		locaOut = append(locaOut, uint32(len(glyfOut)))
		start := len(glyfOut)
		glyfOut = append(glyfOut, data...)
		if len(data) >= 10 && int16(be.Uint16(data)) < 0 {
			out := glyfOut[start:]
			for p := 10; p+4 <= len(out); {
				flags := be.Uint16(out[p:])
				be.PutUint16(out[p+2:], add(be.Uint16(out[p+2:])))
				p += 4
				if flags&0x1 != 0 {
					p += 4
				} else {
					p += 2
				}
				switch {
				case flags&0x8 != 0:
					p += 2
				case flags&0x40 != 0:
					p += 4
				case flags&0x80 != 0:
					p += 8
				}
				if flags&0x20 == 0 {
					break
				}
			}
		}
		for len(glyfOut)%4 != 0 {
			glyfOut = append(glyfOut, 0)
		}
	}
	locaOut = append(locaOut, uint32(len(glyfOut)))
	n := len(order)

	loca := make([]byte, 4*len(locaOut))
	for i, o := range locaOut {
		be.PutUint32(loca[4*i:], o)
	}
	hmtx := make([]byte, 4*n)
	for i, g := range order {
		be.PutUint16(hmtx[4*i:], f.adv[g])
		be.PutUint16(hmtx[4*i+2:], uint16(f.lsb[g]))
	}
	// cmap format 4: one segment per run of consecutive runes with
	// consecutive glyph ids, all mapped by idDelta.
	type seg struct{ start, end, delta int }
	var segs []seg
	for _, p := range pairs {
		d := (int(p.g) - int(p.r)) & 0xFFFF
		if k := len(segs) - 1; k >= 0 && segs[k].end == int(p.r)-1 && segs[k].delta == d {
			segs[k].end = int(p.r)
			continue
		}
		segs = append(segs, seg{int(p.r), int(p.r), d})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	sc := len(segs)
	sub := make([]byte, 16+8*sc)
	be.PutUint16(sub[0:], 4)
	be.PutUint16(sub[2:], uint16(len(sub)))
	be.PutUint16(sub[6:], uint16(2*sc))
	sr, es := 1, 0
	for sr*2 <= sc {
		sr *= 2
		es++
	}
	be.PutUint16(sub[8:], uint16(2*sr))
	be.PutUint16(sub[10:], uint16(es))
	be.PutUint16(sub[12:], uint16(2*sc-2*sr))
	for i, s := range segs {
		be.PutUint16(sub[14+2*i:], uint16(s.end))
		be.PutUint16(sub[16+2*sc+2*i:], uint16(s.start))
		be.PutUint16(sub[16+4*sc+2*i:], uint16(s.delta))
	}
	cmap := append([]byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12}, sub...)

	head := append([]byte(nil), f.tables["head"]...)
	be.PutUint32(head[8:], 0)
	be.PutUint16(head[50:], 1)
	hhea := append([]byte(nil), f.tables["hhea"]...)
	be.PutUint16(hhea[34:], uint16(n))
	maxp := append([]byte(nil), f.tables["maxp"]...)
	be.PutUint16(maxp[4:], uint16(n))
	post := append([]byte{0, 3, 0, 0}, f.tables["post"][4:32]...)

	tables := map[string][]byte{
		"cmap": cmap, "glyf": glyfOut, "head": head, "hhea": hhea, "hmtx": hmtx,
		"loca": loca, "maxp": maxp, "name": f.tables["name"], "OS/2": f.tables["OS/2"], "post": post,
	}
	for _, t := range []string{"cvt ", "fpgm", "prep", "gasp"} {
		if b := f.tables[t]; b != nil {
			tables[t] = b
		}
	}
	return assembleTTF(tables)
}

// assembleTTF writes a TrueType file from its tables, with the directory
// sorted by tag and checksums filled in.
func assembleTTF(tables map[string][]byte) []byte {
	be := binary.BigEndian
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	nt := len(tags)
	sr, es := 1, 0
	for sr*2 <= nt {
		sr *= 2
		es++
	}
	var buf bytes.Buffer
	hdr := make([]byte, 12+16*nt)
	be.PutUint32(hdr[0:], 0x00010000)
	be.PutUint16(hdr[4:], uint16(nt))
	be.PutUint16(hdr[6:], uint16(16*sr))
	be.PutUint16(hdr[8:], uint16(es))
	be.PutUint16(hdr[10:], uint16(16*nt-16*sr))
	off := len(hdr)
	headOff := 0
	for i, t := range tags {
		b := tables[t]
		rec := hdr[12+16*i:]
		copy(rec, t)
		be.PutUint32(rec[4:], checksum(b))
		be.PutUint32(rec[8:], uint32(off))
		be.PutUint32(rec[12:], uint32(len(b)))
		if t == "head" {
			headOff = off
		}
		off += (len(b) + 3) &^ 3
	}
	buf.Grow(off)
	buf.Write(hdr)
	for _, t := range tags {
		b := tables[t]
		buf.Write(b)
		buf.Write(make([]byte, ((len(b)+3)&^3)-len(b)))
	}
	out := buf.Bytes()
	be.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
