package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "buildlake",
		Short:         "Turn CircleCI build history into an analytics dataset",
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	addGlobalFlags(root)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newSyncCmd(),
		newQueryCmd(),
		newSQLCmd(),
		newExportCmd(),
		newScheduleCmd(),
		newServeCmd(),
		newDashboardCmd(),
		newSimulateCmd(),
		newDemoCmd(),
		newBenchCmd(),
	)
	return root
}

// notYet is the body of a command whose implementation has not landed.
func notYet(name string) func(*cobra.Command, []string) error {
	return func(*cobra.Command, []string) error { return fmt.Errorf("%s: not implemented yet", name) }
}
