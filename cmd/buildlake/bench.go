package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
)

var errBench = errors.New("could not run benchmark")

type benchFlags struct {
	dir         string
	keep        bool
	seed        int64
	projects    int
	builds      int
	days        int
	latency     time.Duration
	rateLimit   float64
	rate        float64
	concurrency int
	batch       int
	bigBatch    int
}

func newBenchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmark a full and an incremental sync against the simulator, and the load against DuckDB's read_json",
		Long: `Starts the simulated CircleCI API on loopback with the given latency and rate limit, runs
"buildlake sync" as a child process twice (a full sync, then an incremental one with nothing new)
and prints requests, seconds, requests/s against the ideal, rows/s and the child's peak RSS.
It then loads the build-details bodies the simulator sent two ways into fresh databases: our
decode + transform + load, and DuckDB's own read_json + INSERT as the reference.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(cmd.Context(), cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", "", "working directory (default: a temporary one, removed afterwards)")
	fl.BoolVar(&f.keep, "keep", false, "keep the working directory (databases, raw bodies, logs)")
	fl.Int64Var(&f.seed, "seed", 1, "simulator seed")
	fl.IntVar(&f.projects, "projects", 10, "simulated projects")
	fl.IntVar(&f.builds, "builds", 100, "simulated builds per project")
	fl.IntVar(&f.days, "days", 30, "simulated days of history")
	fl.DurationVar(&f.latency, "latency", 50*time.Millisecond, "latency the simulator adds to every request")
	fl.Float64Var(&f.rateLimit, "rate-limit", 0, "simulator rate limit in requests/s (0 = none)")
	fl.Float64Var(&f.rate, "rate", 0, "sync --rate: fixed client rate (0 = adaptive)")
	fl.IntVar(&f.concurrency, "concurrency", 16, "sync --concurrency")
	fl.IntVar(&f.batch, "batch", 250, "builds per transaction in the load comparison (the pipeline's batch)")
	fl.IntVar(&f.bigBatch, "big-batch", 5000, "builds per transaction in the second, large-batch load")
	return cmd
}

// syncRun is one child sync, as measured from outside and as recorded in sync_runs.
type syncRun struct {
	Wall, Run               time.Duration // process wall time; the run's own (sync_runs) duration
	PeakRSS                 int64         // bytes
	Requests, Builds, Steps int64
	Status                  string
}

func runBench(ctx context.Context, out io.Writer, f benchFlags) error {
	dir := f.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "buildlake-bench-")
		if err != nil {
			return err
		}
		dir = d
		if !f.keep {
			defer os.RemoveAll(dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rawPath := filepath.Join(dir, "details.ndjson")
	hd := circlecitest.NewHandler(circlecitest.Options{Seed: f.seed, Projects: f.projects, BuildsPerProject: f.builds,
		Days: f.days, Latency: f.latency, RateLimit: f.rateLimit})
	tee, err := newTeeDetails(hd, rawPath)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: tee, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	host := "http://" + ln.Addr().String()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(hd.Token()), 0o600); err != nil {
		return err
	}
	dbPath := filepath.Join(dir, "bench.duckdb")
	for _, p := range []string{dbPath, dbPath + ".wal"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	fmt.Fprintf(out, "buildlake bench: %d projects × %d builds, latency %s, server limit %s, client rate %s, concurrency %d\n",
		f.projects, f.builds, f.latency, perSecond(f.rateLimit), perSecond(f.rate), f.concurrency)
	fmt.Fprintf(out, "machine: %d CPUs (%s), %s\n\n", runtime.NumCPU(), cpuModel(), runtime.Version())

	args := []string{"sync", "--host", host, "--token-file", tokenFile, "--db", dbPath,
		"--since", strconv.Itoa(f.days+1) + "d", "--concurrency", strconv.Itoa(f.concurrency),
		"--rate", strconv.FormatFloat(f.rate, 'f', -1, 64)}
	full, err := childSync(ctx, dir, "full", args)
	if err != nil {
		return err
	}
	incr, err := childSync(ctx, dir, "incremental", args)
	if err != nil {
		return err
	}
	if err := readRuns(ctx, dbPath, &full, &incr); err != nil {
		return err
	}
	if err := tee.Close(); err != nil {
		return err
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "sync\trequests\tprocess s\tsync s\treq/s\tideal req/s\tsync/ideal\tsteps\tsteps/s\tpeak RSS MiB\t")
	for _, r := range []struct {
		name string
		run  syncRun
	}{{"full", full}, {"incremental", incr}} {
		secs := r.run.Run.Seconds()
		ideal := idealRate(f)
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.0f\t%.0f\t%.2f\t%d\t%.0f\t%.0f\t\n", r.name, r.run.Requests, r.run.Wall.Seconds(), secs,
			float64(r.run.Requests)/secs, ideal, secs/(float64(r.run.Requests)/ideal), r.run.Steps,
			float64(r.run.Steps)/secs, float64(r.run.PeakRSS)/(1<<20))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "incremental: %.1f requests per project, %.2f s (process %.2f s) for %d projects (status %s)\n\n",
		float64(incr.Requests)/float64(f.projects), incr.Run.Seconds(), incr.Wall.Seconds(), f.projects, incr.Status)

	ref, err := referenceLoad(ctx, rawPath, filepath.Join(dir, "reference.duckdb"))
	if err != nil {
		return err
	}
	ours, err := ourLoad(ctx, rawPath, filepath.Join(dir, "ours.duckdb"), f.batch)
	if err != nil {
		return err
	}
	// read_json loads everything in one statement; the same in few large transactions shows
	// how much of the gap is per-transaction cost rather than per-row cost.
	big, err := ourLoad(ctx, rawPath, filepath.Join(dir, "ours-big.duckdb"), f.bigBatch)
	if err != nil {
		return err
	}
	if ours.Steps != ref.Steps {
		fmt.Fprintf(out, "warning: %d steps ours, %d reference\n", ours.Steps, ref.Steps)
	}
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "load of %d build-details bodies\tbuilds\tsteps\tseconds\tsteps/s\tvs read_json\t\n", tee.Bodies())
	refRate := float64(ref.Steps) / ref.Load.Seconds()
	for _, r := range []struct {
		name string
		secs float64
		t    loadTiming
	}{
		{"duckdb read_json + INSERT", ref.Load.Seconds(), ref},
		{fmt.Sprintf("transform + load, %d builds/Write", f.batch), ours.Load.Seconds(), ours},
		{fmt.Sprintf("decode + transform + load, %d builds/Write", f.batch), (ours.Decode + ours.Load).Seconds(), ours},
		{fmt.Sprintf("transform + load, %d builds/Write", f.bigBatch), big.Load.Seconds(), big},
	} {
		rate := float64(r.t.Steps) / r.secs
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.0f\t%.2fx\t\n", r.name, r.t.Builds, r.t.Steps, r.secs, rate, refRate/rate)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if f.keep || f.dir != "" {
		fmt.Fprintf(out, "\nkept %s\n", dir)
	}
	return nil
}

// idealRate is the best request rate the setup allows: concurrency requests every latency, capped
// by the server's limit and the client's fixed rate when set.
func idealRate(f benchFlags) float64 {
	r := float64(f.concurrency) / f.latency.Seconds()
	if f.latency <= 0 {
		r = 1e9
	}
	for _, limit := range []float64{f.rateLimit, f.rate} {
		if limit > 0 && limit < r {
			r = limit
		}
	}
	return r
}

// childSync runs `buildlake sync` in its own process, so its peak RSS is its own (not the
// simulator's), and returns the wall time and peak RSS.
func childSync(ctx context.Context, dir, name string, args []string) (syncRun, error) {
	exe, err := os.Executable()
	if err != nil {
		return syncRun{}, err
	}
	logPath := filepath.Join(dir, "sync-"+name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return syncRun{}, err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	err = cmd.Run()
	r := syncRun{Wall: time.Since(start)}
	if cmd.ProcessState == nil {
		return r, fmt.Errorf("%w: %s sync: %w", errBench, name, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	if err != nil {
		log, _ := os.ReadFile(logPath)
		return r, fmt.Errorf("%w: %s sync: %w\n%s", errBench, name, err, log)
	}
	return r, nil
}

// readRuns fills the counters of the two runs from sync_runs (oldest first).
func readRuns(ctx context.Context, dbPath string, runs ...*syncRun) error {
	db, err := load.OpenReadOnly(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT requests, builds_upserted, steps, status,
		epoch_us(finished_at) - epoch_us(started_at) FROM sync_runs ORDER BY started_at`)
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() && i < len(runs) {
		r := runs[i]
		var us int64
		if err := rows.Scan(&r.Requests, &r.Builds, &r.Steps, &r.Status, &us); err != nil {
			return err
		}
		r.Run = time.Duration(us) * time.Microsecond
		i++
	}
	if i != len(runs) {
		return fmt.Errorf("%w: sync_runs has %d runs, want %d", errBench, i, len(runs))
	}
	return rows.Err()
}

func perSecond(r float64) string {
	if r <= 0 {
		return "none"
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + "/s"
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
