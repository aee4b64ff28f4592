package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/sourcegraph/conc/pool"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/queries"
	"github.com/buildlake/buildlake/transform"
)

// Run statuses recorded in sync_runs.status.
const (
	StatusRunning  = "running"
	StatusSuccess  = "success"
	StatusPartial  = "partial"
	StatusFailed   = "failed"
	StatusCanceled = "canceled"
)

var (
	// ErrPartial means some projects or builds failed; the rest were loaded and the failures stay
	// pending for the next run.
	ErrPartial = errors.New("sync finished with failures")
	errSync    = errors.New("could not sync")
)

// Batching: rows commit in transactions of at most batchBuilds builds, or every batchEvery.
const (
	batchBuilds = 250
	batchEvery  = 2 * time.Second
)

// Sync runs one extraction into store: list each project's builds past its high-water mark, fetch
// the new and the pending ones concurrently, transform and load them in batches, each batch one
// transaction with the state it makes true. It records the run in sync_runs. The returned error
// is nil only when every project and build succeeded. Sync must be the store's only user while
// it runs (the store has one writer connection).
func Sync(ctx context.Context, store *load.Store, o Options) (Result, error) {
	o = o.withDefaults()
	s := &syncer{o: o, store: store, log: o.Logger, mem: memory.NewGoAllocator(), dates: map[string]bool{}}
	s.res = Result{RunID: newRunID(o.Now()), Status: StatusRunning, StartedAt: o.Now().UTC()}
	if n, err := store.CloseInterruptedRuns(ctx, o.Now()); err != nil {
		return s.res, fmt.Errorf("%w: record run: %w", errSync, err)
	} else if n > 0 {
		s.log.Warn("marked runs interrupted by an earlier process as failed", "runs", n)
	}
	if err := store.StartRun(ctx, s.run()); err != nil {
		return s.res, fmt.Errorf("%w: record run: %w", errSync, err)
	}
	// The ad-hoc views (build_facts, test_runs, …) belong with the tables for analysts.
	if err := queries.CreateViews(ctx, store.DB()); err != nil {
		s.log.Warn("could not create views", "err", err)
	}
	err := s.sync(ctx)
	s.finish(ctx, err)
	// The run row is written even when ctx is cancelled, so use a fresh short context for it.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	s.savePace(fctx)
	if err != nil && s.res.Status == StatusFailed {
		// The run's own failure is one of its errors too: sync_runs.errors counts sync_errors rows.
		e := load.SyncError{RunID: s.res.RunID, Stage: "run", Error: s.redact(err), At: s.res.FinishedAt}
		if _, werr := store.Write(fctx, load.Batch{Errors: []load.SyncError{e}}); werr != nil {
			s.log.Warn("could not record the run's error", "err", werr)
		}
	}
	if ferr := store.FinishRun(fctx, s.run()); ferr != nil && err == nil {
		err = fmt.Errorf("%w: record run: %w", errSync, ferr)
	}
	switch {
	case err == nil && s.res.Status == StatusPartial:
		err = fmt.Errorf("%w: %s", ErrPartial, summarize(s.res.Failures))
	case err == nil && s.res.Status == StatusFailed:
		err = fmt.Errorf("%w: %s", errSync, summarize(s.res.Failures))
	}
	return s.res, err
}

type syncer struct {
	o      Options
	store  *load.Store
	client *extract.Client
	log    *slog.Logger
	mem    memory.Allocator
	res    Result

	plans    map[string]extract.ProjectPlan
	trackers map[string]*tracker
	dates    map[string]bool
	failures []Failure
	// tracksExports: this run exports, or an earlier one did, so writes note the partitions they
	// leave (export_left_dates) and the run the ones it touches.
	tracksExports bool
	projectsDone  int
	remaining     map[string]int // builds still to arrive, per listed project
}

func (s *syncer) sync(ctx context.Context) error {
	s.res.StartPace = s.startPace(ctx)
	client, err := extract.New(extract.Config{
		Host: s.o.Host, Token: s.o.Token, HTTPClient: s.o.HTTPClient, Rate: s.o.Rate,
		RequestTimeout: s.o.RequestTimeout, Logger: s.log, UserAgent: "buildlake",
		StartPace: s.res.StartPace,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", errSync, err)
	}
	s.client = client
	slugs, err := s.projects(ctx)
	if err != nil {
		return err
	}
	s.res.Projects = len(slugs)
	states, err := s.store.States(ctx)
	if err != nil {
		return fmt.Errorf("%w: read sync state: %w", errSync, err)
	}
	if s.o.ParquetDir != "" {
		s.tracksExports = true
	} else if s.tracksExports, err = s.store.HasExportMarks(ctx); err != nil {
		return fmt.Errorf("%w: %w", errSync, err)
	}
	targets, err := s.listAll(ctx, slugs, states)
	if err != nil {
		return err
	}
	if err := s.recordListFailures(ctx); err != nil {
		return err
	}
	refs := s.plan(targets, states)
	s.log.Info("sync planned", "run_id", s.res.RunID, "projects", len(slugs), "builds", len(refs),
		"rate", s.client.Stats().CurrentRate, "start_throttled", s.res.StartPace.Throttled)
	s.progress(int64(len(refs)), 0)
	if err := s.fetchAndLoad(ctx, refs); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.export(ctx)
}

// projects returns the slugs to sync (flags, else every followed project) and loads the
// projects table from /projects when the token can read it.
func (s *syncer) projects(ctx context.Context) ([]string, error) {
	ps, err := s.client.ListProjects(ctx)
	if err != nil && len(s.o.Projects) == 0 {
		return nil, fmt.Errorf("%w: list projects: %w", errSync, err)
	}
	if err != nil {
		s.log.Warn("cannot list projects; syncing the named ones", "err", err)
	}
	var slugs []string
	if len(s.o.Projects) > 0 {
		slugs = slices.Clone(s.o.Projects)
	} else {
		for _, p := range ps {
			slugs = append(slugs, projectSlug(p))
		}
	}
	slugs = slices.DeleteFunc(slugs, func(slug string) bool { return slug == "" || !s.o.Shard.Contains(slug) })
	slices.Sort(slugs)
	slugs = slices.Compact(slugs)
	keep := slices.DeleteFunc(ps, func(p extract.Project) bool {
		_, found := slices.BinarySearch(slugs, projectSlug(p))
		return !found
	})
	// A project whose vcs_type is missing is synced under the slug derived from its vcs_url;
	// its projects row carries the same vcs_type (transform keys rows by it).
	for i, p := range keep {
		if !p.VCSType.Valid || p.VCSType.V == "" {
			vcs, _, _ := strings.Cut(projectSlug(p), "/")
			keep[i].VCSType = extract.String(vcs)
		}
	}
	// A project named with --project that /projects does not list (not followed, or no token
	// for /projects) still gets its row, from the slug alone.
	for _, slug := range slugs {
		if !slices.ContainsFunc(keep, func(p extract.Project) bool { return projectSlug(p) == slug }) {
			vcs, rest, _ := strings.Cut(slug, "/")
			user, repo, _ := strings.Cut(rest, "/")
			keep = append(keep, extract.Project{VCSType: extract.String(vcs), Username: extract.String(user), Reponame: extract.String(repo)})
		}
	}
	if len(keep) > 0 {
		rec, err := transform.Projects(s.mem, s.o.Now(), keep)
		if err != nil {
			return nil, fmt.Errorf("%w: projects: %w", errSync, err)
		}
		defer rec.Release()
		if _, err := s.store.Write(ctx, load.Batch{Projects: rec}); err != nil {
			return nil, fmt.Errorf("%w: load projects: %w", errSync, err)
		}
	}
	return slugs, nil
}

// listAll lists every project's new builds, Concurrency projects at a time. A project whose list
// fails is recorded as failed; its state is left as it was.
func (s *syncer) listAll(ctx context.Context, slugs []string, states map[string]load.ProjectState) (map[string]extract.Targets, error) {
	var mu sync.Mutex
	out := map[string]extract.Targets{}
	s.plans = map[string]extract.ProjectPlan{}
	plans := s.plans
	p := pool.New().WithMaxGoroutines(s.o.Concurrency)
	for _, slug := range slugs {
		st := states[slug]
		plan := extract.ProjectPlan{ProjectSlug: slug, HighWater: st.HighWater, Pending: st.Pending, Full: s.o.Full}
		switch {
		case st.HighWater == 0 || s.o.Full:
			plan.Since = s.o.Since
		case !st.BackfilledSince.IsZero() && s.o.Since.Before(st.BackfilledSince):
			// This horizon reaches further back than earlier runs (say a nightly --full
			// --since 14d ran first): read the older history too.
			plan.Since, plan.BackfillUntil = s.o.Since, st.BackfilledSince
		}
		plans[slug] = plan
		p.Go(func() {
			t, err := extract.ListTargets(ctx, s.client, plan)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if ctx.Err() == nil {
					s.failures = append(s.failures, Failure{ProjectSlug: slug, Stage: "list", Err: s.redact(err)})
					s.projectsDone++
					s.progress(0, 0)
				}
				return
			}
			out[slug] = t
			if len(t.All()) == 0 {
				s.projectsDone++ // nothing to fetch: done once listed
				s.progress(0, 0)
			}
		})
	}
	err := s.catch(p.Wait)
	return out, err
}

// recordListFailures writes the projects whose build list could not be read to sync_errors (the
// run's other failures are written with the batch they happen in).
func (s *syncer) recordListFailures(ctx context.Context) error {
	var errs []load.SyncError
	now := s.o.Now()
	for _, f := range s.failures {
		if f.Stage == "list" {
			errs = append(errs, load.SyncError{RunID: s.res.RunID, ProjectSlug: f.ProjectSlug, Stage: f.Stage, Error: f.Err, At: now})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	if _, err := s.store.Write(ctx, load.Batch{Errors: errs}); err != nil {
		return fmt.Errorf("%w: record list failures: %w", errSync, err)
	}
	return nil
}

// plan creates a tracker per listed project and returns every build to fetch, oldest first per
// project so the high-water mark can advance early.
func (s *syncer) plan(targets map[string]extract.Targets, states map[string]load.ProjectState) []extract.BuildRef {
	s.trackers = map[string]*tracker{}
	s.remaining = map[string]int{}
	var refs []extract.BuildRef
	for _, slug := range slices.Sorted(maps.Keys(targets)) {
		t := targets[slug]
		// Every build pending before the run stays pending until it arrives finished, also when
		// a --full run lists it among New: an interrupted run must not drop it.
		tr := newTracker(slug, states[slug].HighWater, t.New, states[slug].Pending)
		tr.backfilled, tr.reaching = states[slug].BackfilledSince, s.plans[slug].Since
		s.trackers[slug] = tr
		for _, n := range t.All() {
			refs = append(refs, extract.BuildRef{ProjectSlug: slug, BuildNum: n})
		}
		s.remaining[slug] = len(t.All())
	}
	return refs
}

// fetchAndLoad fetches refs concurrently and loads them from this goroutine (the store's only
// writer), one transaction per batch.
func (s *syncer) fetchAndLoad(ctx context.Context, refs []extract.BuildRef) error {
	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	results := make(chan extract.Fetched, s.o.Concurrency)
	// A panic in a fetch worker re-panics in FetchBuilds' Wait, in this goroutine, where nobody
	// could recover it: catch it here and hand it to the writer loop, which fails the run.
	panicked := make(chan error, 1)
	go func() {
		defer close(results)
		panicked <- s.catch(func() {
			extract.FetchBuilds(fetchCtx, s.client, refs, extract.FetchOptions{
				Concurrency: s.o.Concurrency, NoTests: s.o.NoTests, NoArtifacts: s.o.NoArtifacts,
			}, results)
		})
	}()
	var batch []extract.Fetched
	tick := time.NewTicker(batchEvery)
	defer tick.Stop()
	done := int64(0)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		// The batch in flight commits even after a signal: it is already fetched, and one
		// transaction is quick. Later batches are not fetched.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		err := s.load(wctx, batch)
		done += int64(len(batch))
		batch = batch[:0]
		s.progress(int64(len(refs)), done)
		return err
	}
	for {
		select {
		case f, ok := <-results:
			if !ok {
				// The builds fetched before a panic are loaded; the rest stay pending.
				return errors.Join(flush(), <-panicked)
			}
			batch = append(batch, f)
			if len(batch) >= batchBuilds {
				if err := flush(); err != nil {
					stopFetch()
					return err
				}
			}
		case <-tick.C:
			if err := flush(); err != nil {
				stopFetch()
				return err
			}
		}
	}
}

// load transforms one batch and writes it with the state of every project it touches. A build
// reaches its project's tracker only once its fate in this batch is known: loaded (finished or
// not), skipped by transform (pending, with an error row), failed (pending), or gone (a 404 for
// its details: an error row, and no longer pending).
func (s *syncer) load(ctx context.Context, batch []extract.Fetched) error {
	var errs []load.SyncError
	touched := map[string]bool{}
	now := s.o.Now()
	// Builds whose tests or artifacts could not be read (a 404) leave those rows as they are, so
	// the batch splits by what was fetched: transform and load replace a child table for every
	// build of a record or for none.
	type kind struct{ artifacts, tests bool }
	groups := map[kind][]extract.Fetched{}
	for _, f := range batch {
		touched[f.ProjectSlug] = true
		if s.remaining[f.ProjectSlug]--; s.remaining[f.ProjectSlug] == 0 {
			s.projectsDone++ // every build of the project is loaded or recorded
		}
		if f.Err != nil {
			gone := f.Stage == "details" && errors.Is(f.Err, extract.ErrNotFound)
			// A build whose details are gone will not come back: record it once and stop
			// re-reading it. Any other failure stays pending for the next run.
			s.trackers[f.ProjectSlug].arrive(f.BuildNum, gone)
			errs = append(errs, s.buildError(f.BuildRef, f.Stage, f.Err, now))
			continue
		}
		k := kind{f.HaveArtifacts, f.HaveTests}
		groups[k] = append(groups[k], f)
	}
	kinds := slices.SortedFunc(maps.Keys(groups), func(a, b kind) int {
		return cmp.Or(cmp.Compare(b2i(a.artifacts), b2i(b.artifacts)), cmp.Compare(b2i(a.tests), b2i(b.tests)))
	})
	if len(kinds) == 0 {
		kinds = []kind{{}} // errors only: one write with the state
	}
	for i, k := range kinds {
		lb := load.Batch{}
		group := groups[k]
		inputs := make([]transform.Input, len(group))
		for j, f := range group {
			inputs[j] = transform.Input{
				ProjectSlug: f.ProjectSlug, Build: f.Build, Artifacts: f.Artifacts, Tests: f.Tests,
				HaveSteps: !s.o.NoSteps, HaveArtifacts: f.HaveArtifacts, HaveTests: f.HaveTests,
			}
		}
		tb, err := transform.Transform(s.mem, now, inputs)
		if err != nil {
			return fmt.Errorf("%w: transform: %w", errSync, err)
		}
		defer tb.Release()
		lb.Builds, lb.Steps, lb.Artifacts, lb.Tests = tb.Builds, tb.Steps, tb.Artifacts, tb.Tests
		skipped := map[int]bool{}
		for _, sk := range tb.Skipped {
			skipped[sk.Index] = true
			errs = append(errs, s.buildError(group[sk.Index].BuildRef, "decode", sk.Err, now))
		}
		var loaded []extract.BuildRef
		for j, f := range group {
			// A build transform skipped is not loaded: it stays pending, whatever its lifecycle.
			s.trackers[f.ProjectSlug].arrive(f.BuildNum, !skipped[j] && f.Finished())
			if !skipped[j] {
				loaded = append(loaded, extract.BuildRef{ProjectSlug: f.ProjectSlug, BuildNum: f.Build.BuildNum.V})
			}
		}
		if i == len(kinds)-1 {
			// The last write carries the errors and the state every earlier write made true.
			lb.Errors = errs
			for _, slug := range slices.Sorted(maps.Keys(touched)) {
				tr := s.trackers[slug]
				hw, pending := tr.state()
				lb.State = append(lb.State, load.ProjectState{ProjectSlug: slug, HighWater: hw, Pending: pending,
					RunID: s.res.RunID, UpdatedAt: now, BackfilledSince: tr.covered()})
			}
		}
		// The partitions the builds leave, noted durably with the write (an export that never
		// happens, this run's or a later one's, still learns of them)…
		if lb.LeftDates, err = s.noteDates(ctx, loaded); err != nil {
			return err
		}
		lb.LeftAt = now
		c, err := s.store.Write(ctx, lb)
		if err != nil {
			return fmt.Errorf("%w: load: %w", errSync, err)
		}
		if _, err := s.noteDates(ctx, loaded); err != nil { // …and those they enter
			return err
		}
		s.res.Builds += c.Builds
		s.res.Steps += c.Steps
		s.res.Artifacts += c.Artifacts
		s.res.Tests += c.Tests
	}
	return nil
}
