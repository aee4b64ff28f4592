package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/export"
	"github.com/buildlake/buildlake/load"
)

type exportFlags struct {
	dir    string
	tables string
	since  string
	shard  string
}

func newExportCmd() *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export --dir DIR",
		Short: "Write the tables as hive-partitioned Parquet for warehouses",
		Long: `Writes DIR/<table>/date=YYYY-MM-DD/[shard=K-of-N/]part-0.parquet (zstd), partitioned on the
build's queue date (UTC), and DIR/projects/[shard=K-of-N/]projects.parquet. Each partition in
range is replaced whole and atomically; partitions outside --since keep their files.
The database is opened read-only. See docs/warehouses.md for load statements.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options(time.Now())
			if err != nil {
				return err
			}
			path, err := resolveDBPath()
			if err != nil {
				return err
			}
			return runExport(cmd.Context(), cmd.OutOrStdout(), path, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", "", "output directory (required)")
	fl.StringVar(&f.tables, "tables", strings.Join(export.DefaultTables, ","), "comma-separated tables to export")
	fl.StringVar(&f.since, "since", "", "only partitions on or after: 2026-01-01, RFC 3339, or 30d (default: all)")
	fl.StringVar(&f.shard, "shard", "", "K/N: only projects whose stable hash falls in shard K of N, under shard=K-of-N/")
	return cmd
}

// options validates the flags (usage errors exit 2).
func (f exportFlags) options(now time.Time) (export.Options, error) {
	var o export.Options
	if f.dir == "" {
		return o, usageError{errors.New("export: --dir is required")}
	}
	for _, t := range strings.Split(f.tables, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !slices.Contains(export.DefaultTables, t) {
			return o, usageError{fmt.Errorf("--tables: unknown table %q (known: %s)", t, strings.Join(export.DefaultTables, ","))}
		}
		o.Tables = append(o.Tables, t)
	}
	since, err := parseSince(f.since, now)
	if err != nil {
		return o, err
	}
	shard, err := export.ParseShard(f.shard)
	if err != nil {
		return o, usageError{fmt.Errorf("--shard: %w", err)}
	}
	o.Dir, o.Since, o.Shard = f.dir, since, shard
	return o, nil
}

var errExportDB = errors.New("could not open database for export")

func runExport(ctx context.Context, w io.Writer, dbPath string, o export.Options) error {
	// A missing file is a mistake worth naming (DuckDB's read-only open would say less).
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist (run buildlake sync first, or set --db)", errExportDB, dbPath)
	}
	db, err := load.OpenReadOnly(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("%w: %w", errExportDB, err)
	}
	defer db.Close()
	res, err := export.Export(ctx, db, o)
	if err != nil {
		return err
	}
	printExportSummary(w, o, res)
	return nil
}

// printExportSummary writes one line per table, in export order.
func printExportSummary(w io.Writer, o export.Options, res export.Result) {
	for _, t := range o.Tables {
		tr := res.Tables[t]
		line := fmt.Sprintf("%-9s %4d files %10d rows %10s", t, tr.Partitions, tr.Rows, humanBytes(tr.Bytes))
		if tr.Removed > 0 {
			line += fmt.Sprintf("  (%d emptied partitions removed)", tr.Removed)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "exported %d rows to %s in %s\n", res.Rows(), o.Dir, res.FinishedAt.Sub(res.StartedAt).Round(time.Millisecond))
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
