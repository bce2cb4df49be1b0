package pdf

import "strings"

// Line breaking.
//
// gofpdf's MultiCell, SplitText and Write lose one character at every
// automatic line break in text without spaces (they assume the character at
// the break is a space and skip it), which eats one Chinese character per
// line; TestGofpdfDropsRunes shows it. wrapText replaces them: it measures
// rune by rune, never drops a visible character, keeps Latin words whole when
// they fit on a line, and applies the basic Chinese line-breaking rules
// (禁则): closing punctuation never begins a line and opening brackets never
// end one; when a break would violate them the previous character is pulled
// down to the next line.

// noLineStart holds the characters that must not begin a line.
const noLineStart = "，。、；：？！）》」』】〕〉］｝’”…‥—–·・％‰℃～．,.;:?!)]}%"

// noLineEnd holds the characters that must not end a line.
const noLineEnd = "（《「『【〔〈［｛‘“([{"

func forbiddenStart(r rune) bool { return strings.ContainsRune(noLineStart, r) }
func forbiddenEnd(r rune) bool   { return strings.ContainsRune(noLineEnd, r) }

// token is an unbreakable piece of a paragraph: one space, one CJK
// character or symbol, or a run of Latin letters, digits and ASCII marks.
type token struct {
	runes []rune
	w     float64
	space bool
}

func (t token) first() rune { return t.runes[0] }
func (t token) last() rune  { return t.runes[len(t.runes)-1] }

// wordRune reports whether r joins its neighbours into a word: everything
// below U+2000 except spaces (Latin, Greek, Cyrillic, digits, ASCII marks).
func wordRune(r rune) bool { return r < 0x2000 && r != ' ' && r != '\t' }

func tokenize(para []rune, width func(rune) float64) []token {
	var toks []token
	for i := 0; i < len(para); {
		r := para[i]
		switch {
		case r == ' ' || r == '\t':
			toks = append(toks, token{runes: []rune{' '}, w: width(' '), space: true})
			i++
		case wordRune(r):
			j := i
			w := 0.0
			for j < len(para) && wordRune(para[j]) {
				w += width(para[j])
				j++
			}
			toks = append(toks, token{runes: para[i:j], w: w})
			i = j
		default:
			toks = append(toks, token{runes: para[i : i+1], w: width(r)})
			i++
		}
	}
	return toks
}

// wrapText breaks s into lines no wider than maxW, where width gives the
// advance of each rune in the same unit. Explicit newlines are kept as line
// breaks; spaces at an automatic break are dropped; no other rune is lost. A
// line is wider than maxW only when it holds a single rune wider than maxW.
func wrapText(s string, maxW float64, width func(rune) float64) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lines = appendWrapped(lines, []rune(para), maxW, width)
	}
	return lines
}

const eps = 1e-9

func appendWrapped(lines []string, para []rune, maxW float64, width func(rune) float64) []string {
	toks := tokenize(para, width)
	if len(toks) == 0 {
		return append(lines, "")
	}
	var b strings.Builder
	emit := func(ts []token) {
		// Trailing spaces at a soft break are dropped.
		for len(ts) > 0 && ts[len(ts)-1].space {
			ts = ts[:len(ts)-1]
		}
		b.Reset()
		for _, t := range ts {
			b.WriteString(string(t.runes))
		}
		lines = append(lines, b.String())
	}
	start, w := 0, 0.0
	for i := 0; i < len(toks); {
		t := toks[i]
		if w+t.w <= maxW+eps {
			w += t.w
			i++
			continue
		}
		if t.space {
			// Break at the space; spaces at the start of the next line go.
			emit(toks[start:i])
			for i < len(toks) && toks[i].space {
				i++
			}
			start, w = i, 0
			continue
		}
		if !hasContent(toks[start:i]) {
			// The token alone is too wide: it must be a long word (a single
			// rune is placed anyway). Split it rune by rune.
			if w > 0 && width(t.first()) > maxW-w+eps {
				// Indenting spaces leave no room: drop them.
				start, w = i, 0
				continue
			}
			n := fitRunes(t.runes, maxW-w, width)
			if n >= len(t.runes) {
				emit(toks[start : i+1])
				i++
				start, w = i, 0
				continue
			}
			for n > 1 && forbiddenStart(t.runes[n]) {
				n--
			}
			head, tail := t.runes[:n], t.runes[n:]
			line := append(append([]token(nil), toks[start:i]...), token{runes: head})
			emit(line)
			toks[i] = token{runes: tail, w: sumWidth(tail, width)}
			start, w = i, 0
			continue
		}
		// Break before token i, pulling characters down to keep the rules.
		brk := i
		for brk > start+1 && violates(toks, start, brk) {
			brk--
		}
		if violates(toks, start, brk) || !hasContent(toks[start:brk]) {
			brk = i
		}
		emit(toks[start:brk])
		i = brk
		for i < len(toks) && toks[i].space {
			i++
		}
		start, w = i, 0
	}
	if start < len(toks) {
		emit(toks[start:])
	}
	return lines
}

// violates reports whether breaking before toks[brk] puts a forbidden
// character at the start of the next line or the end of this one.
func violates(toks []token, start, brk int) bool {
	last := brk - 1
	for last >= start && toks[last].space {
		last--
	}
	if last >= start && forbiddenEnd(toks[last].last()) {
		return true
	}
	next := brk
	for next < len(toks) && toks[next].space {
		next++
	}
	return next < len(toks) && forbiddenStart(toks[next].first())
}

func hasContent(ts []token) bool {
	for _, t := range ts {
		if !t.space {
			return true
		}
	}
	return false
}

// fitRunes returns how many leading runes of rs fit in avail; at least one.
func fitRunes(rs []rune, avail float64, width func(rune) float64) int {
	w := 0.0
	for i, r := range rs {
		w += width(r)
		if w > avail+eps {
			if i == 0 {
				return 1
			}
			return i
		}
	}
	return len(rs)
}

func sumWidth(rs []rune, width func(rune) float64) float64 {
	w := 0.0
	for _, r := range rs {
		w += width(r)
	}
	return w
}
