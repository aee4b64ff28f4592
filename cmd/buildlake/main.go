// Command buildlake turns CircleCI build history into an analytics dataset.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it comes from the
// module version or the VCS revision Go stamped into the binary.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev == "":
		return "dev"
	case dirty:
		return "dev-" + rev + "-dirty"
	}
	return "dev-" + rev
}

// Exit codes: 0 success, 1 failure or partial failure, 2 usage error.
const (
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks errors caused by how the command was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// shutdownGrace bounds how long a command may take to stop after SIGINT or SIGTERM.
const shutdownGrace = 10 * time.Second

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go shutdownOnSignal(sigs, cancel, shutdownGrace, os.Stderr, os.Exit)
	os.Exit(run(ctx, os.Args[1:]))
}

// shutdownOnSignal cancels the command on the first signal, so that it stops new requests and
// commits or rolls back its batch in flight, and exits with status 1 if it is still running
// grace later, or at once on a second signal. Exiting mid-commit is safe: DuckDB's write-ahead
// log makes a transaction all or nothing, and the writer lock is the OS's, dropped with the
// process; the next sync resumes from the last committed state (the run stays "running" in
// sync_runs until the next run marks it).
func shutdownOnSignal(sigs <-chan os.Signal, cancel context.CancelFunc, grace time.Duration, stderr io.Writer, exit func(int)) {
	sig, ok := <-sigs
	if !ok {
		return
	}
	cancel()
	fmt.Fprintf(stderr, "buildlake: %v: stopping (at most %s; signal again to quit at once)\n", sig, grace)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case sig, ok := <-sigs:
		if !ok {
			return
		}
		fmt.Fprintf(stderr, "buildlake: %v again: quitting now\n", sig)
	case <-timer.C:
		fmt.Fprintf(stderr, "buildlake: still running %s after the signal: quitting\n", grace)
	}
	exit(exitFailure)
}

func run(ctx context.Context, args []string) int {
	cmd := newRootCmd()
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "buildlake:", redactAll(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}
