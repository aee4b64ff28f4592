package queries_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/buildlake/buildlake/queries"
)

const sampleSQL = `
SELECT * FROM (VALUES
  ('github/acme/api', 42::BIGINT, 0.25::DOUBLE, NULL::VARCHAR, TIMESTAMP '2026-01-10 11:00:00', DATE '2026-01-05', 'a,"b"|c'),
  ('github/acme/web', 7, 12.5, 'x', NULL, DATE '2026-01-12', 'multi
line'))
  t(project, n, seconds, note, ts, week, tricky)
ORDER BY project`

func sample(t *testing.T, sqlText string) *queries.Result {
	t.Helper()
	res, err := queries.RunSQL(context.Background(), openFixture(t, ""), sqlText)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func write(t *testing.T, res *queries.Result, format string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := res.Write(&buf, format); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteCSV(t *testing.T) {
	got := write(t, sample(t, sampleSQL), "csv")
	want := "project,n,seconds,note,ts,week,tricky\n" +
		"github/acme/api,42,0.25,,2026-01-10T11:00:00Z,2026-01-05,\"a,\"\"b\"\"|c\"\n" +
		"github/acme/web,7,12.5,x,,2026-01-12,\"multi\nline\"\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteJSON(t *testing.T) {
	got := write(t, sample(t, sampleSQL), "json")
	want := `[
{"project":"github/acme/api","n":42,"seconds":0.25,"note":null,"ts":"2026-01-10T11:00:00Z","week":"2026-01-05","tricky":"a,\"b\"|c"},
{"project":"github/acme/web","n":7,"seconds":12.5,"note":"x","ts":null,"week":"2026-01-12","tricky":"multi\nline"}
]
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var decoded []map[string]any
	if err := json.Unmarshal([]byte(got), &decoded); err != nil || len(decoded) != 2 {
		t.Errorf("not a JSON array of 2 objects: %v", err)
	}
	if empty := write(t, sample(t, "SELECT 1 AS x WHERE false"), "json"); empty != "[]\n" {
		t.Errorf("empty result = %q, want []", empty)
	}
}

func TestWriteMarkdown(t *testing.T) {
	got := write(t, sample(t, sampleSQL), "markdown")
	// Numbers right-aligned; the pipe escaped; the newline flattened; floats with 2 decimals.
	want := "| project | n | seconds | note | ts | week | tricky |\n" +
		"|---|---:|---:|---|---|---|---|\n" +
		"| github/acme/api | 42 | 0.25 |  | 2026-01-10T11:00:00Z | 2026-01-05 | a,\"b\"\\|c |\n" +
		"| github/acme/web | 7 | 12.50 | x |  | 2026-01-12 | multi line |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteTable(t *testing.T) {
	got := write(t, sample(t, sampleSQL), "table")
	want := "" +
		"project           n  seconds  note  ts                    week        tricky\n" +
		"---------------  --  -------  ----  --------------------  ----------  ----------\n" +
		"github/acme/api  42     0.25        2026-01-10T11:00:00Z  2026-01-05  a,\"b\"|c\n" +
		"github/acme/web   7    12.50  x                           2026-01-12  multi line\n" +
		"(2 rows)\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func checkWidth(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > queries.TableWidth {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
}

// TestWriteTableCutsWideText: long names are cut with "…" to fit 80 columns; numbers and
// timestamps stay whole; a header wider than its values wraps at the underscore.
func TestWriteTableCutsWideText(t *testing.T) {
	long := strings.Repeat("VeryLongClassName", 6)
	res := sample(t, fmt.Sprintf(`SELECT 'github/some-org/some-repository' AS project_slug, '%s' AS classname,
		123456789::BIGINT AS runs, 0.1234::DOUBLE AS failure_rate, TIMESTAMP '2026-01-10 11:00:00' AS last_at`, long))
	out := write(t, res, "table")
	checkWidth(t, out)
	for _, whole := range []string{"123456789", "0.1234", "2026-01-10T11:00:00Z", " failure\n", " rate "} {
		if !strings.Contains(out, whole) {
			t.Errorf("%q cut from\n%s", whole, out)
		}
	}
	if !strings.Contains(out, "VeryLongClassName…") || !strings.Contains(out, "…") || strings.Contains(out, long) {
		t.Errorf("long class name not ellipsized:\n%s", out)
	}
}

// TestWriteTableTooManyColumns: a result that cannot fit even cut is shown one field per line.
func TestWriteTableTooManyColumns(t *testing.T) {
	var cols []string
	for i := range 20 {
		cols = append(cols, fmt.Sprintf("'value number %d' AS column_number_%d", i, i))
	}
	res := sample(t, "SELECT "+strings.Join(cols, ", ")+" FROM range(2)")
	out := write(t, res, "table")
	checkWidth(t, out)
	for _, want := range []string{"-[ RECORD 1 ]", "-[ RECORD 2 ]", "column_number_19 | value number 19", "(2 rows)"} {
		if !strings.Contains(out, want) {
			t.Errorf("expanded output lacks %q:\n%s", want, out)
		}
	}
}

// TestWriteTableCannedQueriesFit runs every canned query with its fixture and checks the table
// fits 80 columns.
func TestWriteTableCannedQueriesFit(t *testing.T) {
	for _, q := range queries.List() {
		db := openFixture(t, q.Name)
		res, err := queries.Run(context.Background(), db, q.Name, january)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) == 0 {
			t.Errorf("%s: fixture gives no rows", q.Name)
		}
		checkWidth(t, write(t, res, "table"))
	}
}

// TestWriteNegativeZero: round(-0.04, 1) is -0.0 in DuckDB; it prints as 0.
func TestWriteNegativeZero(t *testing.T) {
	res := sample(t, "SELECT round(-0.04::DOUBLE, 1) AS change_pct, 1.5::DOUBLE AS other")
	if v, ok := res.Rows[0][0].(float64); !ok || !math.Signbit(v) {
		t.Fatalf("DuckDB gave %#v, not -0: this test checks nothing", res.Rows[0][0])
	}
	if got := write(t, res, "csv"); got != "change_pct,other\n0,1.5\n" {
		t.Errorf("csv %q", got)
	}
	if got := write(t, res, "table"); strings.Contains(got, "-0") {
		t.Errorf("table shows -0:\n%s", got)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := sample(t, "SELECT 1").Write(&buf, "xml")
	if !errors.Is(err, queries.ErrBadParams) || buf.Len() != 0 {
		t.Errorf("err = %v, output %q", err, buf.String())
	}
	if got := queries.Formats(); strings.Join(got, ",") != "table,csv,json,markdown" {
		t.Errorf("Formats() = %v", got)
	}
}

// TestWriteTableCutsSlugsFromTheLeft: project slugs that share a long prefix stay told apart
// when the table cuts them: "…/legacy-billing", not "bitbucket/acm…".
func TestWriteTableCutsSlugsFromTheLeft(t *testing.T) {
	long := strings.Repeat("VeryLongStepName", 4)
	res := sample(t, fmt.Sprintf(`SELECT * FROM (VALUES
		('bitbucket/acme-corporation-platform/legacy-billing', '%[1]s', 1::BIGINT),
		('bitbucket/acme-corporation-platform/legacy-checkout', '%[1]s', 2::BIGINT)) v(project_slug, step_name, runs)`, long))
	out := write(t, res, "table")
	checkWidth(t, out)
	for _, tail := range []string{"legacy-billing ", "legacy-checkout "} {
		if !strings.Contains(out, tail) {
			t.Errorf("slug end %q cut:\n%s", tail, out)
		}
	}
	if !strings.Contains(out, "\n…") || strings.Contains(out, "bitbucket/acme-corporation-platform/legacy") {
		t.Errorf("slugs not cut from the left:\n%s", out)
	}
}
