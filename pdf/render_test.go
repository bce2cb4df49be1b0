package pdf

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"yuetan/internal/testtool"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func renderFixture(t testing.TB, f fixture) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.render(&buf); err != nil {
		t.Fatalf("%s: %v", f.name, err)
	}
	return buf.Bytes()
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mmToPt converts millimetres to PDF points (pdftotext's pixels at -r 72).
func mmToPt(mm float64) string { return strconv.Itoa(int(mm * 72 / 25.4)) }

// cropX is where the text a fixture is checked against starts: right of
// the label column for the label/value forms, so that labels and the
// running header and footer stay out of the text a split field is read
// from.
var cropX = map[string]float64{
	"application": marginL + appLabelW,
	"notice":      marginL + noticeLabelW,
	"talk":        marginL + talkLabelW,
	"feedback":    marginL + feedbackLabelW,
	"signatures":  marginL,
	"bulletin":    marginL,
}

// TestTextRoundTrip checks that pdftotext gives back each record's text
// exactly, long texts included: no character is lost at line or page
// breaks (compared with whitespace removed).
func TestTextRoundTrip(t *testing.T) {
	t.Parallel()
	pdftotext := testtool.Require(t, "pdftotext")
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			path := writeTemp(t, f.name+".pdf", renderFixture(t, f))
			top, bottom := 17.5, bodyBottom+0.5
			x := cropX[f.form]
			out, err := exec.Command(pdftotext, "-r", "72", "-x", mmToPt(x), "-y", mmToPt(top),
				"-W", mmToPt(pageW-marginR+0.5-x), "-H", mmToPt(bottom-top), path, "-").CombinedOutput()
			if err != nil {
				t.Fatalf("pdftotext: %v\n%s", err, out)
			}
			got := stripSpace(string(out))
			for _, want := range f.texts {
				if !strings.Contains(got, stripSpace(want)) {
					t.Errorf("text not found in PDF:\n%s\n--- extracted:\n%s", want, out)
				}
			}
			// The wrapper's rule holds in the printed record text too: a line
			// of a record's text starts with closing punctuation only where a
			// paragraph of the record does.
			for _, l := range strings.Split(string(out), "\n") {
				l = stripSpace(l)
				r, _ := utf8.DecodeRuneInString(l)
				if !forbiddenStart(r) {
					continue
				}
				for _, text := range f.texts {
					if strings.Contains(stripSpace(text), l) && !paragraphStart(text, l) {
						t.Errorf("printed line starts with %q: %q", r, l)
					}
				}
			}
			if strings.ContainsRune(got, missingRune) {
				t.Errorf("PDF shows %c for a character the font lacks", missingRune)
			}
			full, err := exec.Command(pdftotext, path, "-").CombinedOutput()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			for _, want := range []string{"验证码：7Q4K-9XTA", "生成时间：2026年11月23日 10:20"} {
				if !strings.Contains(string(full), want) {
					t.Errorf("verification line %q missing", want)
				}
			}
		})
	}
}

// paragraphStart reports whether line begins one of text's paragraphs.
func paragraphStart(text, line string) bool {
	for _, p := range strings.Split(text, "\n") {
		if strings.HasPrefix(stripSpace(p), line) || strings.HasPrefix(line, stripSpace(p)) && p != "" {
			return true
		}
	}
	return false
}

// TestMissingCharacters checks characters outside the font print as 〓
// instead of vanishing or breaking the encoding.
func TestMissingCharacters(t *testing.T) {
	t.Parallel()
	pdftotext := testtool.Require(t, "pdftotext")
	var buf bytes.Buffer
	d := NoticeData{Meta: meta("X-1"), Subject: "排涝😀改造≒𠮷", LeaderName: "张三"}
	if err := RenderNotice(&buf, d); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, writeTemp(t, "m.pdf", buf.Bytes()), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "排涝〓改造〓〓") {
		t.Errorf("want 排涝〓改造〓〓 in\n%s", out)
	}
}

// golden compares got with testdata/golden/name, or rewrites it with
// -update. A missing golden file fails the test.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden file %s missing: run go test ./pdf -run TestGolden -update", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%d bytes, golden %d): inspect the change and rerun with -update if intended",
			name, len(got), len(want))
	}
}

// TestGolden renders every fixture uncompressed, so a diff of two golden
// files shows the drawing operations that changed.
func TestGolden(t *testing.T) {
	t.Parallel()
	compressOutput = false
	defer func() { compressOutput = true }()
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			golden(t, f.name+".pdf", renderFixture(t, f))
		})
	}
}

// TestDeterministic renders every fixture twice, compressed as in
// production, and wants identical bytes.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			a, b := renderFixture(t, f), renderFixture(t, f)
			if !bytes.Equal(a, b) {
				t.Fatalf("two renders differ (%d and %d bytes)", len(a), len(b))
			}
			if !bytes.Contains(a, []byte("/CreationDate (D:20261123102000)")) {
				t.Error("creation date is not Meta.GeneratedAt")
			}
		})
	}
}

// TestRaster rasterises every page with pdftoppm and checks the page
// count, that each page has ink, and that nothing runs into the strip
// between the body and the footer. Set PDF_RASTER_DIR to keep the PNGs
// for looking at them.
func TestRaster(t *testing.T) {
	t.Parallel()
	pdftoppm := testtool.Require(t, "pdftoppm")
	dir := os.Getenv("PDF_RASTER_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	const dpi = 60
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(dir, f.name+".pdf")
			if err := os.WriteFile(path, renderFixture(t, f), 0o644); err != nil {
				t.Fatal(err)
			}
			prefix := filepath.Join(dir, f.name)
			if out, err := exec.Command(pdftoppm, "-r", strconv.Itoa(dpi), "-png", path, prefix).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, out)
			}
			pages, _ := filepath.Glob(prefix + "-*.png")
			sort.Strings(pages)
			if len(pages) == 0 || (f.pages > 0 && len(pages) != f.pages) {
				t.Fatalf("%d pages, want %d", len(pages), f.pages)
			}
			for _, p := range pages {
				checkPage(t, p, dpi)
			}
		})
	}
}

func checkPage(t *testing.T, path string, dpi float64) {
	t.Helper()
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	img, err := png.Decode(r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	px := func(mm float64) int { return int(mm * dpi / 25.4) }
	dark := func(x0, y0, x1, y1 int) int {
		n := 0
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				if (r+g+b)/3 < 0xC000 {
					n++
				}
			}
		}
		return n
	}
	b := img.Bounds()
	if n := dark(b.Min.X, b.Min.Y, b.Max.X, b.Max.Y); n < 500 {
		t.Errorf("%s: page nearly blank (%d dark pixels)", filepath.Base(path), n)
	}
	// The footer rule is at footerY-4; the 2 mm above it stay white.
	if n := dark(px(marginL), px(footerY-6.5), px(pageW-marginR), px(footerY-4.5)); n > 0 {
		t.Errorf("%s: %d dark pixels between body and footer: content overflows", filepath.Base(path), n)
	}
	if n := dark(0, 0, b.Max.X, px(5)) + dark(0, px(pageH-4), b.Max.X, b.Max.Y) +
		dark(0, 0, px(8), b.Max.Y) + dark(px(pageW-8), 0, b.Max.X, b.Max.Y); n > 0 {
		t.Errorf("%s: %d dark pixels in the page margins", filepath.Base(path), n)
	}
}

// TestPageNumbers checks multi-page forms print "第 X 页 共 Y 页" on every
// page and one-page forms print none.
func TestPageNumbers(t *testing.T) {
	t.Parallel()
	pdftotext := testtool.Require(t, "pdftotext")
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			out, err := exec.Command(pdftotext, writeTemp(t, "p.pdf", renderFixture(t, f)), "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			pages := strings.Split(strings.TrimRight(string(out), "\f"), "\f")
			re := regexp.MustCompile(`第\s*(\d+)\s*页\s*共\s*(\d+)\s*页`)
			for i, p := range pages {
				m := re.FindStringSubmatch(p)
				switch {
				case len(pages) == 1 && m != nil:
					t.Errorf("one-page form shows %q", m[0])
				case len(pages) > 1 && (m == nil || m[1] != strconv.Itoa(i+1) || m[2] != strconv.Itoa(len(pages))):
					t.Errorf("page %d of %d: page number %q", i+1, len(pages), m)
				}
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	ok := meta("E-1")
	tests := []struct {
		name   string
		render func() error
		want   string
	}{
		{"zero GeneratedAt", func() error { return RenderNotice(&bytes.Buffer{}, NoticeData{}) }, "GeneratedAt is required"},
		{"unknown category", func() error {
			return RenderApplication(&bytes.Buffer{}, ApplicationData{Meta: ok, Category: "petition"})
		}, `unknown category "petition"`},
		{"unknown talk form", func() error { return RenderTalk(&bytes.Buffer{}, TalkData{Meta: ok, TalkForm: "phone"}) }, `unknown talk form "phone"`},
		{"unknown outcome", func() error { return RenderTalk(&bytes.Buffer{}, TalkData{Meta: ok, Outcome: "ignored"}) }, `unknown outcome "ignored"`},
		{"unknown satisfaction", func() error {
			return RenderFeedback(&bytes.Buffer{}, FeedbackData{Meta: ok, Satisfaction: "happy"})
		}, `unknown satisfaction "happy"`},
		{"bad signature image", func() error {
			return RenderSignatures(&bytes.Buffer{}, SignaturesData{Meta: ok, Signers: []Signer{{Name: "李", Signature: []byte("not a png")}}})
		}, "signer 1 (李): signature image: decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.render()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestEmptyForms renders every form with nothing but Meta: blank paper
// forms to fill by hand.
func TestEmptyForms(t *testing.T) {
	t.Parallel()
	m := meta("BLANK")
	renders := map[string]func() error{
		"application": func() error { return RenderApplication(&bytes.Buffer{}, ApplicationData{Meta: m}) },
		"signatures":  func() error { return RenderSignatures(&bytes.Buffer{}, SignaturesData{Meta: m}) },
		"notice":      func() error { return RenderNotice(&bytes.Buffer{}, NoticeData{Meta: m}) },
		"talk":        func() error { return RenderTalk(&bytes.Buffer{}, TalkData{Meta: m}) },
		"feedback":    func() error { return RenderFeedback(&bytes.Buffer{}, FeedbackData{Meta: m}) },
		"bulletin":    func() error { return RenderBulletin(&bytes.Buffer{}, BulletinData{Meta: m}) },
	}
	for _, name := range Forms() {
		r, ok := renders[name]
		if !ok {
			t.Fatalf("Forms() lists %q, which has no renderer here", name)
		}
		if err := r(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(renders) != len(Forms()) {
		t.Errorf("Forms() lists %d forms, %d renderers", len(Forms()), len(renders))
	}
}

// TestOneLineDocumentSize measures what a document costs in font data:
// gofpdf subsets UTF-8 fonts to the runes used, and our own subset comes
// first, so a one-line document stays small.
func TestOneLineDocumentSize(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := render(&buf, "群众约谈", Meta{GeneratedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, func(d *doc) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one-line document (title and footer): %d bytes", buf.Len())
	if buf.Len() > 20_000 {
		t.Errorf("one-line document is %d bytes; font subsetting is not working", buf.Len())
	}
	// gofpdf itself subsets at output: handed the whole 7.5 MB font, a
	// one-line page still embeds only the glyphs used.
	var w countWriter
	if err := baselineOneLine(&w); err != nil {
		t.Fatal(err)
	}
	t.Logf("gofpdf one-line page with the whole font: %d bytes", w.n)
	if w.n > 20_000 {
		t.Errorf("gofpdf one-line page is %d bytes: gofpdf did not subset", w.n)
	}
}

// TestFormSizes keeps every typical form well under 150 KB.
func TestFormSizes(t *testing.T) {
	t.Parallel()
	for _, f := range fixtures(t) {
		n := len(renderFixture(t, f))
		t.Logf("%-18s %7d bytes", f.name, n)
		if f.typical && n > 150_000 {
			t.Errorf("%s is %d bytes, over 150 KB", f.name, n)
		}
	}
}

func ExampleRenderNotice() {
	var buf bytes.Buffer
	err := RenderNotice(&buf, NoticeData{
		Meta: Meta{
			Serial:      "YT-2026-0193-J",
			VerifyCode:  "7Q4K-9XTA",
			VerifyURL:   "https://yuetan.example.gov.cn/v/7Q4K9XTA",
			GeneratedAt: time.Date(2026, 11, 23, 10, 20, 0, 0, time.FixedZone("CST", 8*3600)),
		},
		LeaderName:       "胡军",
		LeaderTitle:      "区委书记",
		ApplicantName:    "划船社区",
		Subject:          "划船社区低洼地排涝改造",
		Category:         CategoryCommunityBuilding,
		DeliveredAt:      time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		ScheduleDeadline: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
	})
	fmt.Println(err, bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")))
	// Output: <nil> true
}

// TestConcurrentRender renders all fixtures from several goroutines at once
// (the parsed fonts are shared) and wants the same bytes as one at a time.
func TestConcurrentRender(t *testing.T) {
	t.Parallel()
	fx := fixtures(t)
	want := make([][]byte, len(fx))
	for i, f := range fx {
		want[i] = renderFixture(t, f)
	}
	errs := make(chan error, 4*len(fx))
	for g := 0; g < 4; g++ {
		go func() {
			for i, f := range fx {
				var buf bytes.Buffer
				if err := f.render(&buf); err != nil {
					errs <- err
					continue
				}
				if !bytes.Equal(buf.Bytes(), want[i]) {
					errs <- fmt.Errorf("%s: concurrent render differs", f.name)
					continue
				}
				errs <- nil
			}
		}()
	}
	for range 4 * len(fx) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestFeedbackListsProof: the feedback form lists the proof of work filed
// with it, and leaves the row out when there is none.
func TestFeedbackListsProof(t *testing.T) {
	pdftotext := testtool.Require(t, "pdftotext")
	text := func(d FeedbackData) string {
		var buf bytes.Buffer
		if err := RenderFeedback(&buf, d); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdftotext, writeTemp(t, "f.pdf", buf.Bytes()), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(string(out)), "")
	}
	got := text(FeedbackData{Meta: meta("F-1"), Subject: "排涝改造", Result: "已完成", Proof: []string{"现场照片.jpg", "验收单.pdf"}})
	if !strings.Contains(got, "办理佐证") || !strings.Contains(got, "共2件：现场照片.jpg；验收单.pdf") {
		t.Errorf("proof not listed:\n%s", got)
	}
	if got := text(FeedbackData{Meta: meta("F-2"), Subject: "排涝改造", Result: "已完成"}); strings.Contains(got, "办理佐证") {
		t.Errorf("a proof row without proof:\n%s", got)
	}
}
