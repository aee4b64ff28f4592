package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/dashboards"
	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
	"github.com/buildlake/buildlake/queries"
)

type demoFlags struct {
	dir      string
	seed     int64
	projects int
	builds   int
	days     int
}

func newDemoCmd() *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Simulate CircleCI on loopback, sync it, export Parquet, write a dashboard, print a summary",
		Long: `Starts the built-in simulated CircleCI API on 127.0.0.1, syncs it into DIR/buildlake.duckdb
(a fresh database each time), exports Parquet to DIR/parquet, writes DIR/dashboard.html and prints
a summary of the canned queries. No account and no network needed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", "buildlake-demo", "output directory")
	fl.Int64Var(&f.seed, "seed", 1, "simulator seed")
	fl.IntVar(&f.projects, "projects", 3, "simulated projects")
	fl.IntVar(&f.builds, "builds", 400, "simulated builds per project")
	fl.IntVar(&f.days, "days", 30, "simulated days of history")
	return cmd
}

func runDemo(ctx context.Context, stdout, stderr io.Writer, f demoFlags) error {
	start := time.Now()
	if err := os.MkdirAll(f.dir, 0o755); err != nil {
		return err
	}
	dbPath := filepath.Join(f.dir, "buildlake.duckdb")
	for _, p := range []string{dbPath, dbPath + ".wal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	srv := circlecitest.NewServer(circlecitest.Options{Seed: f.seed, Projects: f.projects, BuildsPerProject: f.builds, Days: f.days})
	defer srv.Close()
	fmt.Fprintf(stdout, "simulated CircleCI at %s (%d projects × %d builds over %d days)\n", srv.URL, f.projects, f.builds, f.days)

	logger, err := newLogger(io.Discard)
	if err != nil {
		return err
	}
	store, err := load.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	parquetDir := filepath.Join(f.dir, "parquet")
	res, err := pipeline.Sync(ctx, store, pipeline.Options{
		Host: srv.URL, Token: srv.Token, Since: srv.Now().AddDate(0, 0, -f.days-1),
		Concurrency: 16, Trigger: "demo", Logger: logger, ParquetDir: parquetDir,
	})
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	printSyncSummary(stdout, res)
	if err != nil {
		return err
	}

	db, err := load.OpenReadOnly(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	params := queries.Params{Until: srv.Now(), Limit: 5}
	for _, name := range []string{"flaky-tests", "flaky-jobs", "queue-time-trend", "duration-regressions"} {
		r, err := queries.Run(ctx, db, name, params)
		if err != nil {
			return fmt.Errorf("query %s: %w", name, err)
		}
		fmt.Fprintf(stdout, "\n== %s (top %d)\n", name, params.Limit)
		if err := r.Write(stdout, "table"); err != nil {
			return err
		}
	}

	htmlPath := filepath.Join(f.dir, "dashboard.html")
	out, err := os.Create(htmlPath)
	if err != nil {
		return err
	}
	if err := dashboards.WriteStatic(ctx, out, dashboards.Options{DBPath: dbPath, Now: srv.Now, OpenDB: func(context.Context) (*sql.DB, error) { return db, nil }}, queries.Params{Until: srv.Now()}); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ndone in %s\n  database:  %s\n  parquet:   %s\n  dashboard: %s\n", time.Since(start).Round(100*time.Millisecond), dbPath, parquetDir, htmlPath)
	fmt.Fprintf(stdout, "next: go run ./cmd/buildlake serve --db %s   # live dashboard on http://127.0.0.1:8080\n", dbPath)
	fmt.Fprintf(stdout, "      go run ./cmd/buildlake query flaky-tests --db %s\n", dbPath)
	return nil
}
