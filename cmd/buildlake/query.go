package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/queries"
)

// queryOptions are the flags of `buildlake query`.
type queryOptions struct {
	list         bool
	since, until string
	project      string
	branch       string
	period       string
	limit        int
	threshold    float64
	format       string
}

func newQueryCmd() *cobra.Command {
	var o queryOptions
	cmd := &cobra.Command{
		Use:   "query NAME",
		Short: "Run a canned query (query --list shows them)",
		Long: "Run a canned query against the database, read-only. Parameters a query does not use " +
			"are ignored; each query's definition is at the top of its file (docs/queries.md).",
		Args: func(_ *cobra.Command, args []string) error {
			if o.list && len(args) == 0 {
				return nil
			}
			if len(args) != 1 {
				return usageError{fmt.Errorf("query: want one query name (one of %s)", strings.Join(queryNames(), ", "))}
			}
			return nil
		},
		ValidArgs: queryNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.list {
				return writeQueryList(cmd.OutOrStdout())
			}
			return runQuery(cmd.Context(), cmd.OutOrStdout(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.list, "list", false, "list the canned queries with a one-line description")
	f.StringVar(&o.since, "since", "", "start of the window: 2026-01-01, RFC 3339, or an age like 30d (default: until - 14d for flaky-*, else until - 90d)")
	f.StringVar(&o.until, "until", "", "end of the window (exclusive), same forms as --since (default now)")
	f.StringVar(&o.project, "project", "", "only this project, e.g. github/acme/api")
	f.StringVar(&o.branch, "branch", "", "only this branch (mttr: instead of the default branch)")
	f.StringVar(&o.period, "period", "", "bucket of the trend queries: "+strings.Join(queries.Periods, "|")+" (default week)")
	f.IntVar(&o.limit, "limit", 0, fmt.Sprintf("at most this many rows, 1..%d (default: 50 for ranked lists, else %d)", queries.MaxLimit, queries.MaxLimit))
	f.Float64Var(&o.threshold, "threshold", 20, "duration-regressions: minimum p50 rise in percent (0: every rise)")
	f.StringVar(&o.format, "format", "table", "output format: "+strings.Join(queries.Formats(), "|"))
	return cmd
}

func queryNames() []string {
	var names []string
	for _, q := range queries.List() {
		names = append(names, q.Name)
	}
	return names
}

func writeQueryList(w io.Writer) error {
	width := 0
	for _, q := range queries.List() {
		width = max(width, len(q.Name))
	}
	var b strings.Builder
	for _, q := range queries.List() {
		fmt.Fprintf(&b, "%-*s  %s\n", width, q.Name, q.Description)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// params turns the flags into query parameters; every mistake is a usage error.
func (o queryOptions) params(now time.Time) (queries.Params, error) {
	p := queries.Params{Project: o.project, Branch: o.branch, Period: o.period, Limit: o.limit, Threshold: o.threshold, ThresholdSet: true}
	var err error
	if o.until != "" {
		if p.Until, err = queries.ParseTime(o.until, now); err != nil {
			return p, usageError{fmt.Errorf("--until: %w", err)}
		}
	}
	if o.since != "" {
		if p.Since, err = queries.ParseTime(o.since, now); err != nil {
			return p, usageError{fmt.Errorf("--since: %w", err)}
		}
		if p.Until.IsZero() && !p.Since.Before(now) {
			return p, usageError{fmt.Errorf("--since %s is in the future", o.since)}
		}
	}
	if err := p.Validate(); err != nil {
		return p, usageError{err}
	}
	return p, nil
}

func checkFormat(format string) error {
	if !slices.Contains(queries.Formats(), format) {
		return usageError{fmt.Errorf("--format %q: want one of %s", format, strings.Join(queries.Formats(), ", "))}
	}
	return nil
}

func runQuery(ctx context.Context, w io.Writer, name string, o queryOptions) error {
	if _, ok := queries.Get(name); !ok {
		return usageError{fmt.Errorf("unknown query %q: want one of %s", name, strings.Join(queryNames(), ", "))}
	}
	if err := checkFormat(o.format); err != nil {
		return err
	}
	p, err := o.params(time.Now())
	if err != nil {
		return err
	}
	db, err := openQueryDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := queries.Run(ctx, db, name, p)
	if errors.Is(err, queries.ErrBadParams) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	return res.Write(w, o.format)
}

var errNoDB = errors.New("could not open database")

// openQueryDB opens the database read-only, so that queries never take the writer's lock.
func openQueryDB(ctx context.Context) (*sql.DB, error) {
	path, err := resolveDBPath()
	if err != nil {
		return nil, err
	}
	// A read-only open of a missing file fails with a confusing message; say what to do.
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w %s: %w (run buildlake sync first, or pass --db)", errNoDB, path, err)
	}
	return load.OpenReadOnly(ctx, path)
}
