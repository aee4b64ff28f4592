package main

import "github.com/spf13/cobra"

func newQueryCmd() *cobra.Command {
	return &cobra.Command{Use: "query", Short: "query (not implemented yet)", RunE: notYet("query")}
}
