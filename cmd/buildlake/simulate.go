package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/spf13/cobra"
)

var (
	errSimListen = errors.New("could not listen")
	errSimTruth  = errors.New("could not write the ground truth file")
)

// simulateFlags are the flags of `buildlake simulate` (SPEC section 9).
type simulateFlags struct {
	listen      string
	token       string
	seed        int64
	projects    int
	builds      int
	days        int
	parallelism int
	tests       int
	workflows   int
	now         string
	latency     time.Duration
	rateLimit   float64
	faultRate   float64
	truth       string
}

func newSimulateCmd() *cobra.Command {
	var f simulateFlags
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Run the simulated CircleCI API v1.1 server (prints url=… token=…)",
		Long: "Serve a simulated CircleCI API v1.1 with a deterministic generated dataset until SIGINT/SIGTERM.\n" +
			"Prints one line `url=<base URL> token=<token>`; pass the URL as --host to sync.\n" +
			"The simulated clock follows the wall clock, so running builds finish and new ones arrive;\n" +
			"--now fixes it instead, so the same flags give byte-identical responses.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSimulate(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:0", "address to listen on (an empty host means 127.0.0.1; use 0.0.0.0 to expose it)")
	fl.StringVar(&f.token, "token", "", "API token the server accepts (default: random, printed)")
	fl.Int64Var(&f.seed, "seed", 1, "seed of the generated dataset")
	fl.IntVar(&f.projects, "projects", 3, "number of projects")
	fl.IntVar(&f.builds, "builds", 200, "builds per project in the history")
	fl.IntVar(&f.days, "days", 30, "days of history")
	fl.IntVar(&f.parallelism, "parallelism", 4, "max parallel nodes per job")
	fl.IntVar(&f.tests, "tests", 40, "tests per test job")
	fl.IntVar(&f.workflows, "workflows", 1, "workflows per commit (more add e2e-N jobs in nightly-e2e-N workflows)")
	fl.StringVar(&f.now, "now", "", "fix the simulated clock at this RFC3339 time instead of following the wall clock")
	fl.DurationVar(&f.latency, "latency", 0, "latency added to every request")
	fl.Float64Var(&f.rateLimit, "rate-limit", 0, "requests/s before answering 429 (0 = none)")
	fl.Float64Var(&f.faultRate, "fault-rate", 0, "share of requests (0..1) that fail: 5xx, resets, truncated or slow bodies, 429")
	fl.StringVar(&f.truth, "truth", "", "write the ground truth JSON to this file")
	return cmd
}

func (f simulateFlags) validate() error {
	switch {
	case f.projects < 1 || f.builds < 1 || f.days < 1 || f.parallelism < 1 || f.tests < 1 || f.workflows < 1:
		return usageError{errors.New("simulate: --projects, --builds, --days, --parallelism, --tests and --workflows must be at least 1")}
	case f.faultRate < 0 || f.faultRate > 1:
		return usageError{errors.New("simulate: --fault-rate must be between 0 and 1")}
	case f.rateLimit < 0 || f.latency < 0:
		return usageError{errors.New("simulate: --rate-limit and --latency must not be negative")}
	}
	if _, err := f.clock(); err != nil {
		return err
	}
	return nil
}

// clock parses --now; the zero time means "follow the wall clock".
func (f simulateFlags) clock() (time.Time, error) {
	if f.now == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, f.now)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("simulate: --now %q is not an RFC3339 time (e.g. 2026-06-01T12:00:00Z)", f.now)}
	}
	return t, nil
}

// loopbackDefault keeps ":8080" on loopback: exposing the server must be asked for by host.
func loopbackDefault(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", usageError{fmt.Errorf("simulate: --listen %q: %w", addr, err)}
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

func runSimulate(cmd *cobra.Command, f simulateFlags) error {
	if err := f.validate(); err != nil {
		return err
	}
	addr, err := loopbackDefault(f.listen)
	if err != nil {
		return err
	}
	now, _ := f.clock() // validated above
	hd := circlecitest.NewHandler(circlecitest.Options{
		Seed: f.seed, Projects: f.projects, BuildsPerProject: f.builds, Days: f.days,
		Parallelism: f.parallelism, TestsPerJob: f.tests, WorkflowsPerCommit: f.workflows, Now: now, Token: f.token,
		Latency: f.latency, RateLimit: f.rateLimit, Faults: circlecitest.FaultRate(f.faultRate),
	})
	if f.truth != "" {
		b, err := json.MarshalIndent(hd.Truth(), "", "  ")
		if err != nil {
			return fmt.Errorf("%w: %w", errSimTruth, err)
		}
		if err := os.WriteFile(f.truth, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("%w: %w", errSimTruth, err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%w on %s: %w", errSimListen, addr, err)
	}
	srv := circlecitest.Serve(ln, hd)
	defer srv.Close()
	fmt.Fprintf(cmd.OutOrStdout(), "url=%s token=%s\n", srv.URL, srv.Token)
	ctx := cmd.Context()
	if !now.IsZero() { // a fixed clock: nothing moves, so responses repeat byte for byte
		<-ctx.Done()
		return nil
	}
	// The simulated clock follows the wall clock so running builds finish and new ones arrive.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			hd.Advance(now.Sub(last))
			last = now
		}
	}
}
