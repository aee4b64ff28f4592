package queries_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/queries"
)

// injection is a project filter that would match every row if it were spliced into the SQL.
const injection = "' OR 1=1 --"

// openFixture returns a fresh database with the schema, the views and testdata/<name>.sql.
func openFixture(t testing.TB, name string) *sql.DB {
	t.Helper()
	db := openFixtureAt(t, filepath.Join(t.TempDir(), "q.duckdb"))
	if name != "" {
		text, err := os.ReadFile(filepath.Join("testdata", name+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(context.Background(), string(text)); err != nil {
			t.Fatalf("fixture %s: %v", name, err)
		}
	}
	return db
}

// openFixtureAt opens (creating) the database at path with the schema and the views.
func openFixtureAt(t testing.TB, path string) *sql.DB {
	t.Helper()
	ctx := context.Background()
	store, err := load.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := queries.CreateViews(ctx, store.DB()); err != nil {
		t.Fatal(err)
	}
	return store.DB()
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// january is the window most fixtures sit in.
var january = queries.Params{Since: day("2026-01-01"), Until: day("2026-02-01")}

// with returns january with changes applied.
func with(change func(*queries.Params)) queries.Params {
	p := january
	change(&p)
	return p
}

// goldenCase is one run of a query and its expected rows, written as the csv format prints them.
type goldenCase struct {
	name   string
	params queries.Params
	want   [][]string
}

// runGolden runs every case of query against its fixture and compares header and rows exactly.
func runGolden(t *testing.T, query string, header []string, cases []goldenCase) {
	t.Helper()
	db := openFixture(t, query)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runCSV(t, db, query, c.params)
			if !reflect.DeepEqual(got[0], header) {
				t.Fatalf("columns\n got %q\nwant %q", got[0], header)
			}
			rows := got[1:]
			if len(rows) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(rows, c.want) {
				t.Errorf("rows\n got %s\nwant %s", show(rows), show(c.want))
			}
		})
	}
}

func runCSV(t testing.TB, db queries.DBTX, query string, p queries.Params) [][]string {
	t.Helper()
	res, err := queries.Run(context.Background(), db, query, p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.Write(&buf, "csv"); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func show(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("\n  " + strings.Join(r, " | "))
	}
	return b.String()
}
