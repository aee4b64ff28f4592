package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/queries"
)

func newSQLCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   `sql "SELECT …"`,
		Short: "Run ad-hoc SQL against the database (read-only)",
		Long: "Run one SQL statement against the database, opened read-only. Besides the tables, the " +
			"views build_facts, test_runs and step_runs are there for ad-hoc questions (docs/queries.md).",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
				return usageError{errSQLArgs}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			db, err := openQueryDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := queries.RunSQL(cmd.Context(), db, args[0])
			if err != nil {
				return err
			}
			return res.Write(cmd.OutOrStdout(), format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: "+strings.Join(queries.Formats(), "|"))
	return cmd
}

var errSQLArgs = errors.New(`sql: want one statement in quotes, e.g. buildlake sql "SELECT count(*) FROM builds"`)
