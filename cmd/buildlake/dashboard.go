package main

import "github.com/spf13/cobra"

func newDashboardCmd() *cobra.Command {
	return &cobra.Command{Use: "dashboard", Short: "dashboard (not implemented yet)", RunE: notYet("dashboard")}
}
