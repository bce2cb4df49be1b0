package pdf

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// ttf is a minimal TrueType reader written for the tests, independent of
// font.go, so a bug in the production parser or subsetter cannot hide
// itself: it reads the table directory, the format 4 cmap, loca and the
// glyph headers.
type ttf struct {
	tables map[string][]byte
}

func readTTF(t testing.TB, b []byte) *ttf {
	t.Helper()
	be := binary.BigEndian
	if len(b) < 12 || be.Uint32(b) != 0x00010000 {
		t.Fatalf("not a TrueType font (sfnt version %x)", b[:4])
	}
	f := &ttf{tables: map[string][]byte{}}
	for i := 0; i < int(be.Uint16(b[4:])); i++ {
		rec := b[12+16*i:]
		off, n := be.Uint32(rec[8:]), be.Uint32(rec[12:])
		f.tables[string(rec[:4])] = b[off : off+n]
	}
	for _, tag := range []string{"cmap", "loca", "glyf", "head", "maxp", "hmtx", "hhea"} {
		if f.tables[tag] == nil {
			t.Fatalf("table %q missing", tag)
		}
	}
	return f
}

// glyphID maps r through the (3,1) format 4 cmap subtable.
func (f *ttf) glyphID(r rune) int {
	be := binary.BigEndian
	c := f.tables["cmap"]
	for i := 0; i < int(be.Uint16(c[2:])); i++ {
		pid, eid, off := be.Uint16(c[4+8*i:]), be.Uint16(c[6+8*i:]), be.Uint32(c[8+8*i:])
		if pid != 3 || eid != 1 || be.Uint16(c[off:]) != 4 {
			continue
		}
		sub := c[off:]
		n := int(be.Uint16(sub[6:])) / 2
		for s := 0; s < n; s++ {
			end := rune(be.Uint16(sub[14+2*s:]))
			start := rune(be.Uint16(sub[16+2*n+2*s:]))
			if r < start || r > end {
				continue
			}
			delta := int(be.Uint16(sub[16+4*n+2*s:]))
			roPos := 16 + 6*n + 2*s
			ro := int(be.Uint16(sub[roPos:]))
			if ro == 0 {
				return (int(r) + delta) & 0xFFFF
			}
			g := int(be.Uint16(sub[roPos+ro+2*int(r-start):]))
			if g == 0 {
				return 0
			}
			return (g + delta) & 0xFFFF
		}
	}
	return 0
}

// glyph returns the glyph's data length and its number of contours
// (negative for a composite glyph).
func (f *ttf) glyph(id int) (length, contours int) {
	be := binary.BigEndian
	long := be.Uint16(f.tables["head"][50:]) == 1
	loca := f.tables["loca"]
	var a, b int
	if long {
		a, b = int(be.Uint32(loca[4*id:])), int(be.Uint32(loca[4*id+4:]))
	} else {
		a, b = 2*int(be.Uint16(loca[2*id:])), 2*int(be.Uint16(loca[2*id+2:]))
	}
	if b-a < 10 {
		return b - a, 0
	}
	return b - a, int(int16(be.Uint16(f.tables["glyf"][a:])))
}

func (f *ttf) numGlyphs() int { return int(binary.BigEndian.Uint16(f.tables["maxp"][4:])) }

// stressText is every character the coverage test checks: the seed
// document, ASCII, fullwidth and Chinese punctuation, symbols and rare name
// characters. All of it lies inside GBK plus the listed extras.
func stressText(t testing.TB) string {
	var b strings.Builder
	b.WriteString(seedText(t))
	for r := rune(0x21); r < 0x7F; r++ {
		b.WriteRune(r)
	}
	b.WriteString("，。、；：？！（）《》【】「」『』〔〕…—–·“”‘’％＋－＝＜＞／＼＠＃＆＊０１２３４５６７８９ＡＢＣａｂｃ")
	b.WriteString("“”‘’《》【】——…·①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳℃×√°±÷§№〓")
	b.WriteString(rareNames)
	return b.String()
}

// rareNames are uncommon characters found in personal names.
const rareNames = "喆堃玥昇珺赟禕犇淼鑫垚喆"

// TestRareNamesInGBK confirms the rare name characters lie inside GBK, so
// the repertoire promise (GBK plus listed extras) covers them.
func TestRareNamesInGBK(t *testing.T) {
	t.Parallel()
	enc := simplifiedchinese.GBK.NewEncoder()
	for _, r := range rareNames {
		if _, err := enc.String(string(r)); err != nil {
			t.Errorf("%c (U+%04X) is not encodable in GBK", r, r)
		}
	}
}

// TestStressTextHasOutlines checks that every visible rune of the stress
// text has a real outline in both embedded fonts and in the per-document
// subsets built from them.
func TestStressTextHasOutlines(t *testing.T) {
	t.Parallel()
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	text := stressText(t)
	var runes []rune
	seen := map[rune]bool{}
	for _, r := range text {
		if !unicode.IsSpace(r) && !seen[r] {
			seen[r] = true
			runes = append(runes, r)
		}
	}
	tests := []struct {
		name string
		font []byte
	}{
		{"regular", regularTTF},
		{"bold", boldTTF},
		{"regular subset", fs[0].subset(runes)},
		{"bold subset", fs[1].subset(runes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := readTTF(t, tt.font)
			var missing []string
			for _, r := range runes {
				id := f.glyphID(r)
				if id == 0 || id >= f.numGlyphs() {
					missing = append(missing, fmt.Sprintf("%c U+%04X: no glyph", r, r))
					continue
				}
				if n, c := f.glyph(id); n == 0 || c == 0 {
					missing = append(missing, fmt.Sprintf("%c U+%04X: empty outline (len %d, contours %d)", r, r, n, c))
				}
			}
			// The reader must be able to say no: ≒ is not in the source font.
			if id := f.glyphID('≒'); id != 0 {
				t.Errorf("reader finds glyph %d for ≒, which the font lacks", id)
			}
			if len(missing) > 0 {
				t.Errorf("%d of %d runes not drawable:\n%s", len(missing), len(runes), strings.Join(missing, "\n"))
			}
			if strings.Contains(tt.name, "subset") && f.numGlyphs() > len(runes)+1 {
				t.Errorf("subset holds %d glyphs for %d runes", f.numGlyphs(), len(runes))
			}
		})
	}
}

// TestGBKCoverage checks the cut fonts hold every GBK character except the
// one the source font lacks (≒).
func TestGBKCoverage(t *testing.T) {
	t.Parallel()
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	dec := simplifiedchinese.GBK.NewDecoder()
	n := 0
	for lead := 0x81; lead <= 0xFE; lead++ {
		for trail := 0x40; trail <= 0xFE; trail++ {
			if trail == 0x7F {
				continue
			}
			s, err := dec.Bytes([]byte{byte(lead), byte(trail)})
			rs := []rune(string(s))
			if err != nil || len(rs) != 1 || rs[0] == unicode.ReplacementChar || unicode.In(rs[0], unicode.Co) {
				continue
			}
			r := rs[0]
			n++
			for i, f := range fs {
				if !f.has(r) && r != '≒' {
					t.Errorf("font %d lacks GBK character %c U+%04X", i, r, r)
				}
			}
		}
	}
	if n < 21000 {
		t.Fatalf("enumerated only %d GBK characters", n)
	}
}

// TestSubsetMetrics checks a subset keeps advance widths and that the
// production parser reads back what the subsetter wrote.
func TestSubsetMetrics(t *testing.T) {
	t.Parallel()
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	runes := []rune("群众约谈A，g“")
	sub, err := parseFace(fs[0].subset(runes))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runes {
		if got, want := sub.width(r), fs[0].width(r); got != want {
			t.Errorf("%c: width %v in subset, %v in font", r, got, want)
		}
	}
	if sub.has('民') {
		t.Error("subset holds a rune it was not asked for")
	}
}
