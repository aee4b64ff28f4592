package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/queries"
)

// queryTestDB writes a database holding queries/testdata/success-rate.sql and returns its path.
func queryTestDB(t *testing.T) string {
	t.Helper()
	return fixtureDB(t, "success-rate.sql")
}

// fixtureDB writes a database holding queries/testdata/<fixture> and returns its path.
func fixtureDB(t *testing.T, fixture string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.duckdb")
	store, err := load.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sqlText, err := os.ReadFile(filepath.Join("..", "..", "queries", "testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().ExecContext(ctx, string(sqlText)); err != nil {
		t.Fatal(err)
	}
	if err := queries.CreateViews(ctx, store.DB()); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// execCLI runs the root command with args and returns its stdout and error.
func execCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	global = globalFlags{}
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func isUsage(err error) bool {
	var ue usageError
	return errors.As(err, &ue)
}

func TestQueryCommand(t *testing.T) {
	db := queryTestDB(t)
	out, err := execCLI(t, "--db", db, "query", "success-rate", "--since", "2026-01-01", "--until", "2026-02-01T00:00:00Z",
		"--project", "github/acme/api", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	// As in queries.TestSuccessRate, restricted to github/acme/api.
	want := "project_slug,job_name,period_start,runs,successes,failures,success_rate,excluded\n" +
		"github/acme/api,test,2026-01-05,4,2,2,0.5,4\n" +
		"github/acme/api,test,2026-01-12,4,3,1,0.75,0\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}

	// BUILDLAKE_DB instead of --db; --period day splits the first week into days (01-05 has
	// builds 1 and 2, both passing).
	t.Setenv("BUILDLAKE_DB", db)
	out, err = execCLI(t, "query", "success-rate", "--since", "2026-01-01", "--until", "2026-02-01", "--period", "day", "--limit", "1", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if want := "github/acme/api,test,2026-01-05,2,2,0,1,0\n"; !strings.HasSuffix(out, want) || strings.Count(out, "\n") != 2 {
		t.Errorf("got\n%s\nwant header and %s", out, want)
	}
}

func TestQueryList(t *testing.T) {
	out, err := execCLI(t, "query", "--list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(queries.List()) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(queries.List()), out)
	}
	for i, q := range queries.List() {
		if !strings.HasPrefix(lines[i], q.Name+" ") || !strings.HasSuffix(lines[i], q.Description) {
			t.Errorf("line %q: want %s and its description", lines[i], q.Name)
		}
	}
}

func TestQueryUsageErrors(t *testing.T) {
	db := queryTestDB(t)
	for name, args := range map[string][]string{
		"no name":      {"query"},
		"two names":    {"query", "mttr", "flaky-jobs"},
		"unknown":      {"query", "nope"},
		"period":       {"query", "mttr", "--period", "year"},
		"since":        {"query", "mttr", "--since", "yesterday"},
		"until":        {"query", "mttr", "--until", "2026-13-01"},
		"since>until":  {"query", "mttr", "--since", "2026-02-01", "--until", "2026-01-01"},
		"future since": {"query", "mttr", "--since", "2999-01-01"},
		"limit":        {"query", "mttr", "--limit", "100000"},
		"format":       {"query", "mttr", "--format", "xml"},
		"threshold":    {"query", "duration-regressions", "--threshold", "-5"},
		"sql no arg":   {"sql"},
		"sql empty":    {"sql", "  "},
		"sql format":   {"sql", "SELECT 1", "--format", "yaml"},
	} {
		_, err := execCLI(t, append([]string{"--db", db}, args...)...)
		if !isUsage(err) {
			t.Errorf("%s: err = %v, want a usage error", name, err)
		}
	}
}

func TestSQLCommand(t *testing.T) {
	db := queryTestDB(t)
	out, err := execCLI(t, "--db", db, "sql", "SELECT count(*) AS n, count(*) FILTER (WHERE is_pass) AS passed FROM build_facts", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	// success-rate.sql: 14 builds; passing: 1, 2, 10, 11, 12.
	if want := "[\n{\"n\":14,\"passed\":5}\n]\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	// Read-only: a write fails (and is not a usage error).
	if _, err := execCLI(t, "--db", db, "sql", "DELETE FROM builds"); err == nil || isUsage(err) {
		t.Errorf("DELETE on the read-only database: err = %v", err)
	}
	if out, _ := execCLI(t, "--db", db, "sql", "SELECT count(*) AS n FROM builds", "--format", "csv"); out != "n\n14\n" {
		t.Errorf("after DELETE: %q, want 14 builds still", out)
	}
}

func TestQueryMissingDatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.duckdb")
	_, err := execCLI(t, "--db", missing, "query", "mttr")
	if err == nil || isUsage(err) || !strings.Contains(err.Error(), "buildlake sync") {
		t.Errorf("err = %v, want a failure that says to sync", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("query created %s", missing)
	}
}

// --threshold 0 lists every rise (lint's +10% in the fixture, see queries' TestDurationRegressions);
// without the flag the threshold is 20 and lint is not listed.
func TestQueryThresholdZeroMeansEveryRise(t *testing.T) {
	db := fixtureDB(t, "duration-regressions.sql")
	window := []string{"query", "duration-regressions", "--db", db, "--since", "2026-01-01", "--until", "2026-02-01", "--format", "csv"}
	def, err := execCLI(t, window...)
	if err != nil {
		t.Fatal(err)
	}
	zero, err := execCLI(t, append(window, "--threshold", "0")...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(def, ",lint,") || !strings.Contains(def, ",deploy,") {
		t.Errorf("default threshold:\n%s", def)
	}
	if !strings.Contains(zero, ",lint,") || strings.Count(zero, "\n") != strings.Count(def, "\n")+1 {
		t.Errorf("--threshold 0 should add lint's +10%% to the default's rows:\n%s\ndefault:\n%s", zero, def)
	}
}
