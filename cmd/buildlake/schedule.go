package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/dashboards"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/schedules"
)

var errScheduleConfig = errors.New("could not start the scheduler: --config FILE is required (start from `buildlake schedule --print-sample-config`)")

func newScheduleCmd() *cobra.Command {
	var printSample bool
	cmd := &cobra.Command{
		Use:   "schedule --config FILE",
		Short: "Run sync jobs on cron schedules, serving /healthz, /metrics and the dashboard",
		Long: `Runs the jobs of a YAML config (see --print-sample-config) on their cron schedules in one
long-lived process, the database's only writer. Serves /healthz, /metrics (Prometheus) and the
dashboard on the config's listen address. On SIGTERM or SIGINT it stops scheduling, lets the run in
flight finish within grace_period, then cancels it and exits; a second signal cancels at once.
--host, --db and --token-file (and CIRCLECI_HOST, BUILDLAKE_DB, CIRCLECI_TOKEN) override the file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if printSample {
				_, err := cmd.OutOrStdout().Write(schedules.SampleConfig())
				return err
			}
			cfg, err := scheduleConfig()
			if err != nil {
				return err
			}
			return runSchedule(cmd.Context(), cfg)
		},
	}
	cmd.Flags().BoolVar(&printSample, "print-sample-config", false, "print a commented sample config and exit")
	return cmd
}

// scheduleConfig reads --config strictly and applies the overrides of SPEC section 2
// (flag > environment > config file > default); an invalid config is a usage error.
func scheduleConfig() (*schedules.Config, error) {
	if global.config == "" {
		return nil, usageError{errScheduleConfig}
	}
	fc, err := loadFileConfig()
	if err != nil {
		return nil, err
	}
	cfg := &fc
	cfg.Host = strings.TrimRight(first(global.host, os.Getenv("CIRCLECI_HOST"), cfg.Host), "/")
	cfg.DB = first(global.db, os.Getenv("BUILDLAKE_DB"), cfg.DB)
	switch {
	case global.tokenFile != "":
		cfg.TokenFile, cfg.TokenEnv = global.tokenFile, ""
	case os.Getenv("CIRCLECI_TOKEN") != "" && cfg.TokenEnv == "":
		cfg.TokenFile, cfg.TokenEnv = "", "CIRCLECI_TOKEN"
	case os.Getenv("CIRCLE_TOKEN") != "" && cfg.TokenEnv == "":
		cfg.TokenFile, cfg.TokenEnv = "", "CIRCLE_TOKEN"
	}
	if err := cfg.Validate(); err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", global.config, err)}
	}
	if tok := cfg.Token(); tok != "" {
		secrets = append(secrets, tok)
	}
	return cfg, nil
}

// runSchedule runs the scheduler until ctx is done (main cancels it on SIGTERM or SIGINT).
func runSchedule(ctx context.Context, cfg *schedules.Config) error {
	logger, err := newLogger(os.Stderr)
	if err != nil {
		return err
	}
	return schedules.Run(ctx, cfg, schedules.RunOptions{
		Logger: logger,
		Dashboard: func(store *load.Store) http.Handler {
			// The dashboard reads through the scheduler's own store: this process holds the file
			// read-write, so a second (read-only) open of it would fail.
			return dashboards.Handler(dashboards.Options{
				DBPath: cfg.DB, Logger: logger,
				OpenDB: func(context.Context) (*sql.DB, error) { return store.DB(), nil },
			})
		},
	})
}
