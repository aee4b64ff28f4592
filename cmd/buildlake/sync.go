package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/buildlake/buildlake/export"
	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

type syncFlags struct {
	projects    []string
	since       string
	full        bool
	concurrency int
	rate        float64
	parquetDir  string
	noTests     bool
	noArtifacts bool
	noSteps     bool
	shard       string
}

func newSyncCmd() *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Run one extraction from CircleCI into the database",
		Long: `Reads each project's builds past its high-water mark (a first run reads back to --since),
fetches details, tests and artifacts for new and still-unfinished builds, and loads them.
Exit status 0 on success, 1 on failure or partial failure, 2 on a usage error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			db, err := resolveDBPath()
			if err != nil {
				return err
			}
			return runSync(cmd.Context(), cmd.ErrOrStderr(), db, o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.projects, "project", nil, "project slug vcs/org/repo, e.g. github/acme/api (repeatable; default: every followed project)")
	fl.StringVar(&f.since, "since", "90d", "backfill horizon for a first run (or --full): 2026-01-01, RFC 3339, or 30d")
	fl.BoolVar(&f.full, "full", false, "re-read every build in the horizon, not only new ones")
	fl.IntVar(&f.concurrency, "concurrency", 16, "parallel API requests for build details, tests and artifacts")
	fl.Float64Var(&f.rate, "rate", 0, "max API requests per second (default 0: adaptive to the server's 429s)")
	fl.StringVar(&f.parquetDir, "parquet-dir", "", "after loading, export the Parquet partitions this run touched to DIR")
	fl.BoolVar(&f.noTests, "no-tests", false, "do not fetch test metadata")
	fl.BoolVar(&f.noArtifacts, "no-artifacts", false, "do not fetch artifact lists")
	fl.BoolVar(&f.noSteps, "no-steps", false, "do not load steps")
	fl.StringVar(&f.shard, "shard", "", "K/N: sync only the projects whose stable hash falls in shard K of N")
	return cmd
}

// options turns flags, env and config into pipeline options (usage errors exit 2).
func (f syncFlags) options() (pipeline.Options, error) {
	var o pipeline.Options
	host, err := resolveHost()
	if err != nil {
		return o, err
	}
	tok, err := resolveToken()
	if err != nil {
		return o, err
	}
	since, err := parseSince(f.since, time.Now())
	if err != nil {
		return o, err
	}
	if f.concurrency < 1 || f.concurrency > 256 {
		return o, usageError{fmt.Errorf("--concurrency %d: want 1..256", f.concurrency)}
	}
	if f.rate < 0 {
		return o, usageError{fmt.Errorf("--rate %g: want ≥ 0 (0 = adaptive)", f.rate)}
	}
	for _, p := range f.projects {
		if strings.Count(p, "/") != 2 || strings.Contains(p, "//") {
			return o, usageError{fmt.Errorf("--project %q: want vcs/org/repo, e.g. github/acme/api", p)}
		}
	}
	shard, err := export.ParseShard(f.shard)
	if err != nil {
		return o, usageError{fmt.Errorf("--shard: %w", err)}
	}
	return pipeline.Options{
		Host: host, Token: tok, Projects: f.projects, Since: since, Full: f.full,
		Concurrency: f.concurrency, Rate: f.rate, ParquetDir: f.parquetDir,
		NoTests: f.noTests, NoArtifacts: f.noArtifacts, NoSteps: f.noSteps,
		Shard: shard, Trigger: "cli",
	}, nil
}

// runSync opens the database as its single writer, runs one sync and prints its summary. A panic
// becomes an error (exit status 1) with the token redacted from its message and stack.
func runSync(ctx context.Context, stderr io.Writer, dbPath string, o pipeline.Options) (err error) {
	defer recoverRedacted(stderr, &err, o.Token)
	var bar *progressBar
	logTo := stderr
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		bar = newProgressBar(f, 100*time.Millisecond)
		defer bar.finish()
		logTo = bar.logWriter()
	}
	logger, err := newLogger(logTo)
	if err != nil {
		return err
	}
	o.Logger = logger
	if bar != nil {
		o.Progress = bar
	} else {
		o.Progress = &progressLog{log: logger, every: 10 * time.Second}
	}
	store, err := load.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := pipeline.Sync(ctx, store, o)
	if bar != nil {
		bar.finish() // the summary starts on a clean line
	}
	printSyncSummary(stderr, res)
	if err != nil && errors.Is(err, pipeline.ErrPartial) {
		return fmt.Errorf("partial failure: %s", failedProjects(res))
	}
	if err != nil && res.Status == pipeline.StatusCanceled {
		return errors.New("sync canceled; the next sync resumes where this one stopped")
	}
	return err
}

// recoverRedacted, deferred, turns a panic into *errp after printing its stack to stderr, with
// the token (and circle-token= values) redacted from both: a panic's value can be anything, a
// request or a URL among them. The database needs no care: its write-ahead log rolls back an
// unfinished transaction, and the run left "running" is marked failed by the next one.
func recoverRedacted(stderr io.Writer, errp *error, token string) {
	r := recover()
	if r == nil {
		return
	}
	redact := func(s string) string { return redactAll(extract.Redact(s, token)) }
	fmt.Fprintf(stderr, "buildlake: panic: %s\n%s", redact(fmt.Sprint(r)), redact(string(debug.Stack())))
	*errp = fmt.Errorf("internal error (panic): %s", redact(fmt.Sprint(r)))
}

func printSyncSummary(w io.Writer, r pipeline.Result) {
	fmt.Fprintf(w, "sync %s: %s in %s — %d projects, %d builds, %d steps, %d tests, %d artifacts; %d requests, %d retries, %d rate-limited, %d errors\n",
		r.RunID, r.Status, r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond), r.Projects, r.Builds, r.Steps, r.Tests, r.Artifacts,
		r.Requests, r.Retries, r.RateLimited, r.Errors)
	for i, f := range r.Failures {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more (see table sync_errors)\n", len(r.Failures)-10)
			break
		}
		where := f.ProjectSlug
		if f.BuildNum != 0 {
			where = fmt.Sprintf("%s#%d", f.ProjectSlug, f.BuildNum)
		}
		fmt.Fprintf(w, "  failed: %s (%s): %s\n", where, f.Stage, f.Err)
	}
}

func failedProjects(r pipeline.Result) string {
	seen := map[string]bool{}
	var names []string
	for _, f := range r.Failures {
		if !seen[f.ProjectSlug] {
			seen[f.ProjectSlug] = true
			names = append(names, f.ProjectSlug)
		}
	}
	return strings.Join(names, ", ")
}
