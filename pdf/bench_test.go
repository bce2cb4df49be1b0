package pdf

import (
	"io"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// countWriter counts the bytes of a rendered document.
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// baselineOneLine renders the smallest document gofpdf can make with the
// embedded font: one page, one line, the whole cut font handed to
// AddUTF8FontFromBytes as a naive user would.
func baselineOneLine(w io.Writer) error {
	p := gofpdf.New("P", "mm", "A4", "")
	p.SetCatalogSort(true)
	p.SetCreationDate(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	p.AddUTF8FontFromBytes(fontFamily, "", regularTTF)
	p.AddPage()
	p.SetFont(fontFamily, "", bodySize)
	p.Text(marginL, 30, "群众约谈、干部解难")
	return p.Output(w)
}

var (
	baselineOnce  sync.Once
	baselineNs    float64
	baselineBytes float64
)

// baselineFigures measures the median time and the size of baselineOneLine once.
func baselineFigures(b *testing.B) (ns, bytes float64) {
	baselineOnce.Do(func() {
		var d []time.Duration
		for i := 0; i < 15; i++ {
			var w countWriter
			start := time.Now()
			if err := baselineOneLine(&w); err != nil {
				b.Fatal(err)
			}
			d = append(d, time.Since(start))
			baselineBytes = float64(w.n)
		}
		baselineNs = float64(median(d))
	})
	return baselineNs, baselineBytes
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// BenchmarkBaselineOneLine is the reference the form benchmarks compare
// with.
func BenchmarkBaselineOneLine(b *testing.B) {
	var w countWriter
	for b.Loop() {
		w.n = 0
		if err := baselineOneLine(&w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.n), "bytes")
}

// BenchmarkForms renders each form's typical record and reports its median
// time and size, also as ratios to BenchmarkBaselineOneLine (goals: at most
// 1.5× the time, at most 150 KB).
func BenchmarkForms(b *testing.B) {
	baseNs, baseBytes := baselineFigures(b)
	for _, f := range fixtures(b) {
		if !f.typical {
			continue
		}
		b.Run(f.form, func(b *testing.B) {
			var d []time.Duration
			var w countWriter
			for b.Loop() {
				w.n = 0
				start := time.Now()
				if err := f.render(&w); err != nil {
					b.Fatal(err)
				}
				d = append(d, time.Since(start))
			}
			med := float64(median(d))
			b.ReportMetric(med/1e6, "median-ms")
			b.ReportMetric(float64(w.n), "bytes")
			b.ReportMetric(med/baseNs, "x-baseline-time")
			b.ReportMetric(float64(w.n)/baseBytes, "x-baseline-bytes")
		})
	}
}

// BenchmarkFontCost separates the per-document font work: what gofpdf
// spends on the whole embedded font against what our per-document subset
// costs (building it, then gofpdf parsing and re-cutting it).
func BenchmarkFontCost(b *testing.B) {
	fs, err := loadFaces()
	if err != nil {
		b.Fatal(err)
	}
	// The runes of a typical one-page form: about 300.
	var runes []rune
	seen := map[rune]bool{}
	for _, r := range seedText(b) {
		if !seen[r] && len(runes) < 300 {
			seen[r] = true
			runes = append(runes, r)
		}
	}
	sub := fs[0].subset(runes)
	oneLine := func(font []byte) error {
		p := gofpdf.New("P", "mm", "A4", "")
		p.AddUTF8FontFromBytes(fontFamily, "", font)
		p.AddPage()
		p.SetFont(fontFamily, "", bodySize)
		p.Text(20, 20, string(runes))
		return p.Output(io.Discard)
	}
	b.Run("gofpdf-add-full-font", func(b *testing.B) {
		for b.Loop() {
			p := gofpdf.New("P", "mm", "A4", "")
			p.AddUTF8FontFromBytes(fontFamily, "", regularTTF)
		}
	})
	b.Run("gofpdf-add-subset-font", func(b *testing.B) {
		for b.Loop() {
			p := gofpdf.New("P", "mm", "A4", "")
			p.AddUTF8FontFromBytes(fontFamily, "", sub)
		}
	})
	b.Run("build-subset-300-runes", func(b *testing.B) {
		for b.Loop() {
			fs[0].subset(runes)
		}
	})
	b.Run("doc-300-runes-full-font", func(b *testing.B) {
		for b.Loop() {
			if err := oneLine(regularTTF); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("doc-300-runes-subset-font", func(b *testing.B) {
		for b.Loop() {
			if err := oneLine(fs[0].subset(runes)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
