package queries

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	columnGap    = 2
	minTextWidth = 12 // text columns are cut to no less than this before going vertical
)

// writeTable prints an aligned table that fits TableWidth. Headers wrap at underscores onto more
// lines; text columns are cut with "…" (widest first; a project slug loses its start, so that
// "…/acme/legacy" still tells similar names apart); numbers and times are never cut. When the
// table still does not fit it prints one "column | value" line per field instead, psql's
// expanded display.
func (r *Result) writeTable(w io.Writer) error {
	cells := r.display()
	numeric := r.numericColumns()
	widths, ok := r.fitWidths(cells, numeric)
	var b strings.Builder
	if !ok {
		r.writeExpanded(&b, cells)
	} else {
		line := make([]string, len(r.Columns))
		heads := make([][]string, len(r.Columns))
		depth := 0
		for i, c := range r.Columns {
			heads[i] = wrapHeader(c, widths[i])
			depth = max(depth, len(heads[i]))
		}
		for l := range depth {
			for i := range r.Columns {
				line[i] = pad("", widths[i], false)
				// Bottom-align wrapped headers so the last word sits on the rule.
				if k := l - (depth - len(heads[i])); k >= 0 {
					line[i] = pad(heads[i][k], widths[i], numeric[i])
				}
			}
			writeLine(&b, line)
		}
		for i := range r.Columns {
			line[i] = strings.Repeat("-", widths[i])
		}
		writeLine(&b, line)
		for _, row := range cells {
			for i, c := range row {
				cut := ellipsize
				if leftCut(r.Columns[i]) {
					cut = ellipsizeLeft
				}
				line[i] = pad(cut(c, widths[i]), widths[i], numeric[i])
			}
			writeLine(&b, line)
		}
	}
	fmt.Fprintf(&b, "(%d %s)\n", len(r.Rows), plural(len(r.Rows), "row", "rows"))
	_, err := io.WriteString(w, b.String())
	return err
}

// fitWidths returns column widths that fit TableWidth, or false when none do. It first wraps
// headers that are wider than their column's values (no information lost), then cuts text
// columns, widest first.
func (r *Result) fitWidths(cells [][]string, numeric []bool) ([]int, bool) {
	n := len(r.Columns)
	widths := make([]int, n)
	wrapTo := make([]int, n) // width once the header is wrapped
	cutTo := make([]int, n)  // width once text is cut as far as allowed
	for i, c := range r.Columns {
		cellWidth := 0
		for _, row := range cells {
			cellWidth = max(cellWidth, runes(row[i]))
		}
		widths[i] = max(runes(c), cellWidth)
		wrapTo[i] = max(cellWidth, longestWord(c))
		cutTo[i] = wrapTo[i]
		if !numeric[i] && !r.isTime(i) {
			cutTo[i] = max(longestWord(c), min(cellWidth, minTextWidth))
		}
	}
	excess := columnGap*max(n-1, 0) - TableWidth
	for _, w := range widths {
		excess += w
	}
	for _, floor := range [][]int{wrapTo, cutTo} {
		for excess > 0 {
			widest := -1
			for i := range widths {
				if widths[i] > floor[i] && (widest < 0 || widths[i] > widths[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			widths[widest]--
			excess--
		}
	}
	return widths, excess <= 0
}

func (r *Result) isTime(col int) bool {
	for _, row := range r.Rows {
		if _, ok := row[col].(time.Time); ok {
			return true
		}
	}
	return false
}

func (r *Result) writeExpanded(b *strings.Builder, cells [][]string) {
	keyWidth := 0
	for _, c := range r.Columns {
		keyWidth = max(keyWidth, runes(c))
	}
	keyWidth = min(keyWidth, TableWidth/3)
	valueWidth := TableWidth - keyWidth - 3
	for n, row := range cells {
		head := fmt.Sprintf("-[ RECORD %d ]", n+1)
		b.WriteString(head + strings.Repeat("-", max(TableWidth-runes(head), 0)) + "\n")
		for i, c := range row {
			b.WriteString(pad(ellipsize(r.Columns[i], keyWidth), keyWidth, false))
			b.WriteString(" | ")
			b.WriteString(strings.TrimRight(ellipsize(c, valueWidth), " "))
			b.WriteString("\n")
		}
	}
}

// wrapHeader splits a column name at underscores into lines no wider than width.
func wrapHeader(name string, width int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Split(name, "_") {
		switch {
		case cur == "":
			cur = word
		case runes(cur)+1+runes(word) <= width:
			cur += "_" + word
		default:
			lines = append(lines, ellipsize(cur, width))
			cur = word
		}
	}
	return append(lines, ellipsize(cur, width))
}

func longestWord(name string) int {
	n := 0
	for _, word := range strings.Split(name, "_") {
		n = max(n, runes(word))
	}
	return n
}

func writeLine(b *strings.Builder, cells []string) {
	b.WriteString(strings.TrimRight(strings.Join(cells, strings.Repeat(" ", columnGap)), " "))
	b.WriteString("\n")
}

func pad(s string, width int, right bool) string {
	gap := strings.Repeat(" ", max(width-runes(s), 0))
	if right {
		return gap + s
	}
	return s + gap
}

func ellipsize(s string, width int) string {
	if runes(s) <= width {
		return s
	}
	if width <= 1 {
		return string([]rune(s)[:width])
	}
	return string([]rune(s)[:width-1]) + "…"
}

// leftCut says a column's values differ at their end: a project slug's vcs type and org are
// shared by many rows, its repository name is what tells them apart.
func leftCut(column string) bool { return strings.HasSuffix(column, "_slug") }

// ellipsizeLeft cuts s to width from the left: "…/acme/legacy".
func ellipsizeLeft(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	if width <= 1 {
		return string(r[len(r)-width:])
	}
	return "…" + string(r[len(r)-width+1:])
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
