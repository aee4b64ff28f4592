package export

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openReadOnly opens a DuckDB file the way `buildlake export` does.
func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	path, s := newFixtureDB(t)
	s.Close()
	db := openReadOnly(t, path)
	dir := filepath.Join(t.TempDir(), "parquet")

	res, err := Export(ctx, db, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range DefaultTables {
		want := readDuckDB(t, db, table)
		got := readDataset(t, dir, table)
		if diff := sameRows(t, table, got, want); diff != "" {
			t.Error(diff)
		}
		if tr := res.Tables[table]; tr.Rows != int64(len(want)) {
			t.Errorf("%s: Result rows %d, want %d", table, tr.Rows, len(want))
		}
	}
	// Builds 1..40, 6 h apart from 2026-02-01, span 11 dates; plus the extracted_at and 1970 fallbacks.
	if got := res.Tables["builds"].Partitions; got != 13 {
		t.Errorf("builds partitions = %d, want 13 (dates %v)", got, res.Tables["builds"].Dates)
	}
	for _, d := range []string{"1970-01-01", "2026-02-20", "2026-02-01", "2026-02-10"} {
		if _, err := os.Stat(filepath.Join(dir, "builds", "date="+d, "part-0.parquet")); err != nil {
			t.Errorf("partition %s: %v", d, err)
		}
	}
	for _, f := range visibleFiles(t, dir) {
		if !strings.HasSuffix(f, ".parquet") {
			t.Errorf("stray file %s", f)
		}
	}
	// The timestamp with sub-second digits survives exactly, and NULLs stay NULL.
	b := byKey(t, "builds", readDataset(t, dir, "builds"))
	if got := b["github/acme/p3|1"]["usage_queued_at"]; got != "2026-02-01T06:00:00.003007Z" {
		t.Errorf("usage_queued_at = %s", got)
	}
	if got := b["github/acme/p3|6"]["usage_queued_at"]; got != "NULL" {
		t.Errorf("usage_queued_at of build 6 = %s, want NULL", got)
	}
}

func TestExportOptionsErrors(t *testing.T) {
	path, s := newFixtureDB(t)
	s.Close()
	db := openReadOnly(t, path)
	for _, o := range []Options{
		{},
		{Dir: t.TempDir(), Tables: []string{"sync_state"}},
		{Dir: t.TempDir(), Dates: []string{"2026-2-1"}},
		{Dir: t.TempDir(), Shard: Shard{K: 3, N: 2}},
	} {
		if _, err := Export(context.Background(), db, o); err == nil {
			t.Errorf("Export(%+v) succeeded, want an error", o)
		}
	}
}

func TestExportSinceAndDatesLimitPartitions(t *testing.T) {
	ctx := context.Background()
	path, s := newFixtureDB(t)
	s.Close()
	db := openReadOnly(t, path)
	dir := t.TempDir()
	res, err := Export(ctx, db, Options{Dir: dir, Tables: []string{"builds"},
		Since: time.Date(2026, 2, 9, 23, 0, 0, 0, time.FixedZone("x", -2*3600))})
	if err != nil {
		t.Fatal(err)
	}
	// Since is 2026-02-10 01:00 UTC: partitions 2026-02-10 on remain.
	if got := strings.Join(res.Tables["builds"].Dates, ","); got != "2026-02-10,2026-02-11,2026-02-20" {
		t.Errorf("dates = %s", got)
	}
	res, err = Export(ctx, db, Options{Dir: dir, Tables: []string{"tests"}, Dates: []string{"2026-02-03", "2030-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Tables["tests"].Dates, ","); got != "2026-02-03" {
		t.Errorf("dates = %s", got)
	}
	for _, r := range readDataset(t, dir, "tests") {
		if r["date"] != "2026-02-03" {
			t.Fatalf("tests row dated %s", r["date"])
		}
	}
}
