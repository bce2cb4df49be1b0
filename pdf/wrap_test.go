package pdf

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"
)

// testWidth measures runes of the regular face at 11 pt, in mm.
func testWidth(t testing.TB) func(rune) float64 {
	t.Helper()
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	d := &doc{faces: fs}
	return d.runeWidth(stBody)
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func lineWidth(l string, width func(rune) float64) float64 {
	w := 0.0
	for _, r := range l {
		w += width(r)
	}
	return w
}

// TestGofpdfDropsRunes documents why wrap.go exists: gofpdf's SplitText
// (and MultiCell, which shares its logic) loses one character at every
// automatic break in Chinese text. gofpdf is archived, so this stays true.
func TestGofpdfDropsRunes(t *testing.T) {
	t.Parallel()
	p := gofpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("noto", "", regularTTF)
	p.AddPage()
	p.SetFont("noto", "", 12)
	s := "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜金生丽水玉出昆冈"
	lines := p.SplitText(s, 40)
	got := []rune(strings.Join(lines, ""))
	lost := utf8.RuneCountInString(s) - len(got)
	t.Logf("gofpdf SplitText: %d lines, %d of %d runes lost", len(lines), lost, utf8.RuneCountInString(s))
	if lost != len(lines)-1 {
		t.Errorf("expected gofpdf to lose one rune per break (%d), lost %d", len(lines)-1, lost)
	}
	ours := wrapText(s, 40, testWidth(t))
	if strings.Join(ours, "") != s {
		t.Errorf("wrapText lost runes: %q", ours)
	}
}

func TestWrapText(t *testing.T) {
	t.Parallel()
	width := testWidth(t)
	seed := seedText(t)
	tests := []struct {
		name  string
		text  string
		maxW  float64
		lines []string // nil: only the invariants are checked
	}{
		{name: "empty", text: "", maxW: 50, lines: []string{""}},
		{name: "fits", text: "群众约谈", maxW: 50, lines: []string{"群众约谈"}},
		{name: "hard breaks kept", text: "一\n\n二\r\n三", maxW: 50, lines: []string{"一", "", "二", "三"}},
		{name: "cjk breaks anywhere", text: "一二三四五六", maxW: 3 * 3.89, lines: []string{"一二三", "四五六"}},
		{name: "comma pulls previous char down", text: "一二三，四五", maxW: 3 * 3.89, lines: []string{"一二", "三，四", "五"}},
		{name: "closing quote and period", text: "他说“好”。我们", maxW: 4 * 3.89, lines: nil},
		{name: "opening bracket not at line end", text: "一二《三四》", maxW: 3 * 3.89, lines: []string{"一二", "《三", "四》"}},
		{name: "latin word kept whole", text: "请访问 example 网站", maxW: 20, lines: []string{"请访问", "example", "网站"}},
		{name: "long word split", text: "https://yuetan.example.gov.cn/v/YT-2026-0193", maxW: 30, lines: nil},
		{name: "ascii comma after cjk", text: "活动为契机,组织开展了", maxW: 5 * 3.89, lines: []string{"活动为契", "机,组织开", "展了"}},
		{name: "indent kept", text: "　　第一段", maxW: 50, lines: []string{"　　第一段"}},
		{name: "narrower than a rune", text: "群众", maxW: 1, lines: []string{"群", "众"}},
		{name: "seed at 60mm", text: seed, maxW: 60},
		{name: "seed at 142mm", text: seed, maxW: 142.4},
		{name: "seed at 23mm", text: seed, maxW: 23.4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := wrapText(tt.text, tt.maxW, width)
			checkWrap(t, tt.text, tt.maxW, lines, width)
			if tt.lines != nil && strings.Join(lines, "|") != strings.Join(tt.lines, "|") {
				t.Errorf("lines\n got %q\nwant %q", lines, tt.lines)
			}
		})
	}
}

// checkWrap asserts the wrapper's invariants: no visible rune lost or
// reordered, every line within width unless it is one rune.
func checkWrap(t *testing.T, text string, maxW float64, lines []string, width func(rune) float64) {
	t.Helper()
	if got, want := stripSpace(strings.Join(lines, "")), stripSpace(text); got != want {
		t.Fatalf("runes lost or changed:\n got %q\nwant %q", got, want)
	}
	for i, l := range lines {
		if w := lineWidth(l, width); w > maxW+1e-6 && utf8.RuneCountInString(l) > 1 {
			t.Errorf("line %d %q is %.2f mm wide, max %.2f", i, l, w, maxW)
		}
	}
}

// TestWrapPunctuationNeverStartsLine wraps the seed document at many widths
// and checks the line-breaking rules on every soft break.
func TestWrapPunctuationNeverStartsLine(t *testing.T) {
	t.Parallel()
	width := testWidth(t)
	seed := seedText(t)
	paras := strings.Split(seed, "\n")
	for w := 20.0; w <= 170; w += 7.3 {
		for _, para := range paras {
			lines := wrapText(para, w, width)
			for i, l := range lines {
				rs := []rune(l)
				if len(rs) == 0 {
					continue
				}
				if i > 0 && forbiddenStart(rs[0]) {
					t.Errorf("width %.1f: line starts with %q: %q (previous %q)", w, rs[0], l, lines[i-1])
				}
				if i < len(lines)-1 && forbiddenEnd(rs[len(rs)-1]) {
					t.Errorf("width %.1f: line ends with %q: %q", w, rs[len(rs)-1], l)
				}
			}
		}
	}
}

func FuzzWrap(f *testing.F) {
	f.Add("群众约谈、干部解难", 30.0)
	f.Add("今年以来,宁波江东区以教育实践活动为契机,组织开展了“群众约谈、干部解难”活动。", 25.0)
	f.Add("Hello, world! 这是 mixed text，含有（括号）和“引号”……", 12.5)
	f.Add("，，，，，，。。。。。“”“”", 8.0)
	f.Add("https://yuetan.example.gov.cn/v/YT-2026-0193?code=7Q4K9XTA", 20.0)
	f.Add("   leading spaces   and  trailing   ", 5.0)
	f.Add("\t\r\n\n", 1.0)
	width := testWidth(f)
	f.Fuzz(func(t *testing.T, s string, maxW float64) {
		if !utf8.ValidString(s) || maxW != maxW || maxW < 0.5 || maxW > 1000 {
			t.Skip()
		}
		lines := wrapText(s, maxW, width)
		// Normalised input: CR becomes a break, tabs count as spaces.
		checkWrap(t, s, maxW, lines, width)
	})
}
