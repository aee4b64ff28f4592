package main

import "github.com/spf13/cobra"

func newServeCmd() *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "serve (not implemented yet)", RunE: notYet("serve")}
}
