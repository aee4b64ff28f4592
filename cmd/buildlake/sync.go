package main

import "github.com/spf13/cobra"

func newSyncCmd() *cobra.Command {
	return &cobra.Command{Use: "sync", Short: "sync (not implemented yet)", RunE: notYet("sync")}
}
