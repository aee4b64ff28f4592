package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildlake/buildlake/load"
)

func TestExportCommand(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "b.duckdb")
	s, err := load.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO projects (project_slug) VALUES ('github/acme/api'), ('github/acme/web')`,
		`INSERT INTO builds (project_slug, build_num, queued_at) VALUES
			('github/acme/api', 1, TIMESTAMP '2026-01-05 10:00:00'), ('github/acme/web', 2, TIMESTAMP '2026-02-07 23:59:59')`,
	} {
		if _, err := s.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	dir := filepath.Join(t.TempDir(), "out")

	t.Setenv("BUILDLAKE_DB", dbPath)
	if code := run(ctx, []string{"export", "--dir", dir, "--tables", "projects,builds", "--since", "2026-02-01"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"projects/projects.parquet", "builds/date=2026-02-07/part-0.parquet"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "builds/date=2026-01-05")); !os.IsNotExist(err) {
		t.Errorf("partition before --since exported: %v", err)
	}

	for _, args := range [][]string{
		{"export"},
		{"export", "--dir", dir, "--tables", "sync_state"},
		{"export", "--dir", dir, "--shard", "3/2"},
		{"export", "--dir", dir, "--since", "last week"},
	} {
		if code := run(ctx, args); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code := run(ctx, []string{"--db", filepath.Join(t.TempDir(), "missing.duckdb"), "export", "--dir", dir}); code != exitFailure {
		t.Errorf("missing database: exit %d, want %d", code, exitFailure)
	}
}
