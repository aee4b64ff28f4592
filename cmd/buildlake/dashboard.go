package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/dashboards"
	"github.com/buildlake/buildlake/queries"
)

// dashboardOptions are the flags of `buildlake dashboard`.
type dashboardOptions struct {
	out          string
	since, until string
	project      string
	branch       string
	period       string
}

func newDashboardCmd() *cobra.Command {
	var o dashboardOptions
	cmd := &cobra.Command{
		Use:   "dashboard --out report.html",
		Short: "Write the dashboard as one self-contained HTML file",
		Long: "Write the dashboard as one HTML file with its data and assets inlined: it opens from disk,\n" +
			"as an e-mail attachment or a CI artifact, with no network. Its project filter works offline;\n" +
			"branch, period and time range are those given here.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDashboard(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "file to write (required)")
	f.StringVar(&o.since, "since", "", "start of the window: 2026-01-01, RFC 3339, or an age like 30d (default until - 30d)")
	f.StringVar(&o.until, "until", "", "end of the window (exclusive), same forms as --since (default now)")
	f.StringVar(&o.project, "project", "", "only this project, e.g. github/acme/api (default: all, filterable in the page)")
	f.StringVar(&o.branch, "branch", "", "only this branch")
	f.StringVar(&o.period, "period", "day", "bucket of the trends: "+strings.Join(queries.Periods, "|"))
	return cmd
}

func (o dashboardOptions) params(now time.Time) (queries.Params, error) {
	p := queries.Params{Project: o.project, Branch: o.branch, Period: o.period}
	var err error
	p.Until = now
	if o.until != "" {
		if p.Until, err = queries.ParseTime(o.until, now); err != nil {
			return p, usageError{fmt.Errorf("--until: %w", err)}
		}
	}
	p.Since = p.Until.AddDate(0, 0, -30)
	if o.since != "" {
		if p.Since, err = queries.ParseTime(o.since, now); err != nil {
			return p, usageError{fmt.Errorf("--since: %w", err)}
		}
	}
	if err := p.Validate(); err != nil {
		return p, usageError{err}
	}
	return p, nil
}

func runDashboard(cmd *cobra.Command, o dashboardOptions) error {
	if o.out == "" {
		return usageError{errors.New("dashboard: --out FILE is required")}
	}
	p, err := o.params(time.Now().UTC())
	if err != nil {
		return err
	}
	dbPath, err := resolveDBPath()
	if err != nil {
		return err
	}
	// Write beside, then rename: a reader (a web server publishing the report) never sees half a file.
	tmp, err := os.CreateTemp(filepath.Dir(o.out), ".buildlake-report-*.html")
	if err != nil {
		return fmt.Errorf("could not write %s: %w", o.out, err)
	}
	defer os.Remove(tmp.Name())
	if err := dashboards.WriteStatic(cmd.Context(), tmp, dashboards.Options{DBPath: dbPath}, p); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("could not write %s: %w", o.out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("could not write %s: %w", o.out, err)
	}
	if err := os.Rename(tmp.Name(), o.out); err != nil {
		return fmt.Errorf("could not write %s: %w", o.out, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", o.out)
	return nil
}
