package queries

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// TableWidth is the terminal width the table format fits in.
const TableWidth = 80

// Formats lists the output formats Write accepts.
func Formats() []string { return []string{"table", "csv", "json", "markdown"} }

// Write prints r in format: table (aligned, fits TableWidth columns: wide text is cut with "…",
// and a result too wide even so is shown one field per line), csv (RFC 4180 with a header), json
// (an array of objects, keys in column order) or markdown (a GitHub table). Timestamps print as
// RFC 3339 UTC, dates as YYYY-MM-DD, NULL as an empty cell (null in json).
func (r *Result) Write(w io.Writer, format string) error {
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case "table", "":
		err = r.writeTable(bw)
	case "csv":
		err = r.writeCSV(bw)
	case "json":
		err = r.writeJSON(bw)
	case "markdown":
		err = r.writeMarkdown(bw)
	default:
		return fmt.Errorf("%w: format %q: want one of %s", ErrBadParams, format, strings.Join(Formats(), ", "))
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// text renders one cell for csv: full precision, no padding.
func (r *Result) text(col int, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x+0, 'f', -1, 64) // +0 turns round()'s -0 into 0
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if r.isDate(col) {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

func (r *Result) isDate(col int) bool { return col < len(r.types) && r.types[col] == "DATE" }

func (r *Result) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.Columns); err != nil {
		return err
	}
	rec := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for i, v := range row {
			rec[i] = r.text(i, v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (r *Result) writeJSON(w io.Writer) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for n, row := range r.Rows {
		var b strings.Builder
		if n > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n{")
		for i, v := range row {
			if i > 0 {
				b.WriteString(",")
			}
			key, _ := json.Marshal(r.Columns[i])
			b.Write(key)
			b.WriteString(":")
			val, err := json.Marshal(r.jsonValue(i, v))
			if err != nil {
				val, _ = json.Marshal(fmt.Sprint(v))
			}
			b.Write(val)
		}
		b.WriteString("}")
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	if len(r.Rows) > 0 {
		_, err := io.WriteString(w, "\n]\n")
		return err
	}
	_, err := io.WriteString(w, "]\n")
	return err
}

func (r *Result) jsonValue(col int, v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case time.Time:
		return r.text(col, x)
	}
	return v
}

func (r *Result) writeMarkdown(w io.Writer) error {
	cells := r.display()
	numeric := r.numericColumns()
	esc := func(s string) string {
		s = strings.ReplaceAll(s, "|", `\|`)
		return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	}
	var b strings.Builder
	b.WriteString("|")
	for _, c := range r.Columns {
		b.WriteString(" " + esc(c) + " |")
	}
	b.WriteString("\n|")
	for i := range r.Columns {
		if numeric[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, row := range cells {
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" " + esc(c) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// numericColumns reports the columns whose every non-NULL cell is a number (right-aligned).
func (r *Result) numericColumns() []bool {
	out := make([]bool, len(r.Columns))
	for i := range r.Columns {
		out[i] = true
		seen := false
		for _, row := range r.Rows {
			switch row[i].(type) {
			case nil:
			case int64, float64:
				seen = true
			default:
				out[i] = false
			}
		}
		out[i] = out[i] && seen
	}
	return out
}

// display renders every cell for the table and markdown formats: floats with the same number of
// decimals down a column so they line up, control characters flattened to spaces.
func (r *Result) display() [][]string {
	decimals := make([]int, len(r.Columns))
	for i := range r.Columns {
		decimals[i] = floatDecimals(r.Rows, i)
	}
	out := make([][]string, len(r.Rows))
	for n, row := range r.Rows {
		out[n] = make([]string, len(row))
		for i, v := range row {
			var s string
			switch x := v.(type) {
			case float64:
				s = strconv.FormatFloat(x+0, 'f', decimals[i], 64)
			case time.Time:
				if r.isDate(i) {
					s = x.Format(time.DateOnly)
				} else {
					s = x.UTC().Format(time.RFC3339)
				}
			default:
				s = r.text(i, v)
			}
			out[n][i] = flatten(s)
		}
	}
	return out
}

// floatDecimals picks the decimals of a float column: the fewest that show every value exactly,
// at most four (the queries round their results; ad-hoc SQL may not).
func floatDecimals(rows [][]any, col int) int {
	const most = 4
	decimals := 0
	for _, row := range rows {
		x, ok := row[col].(float64)
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		for decimals < most {
			scaled := x * math.Pow10(decimals)
			if math.Abs(scaled-math.Round(scaled)) <= 1e-9*math.Max(1, math.Abs(scaled)) {
				break
			}
			decimals++
		}
	}
	return decimals
}

func flatten(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
