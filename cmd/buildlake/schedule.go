package main

import "github.com/spf13/cobra"

func newScheduleCmd() *cobra.Command {
	return &cobra.Command{Use: "schedule", Short: "schedule (not implemented yet)", RunE: notYet("schedule")}
}
