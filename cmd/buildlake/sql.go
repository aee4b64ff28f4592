package main

import "github.com/spf13/cobra"

func newSQLCmd() *cobra.Command {
	return &cobra.Command{Use: "sql", Short: "sql (not implemented yet)", RunE: notYet("sql")}
}
