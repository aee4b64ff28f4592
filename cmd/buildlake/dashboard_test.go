package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildlake/buildlake/load"
)

func TestDashboardWritesSelfContainedReport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.duckdb")
	store, err := load.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	out := filepath.Join(dir, "report.html")
	if code := run(context.Background(), []string{"--db", db, "dashboard", "--out", out, "--since", "30d", "--period", "week"}); code != 0 {
		t.Fatalf("dashboard --out: exit %d", code)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if html := string(b); !strings.Contains(html, `id="buildlake-data"`) || strings.Contains(html, `src="assets/`) {
		t.Errorf("report is not self-contained (%d bytes)", len(b))
	}
	for _, args := range [][]string{
		{"--db", db, "dashboard"},
		{"--db", db, "dashboard", "--out", out, "--period", "year"},
		{"--db", db, "dashboard", "--out", out, "--since", "yesterday"},
	} {
		if code := run(context.Background(), args); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
