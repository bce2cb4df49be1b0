// Package progressbar draws a command's progress, `[#####.....] 12/40 label`:
// redrawn in place on a terminal, one line per step otherwise.
package progressbar

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
)

// Width is how many marks a full bar has.
const Width = 20

// Bar is one progress bar on a writer (nil: draws nothing).
type Bar struct {
	w     io.Writer
	total int
	tty   bool
	shown int // the percentage (terminal) or marks (log) last drawn; -1 none
}

// New starts a bar of total steps on w.
func New(w io.Writer, total int) *Bar {
	b := &Bar{w: w, total: total, shown: -1}
	if f, ok := w.(*os.File); ok {
		b.tty = isatty.IsTerminal(f.Fd())
	}
	return b
}

// Show draws the bar at done.
func (b *Bar) Show(done int, label string) {
	if b.w == nil {
		return
	}
	filled := Width
	if b.total > 0 {
		filled = done * Width / b.total
	}
	line := fmt.Sprintf("[%s%s] %d/%d %s", strings.Repeat("#", filled), strings.Repeat(".", Width-filled), done, b.total, label)
	if b.tty {
		fmt.Fprintf(b.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(b.w, line)
	}
}

// Step draws the bar at done when it has visibly moved since last drawn
// (a percent on a terminal, a mark in a log), so a hundred thousand steps
// print a hundred redraws or twenty lines.
func (b *Bar) Step(done int, label string) {
	at := Width
	if b.total > 0 {
		if b.tty {
			at = done * 100 / b.total
		} else {
			at = done * Width / b.total
		}
	}
	if at == b.shown && done != b.total {
		return
	}
	b.shown = at
	b.Show(done, label)
}

// Done ends the bar's line on a terminal.
func (b *Bar) Done() {
	if b.w != nil && b.tty {
		fmt.Fprintln(b.w)
	}
}
