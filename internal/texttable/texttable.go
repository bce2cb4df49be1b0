// Package texttable prints plain-text tables whose columns line up in a
// terminal, counting Chinese (East Asian wide and fullwidth) characters as
// two columns, as terminals draw them. text/tabwriter counts every
// character as one, so a table of Chinese names comes out ragged.
package texttable

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/width"
)

// Width returns how many terminal columns s takes.
func Width(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// Pad returns s followed by spaces up to cols terminal columns.
func Pad(s string, cols int) string {
	if w := Width(s); w < cols {
		return s + strings.Repeat(" ", cols-w)
	}
	return s
}

// Write prints rows with each line starting with indent and the columns
// separated by two spaces; the last column is not padded.
func Write(w io.Writer, indent string, rows [][]string) error {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Width(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, cell := range row {
			if i == len(row)-1 {
				b.WriteString(cell)
				break
			}
			b.WriteString(Pad(cell, widths[i]))
			b.WriteString("  ")
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return fmt.Errorf("texttable: %w", err)
		}
	}
	return nil
}
