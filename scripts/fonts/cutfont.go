//go:build ignore

// Command cutfont cuts Noto Sans SC down to the character repertoire the
// printed forms need and writes the result into pdf/fonts/.
//
// The kept repertoire is every character encodable in GBK (enumerated with
// golang.org/x/text/encoding/simplifiedchinese, private-use mappings left
// out) plus printable ASCII and Latin-1, General Punctuation (U+2000–206F),
// CJK Symbols and Punctuation (U+3000–303F), Halfwidth and Fullwidth Forms
// (U+FF00–FFEF), ①–⑳, ℃, × and √. Characters the source font has no glyph
// for are reported and skipped.
//
// The cut itself is gofpdf's own UTF8CutFont, so the output is exactly the
// kind of TrueType file gofpdf's AddUTF8FontFromBytes is known to read.
//
// Regenerate (see pdf/fonts/README.md):
//
//	cd /tmp && npm pack @expo-google-fonts/noto-sans-sc@0.4.3
//	mkdir -p /tmp/noto && tar xzf /tmp/expo-google-fonts-noto-sans-sc-0.4.3.tgz -C /tmp/noto
//	go run scripts/fonts/cutfont.go -src /tmp/noto/package   # from the module root
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"unicode"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func main() {
	src := flag.String("src", "/tmp/noto/package", "unpacked @expo-google-fonts/noto-sans-sc package directory")
	out := flag.String("out", "pdf/fonts", "output directory")
	flag.Parse()

	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	runes := repertoire()
	jobs := []struct{ in, out string }{
		{"400Regular/NotoSansSC_400Regular.ttf", "NotoSansSC-Regular.ttf"},
		{"700Bold/NotoSansSC_700Bold.ttf", "NotoSansSC-Bold.ttf"},
	}
	for _, j := range jobs {
		full, err := os.ReadFile(filepath.Join(*src, j.in))
		if err != nil {
			log.Fatal(err)
		}
		if !bytes.Equal(full[:4], []byte{0, 1, 0, 0}) {
			log.Fatalf("%s: not a TrueType (glyf) font", j.in)
		}
		have := cmapRunes(full)
		var cut []rune
		var missing []rune
		for _, r := range runes {
			if have[r] {
				cut = append(cut, r)
			} else {
				missing = append(missing, r)
			}
		}
		outBuf := gofpdf.UTF8CutFont(full, string(cut))
		if len(outBuf) == 0 {
			log.Fatalf("%s: cut failed", j.in)
		}
		dst := filepath.Join(*out, j.out)
		if err := os.WriteFile(dst, outBuf, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d runes kept, %d not in source font, %d bytes\n", dst, len(cut), len(missing), len(outBuf))
		if len(missing) > 0 && len(missing) < 400 {
			fmt.Printf("  missing: %q\n", string(missing))
		}
	}
	lic, err := os.ReadFile(filepath.Join(*src, "LICENSE_FONT"))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*out, "OFL.txt"), lic, 0o644); err != nil {
		log.Fatal(err)
	}
}

// repertoire returns the sorted set of runes to keep.
func repertoire() []rune {
	set := map[rune]bool{}
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			set[r] = true
		}
	}
	add(0x20, 0x7E)     // ASCII
	add(0xA0, 0xFF)     // Latin-1
	add(0x2000, 0x206F) // General Punctuation
	add(0x3000, 0x303F) // CJK Symbols and Punctuation
	add(0xFF00, 0xFFEF) // Halfwidth and Fullwidth Forms
	add(0x2460, 0x2473) // ①–⑳
	set['℃'], set['×'], set['√'] = true, true, true

	dec := simplifiedchinese.GBK.NewDecoder()
	enc := simplifiedchinese.GBK.NewEncoder()
	for lead := 0x81; lead <= 0xFE; lead++ {
		for trail := 0x40; trail <= 0xFE; trail++ {
			if trail == 0x7F {
				continue
			}
			s, err := dec.Bytes([]byte{byte(lead), byte(trail)})
			if err != nil {
				continue
			}
			rs := []rune(string(s))
			if len(rs) != 1 || rs[0] == unicode.ReplacementChar || unicode.In(rs[0], unicode.Co) {
				continue
			}
			// Keep only characters that round-trip to GBK.
			if _, err := enc.Bytes(s); err != nil {
				continue
			}
			set[rs[0]] = true
		}
	}
	out := make([]rune, 0, len(set))
	for r := range set {
		if unicode.IsControl(r) || unicode.In(r, unicode.Co, unicode.Cs) {
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// cmapRunes returns the BMP runes the font maps to a glyph other than .notdef,
// read from its (3,1) or (0,x) format 4 cmap subtable.
func cmapRunes(font []byte) map[rune]bool {
	be := binary.BigEndian
	n := int(be.Uint16(font[4:]))
	var cmap []byte
	for i := 0; i < n; i++ {
		rec := font[12+16*i:]
		if string(rec[:4]) == "cmap" {
			off, ln := be.Uint32(rec[8:]), be.Uint32(rec[12:])
			cmap = font[off : off+ln]
		}
	}
	res := map[rune]bool{}
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
		for s := 0; s < seg; s++ {
			end, start := int(be.Uint16(ends[2*s:])), int(be.Uint16(starts[2*s:]))
			delta, ro := int(int16(be.Uint16(deltas[2*s:]))), int(be.Uint16(ros[2*s:]))
			for c := start; c <= end && c < 0xFFFF; c++ {
				g := 0
				if ro == 0 {
					g = (c + delta) & 0xFFFF
				} else {
					p := 2*s + ro + 2*(c-start)
					g = int(be.Uint16(ros[p:]))
					if g != 0 {
						g = (g + delta) & 0xFFFF
					}
				}
				if g != 0 {
					res[rune(c)] = true
				}
			}
		}
		break
	}
	return res
}
