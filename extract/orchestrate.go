package extract

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/sourcegraph/conc/pool"
)

// ProjectPlan says what one project's run must read: builds above HighWater (or, with Full, every
// build in the horizon), builds queued between Since and BackfillUntil (a horizon reaching
// further back than earlier runs did), plus the Pending builds left unfinished or failed.
type ProjectPlan struct {
	ProjectSlug string
	HighWater   int64     // every build at or below it was loaded or is in Pending; 0 = first run
	Pending     []int64   // builds to re-read whatever the list says
	Since       time.Time // horizon: builds queued before it are not read
	// BackfillUntil, when set, also selects builds at or below HighWater queued before it (and
	// not before Since): history older than what earlier runs covered.
	BackfillUntil time.Time
	Full          bool
}

// Targets is the outcome of listing one project: the build numbers to fetch, ascending.
type Targets struct {
	ProjectSlug string
	New         []int64 // listed builds above the high-water mark (all in the horizon with Full)
	Pending     []int64 // the plan's pending builds to re-read now
	// Waiting are pending builds the list shows still unfinished: re-reading their details now
	// would only repeat what is stored, so they stay pending without a request.
	Waiting  []int64
	Requests int // list pages read
}

// All returns New and Pending merged, ascending, without duplicates.
func (t Targets) All() []int64 {
	all := append(slices.Clone(t.New), t.Pending...)
	slices.Sort(all)
	return slices.Compact(all)
}

// ListTargets pages the project's build list, newest first, until it passes the high-water mark
// or the horizon, and returns the builds to fetch.
//
// Real pages are not strictly ordered (225, 226, 224), so paging stops only after a whole page in
// which no build is one the plan reads: every build on it is at or below the mark (or, when
// backfilling or on a first run, queued before the horizon). Disorder narrower than a page
// therefore never hides a new build. With nothing new the first page ends it (one request per
// project); with new builds, one more page.
func ListTargets(ctx context.Context, c *Client, plan ProjectPlan) (Targets, error) {
	t := Targets{ProjectSlug: plan.ProjectSlug}
	seen := map[int64]bool{}
	pending := map[int64]bool{}
	for _, n := range plan.Pending {
		pending[n] = true
	}
	unfinished := map[int64]bool{}
	// Builds with no time at all (not run, or not queued yet) cannot be placed against the
	// horizon by time; they are placed by number once paging ends (see below).
	var timeless []int64
	var maxBefore int64 // the highest build number seen queued before the horizon
	for page, err := range c.ListBuildPages(ctx, plan.ProjectSlug, ListOptions{Shallow: true}) {
		t.Requests++
		if err != nil {
			return t, err
		}
		reads := false
		for _, b := range page {
			if !b.BuildNum.Valid {
				continue
			}
			n := b.BuildNum.V
			if pending[n] && !plan.Full {
				unfinished[n] = !Finished(b)
			}
			if !plan.Since.IsZero() && !hasTime(b) {
				if plan.Full || n > plan.HighWater || !plan.BackfillUntil.IsZero() {
					timeless = append(timeless, n)
				}
				continue
			}
			if beforeHorizon(b, plan.Since) {
				maxBefore = max(maxBefore, n)
			}
			if plan.selects(b) {
				reads = true
				if !seen[n] {
					seen[n] = true
					t.New = append(t.New, n)
				}
				continue
			}
			if !plan.BackfillUntil.IsZero() && !beforeHorizon(b, plan.Since) {
				reads = true // between the horizon and the covered history: keep paging
			}
		}
		if len(page) > 0 && !reads {
			break
		}
	}
	// A build numbered above one queued before the horizon was created after it: inside.
	for _, n := range timeless {
		if n > maxBefore && !seen[n] {
			seen[n] = true
			t.New = append(t.New, n)
		}
	}
	slices.Sort(t.New)
	for _, n := range plan.Pending {
		if _, isNew := slices.BinarySearch(t.New, n); isNew {
			continue
		}
		if unfinished[n] {
			t.Waiting = append(t.Waiting, n)
		} else {
			t.Pending = append(t.Pending, n)
		}
	}
	return t, nil
}

// Finished reports whether a build has reached its final state and will not change any more.
// Only the known unfinished lifecycles wait; an empty or unknown lifecycle counts as finished
// (re-reading such a build every run would never end), unless it has no lifecycle at all and its
// status says it is still queued or running.
func Finished(b Build) bool {
	switch b.Lifecycle.V {
	case "queued", "running", "not_running", "scheduled":
		return false
	case "":
		if b.Outcome.V != "" || b.StopTime.Valid {
			return true
		}
		switch b.Status.V {
		case "queued", "running", "not_running", "scheduled":
			return false
		}
	}
	return true
}

// selects reports whether a listed build is one this plan reads.
func (plan ProjectPlan) selects(b Build) bool {
	if beforeHorizon(b, plan.Since) {
		return false
	}
	if plan.Full || b.BuildNum.V > plan.HighWater {
		return true
	}
	return !plan.BackfillUntil.IsZero() && beforeHorizon(b, plan.BackfillUntil)
}

// hasTime reports whether the build carries any of the times beforeHorizon looks at.
func hasTime(b Build) bool {
	return b.UsageQueuedAt.Valid || b.QueuedAt.Valid || b.StartTime.Valid || b.StopTime.Valid
}

// beforeHorizon reports whether the build was queued before since. A build with no time at all
// is not (ListTargets places those by build number).
func beforeHorizon(b Build, since time.Time) bool {
	if since.IsZero() {
		return false
	}
	for _, ts := range []OptTime{b.UsageQueuedAt, b.QueuedAt, b.StartTime, b.StopTime} {
		if ts.Valid {
			return ts.V.Before(since)
		}
	}
	return false
}

// FetchOptions choose what FetchBuilds reads for each build.
type FetchOptions struct {
	Concurrency int // parallel requests; default 16
	NoTests     bool
	NoArtifacts bool
}

// BuildRef names one build of one project.
type BuildRef struct {
	ProjectSlug string
	BuildNum    int64
}

// Fetched is one build's details, tests and artifacts, or the error that stopped them.
type Fetched struct {
	BuildRef
	Build         Build
	Artifacts     []Artifact
	Tests         []TestResult
	HaveArtifacts bool
	HaveTests     bool
	Stage         string // on error: details | tests | artifacts
	Err           error
}

// Finished reports whether the build has reached its final state and need not be read again.
func (f Fetched) Finished() bool {
	if f.Err != nil {
		return false
	}
	return Finished(f.Build)
}

// FetchBuilds fetches every ref with at most o.Concurrency requests in flight (a bounded conc pool,
// never one goroutine per build) and sends each result on out, in no particular order. It returns
// when every ref is done or ctx is cancelled; refs not started before cancellation are not sent.
func FetchBuilds(ctx context.Context, c *Client, refs []BuildRef, o FetchOptions, out chan<- Fetched) {
	n := o.Concurrency
	if n <= 0 {
		n = 16
	}
	p := pool.New().WithMaxGoroutines(n)
	for _, ref := range refs {
		if ctx.Err() != nil {
			break
		}
		p.Go(func() {
			f := fetchOne(ctx, c, ref, o)
			if ctx.Err() != nil && f.Err != nil {
				return // cancelled: the build stays pending, nothing to report
			}
			select {
			case out <- f:
			case <-ctx.Done():
			}
		})
	}
	p.Wait()
}

// fetchOne reads one build's details, then its tests and artifacts.
func fetchOne(ctx context.Context, c *Client, ref BuildRef, o FetchOptions) Fetched {
	f := Fetched{BuildRef: ref}
	var err error
	if f.Build, err = c.GetBuild(ctx, ref.ProjectSlug, ref.BuildNum); err != nil {
		f.Stage, f.Err = "details", err
		return f
	}
	if !o.NoTests {
		// A 404 here, after the details were read, says nothing about the build's tests: leave
		// the rows stored as they are (HaveTests false) instead of replacing them with none.
		tr, err := c.ListTests(ctx, ref.ProjectSlug, ref.BuildNum)
		if err != nil && !errors.Is(err, ErrNotFound) {
			f.Stage, f.Err = "tests", err
			return f
		}
		f.Tests, f.HaveTests = tr.Tests, err == nil
	}
	if !o.NoArtifacts {
		arts, err := c.ListArtifacts(ctx, ref.ProjectSlug, ref.BuildNum)
		if err != nil && !errors.Is(err, ErrNotFound) {
			f.Stage, f.Err = "artifacts", err
			return f
		}
		f.Artifacts, f.HaveArtifacts = arts, err == nil // a 404 leaves stored rows as they are
	}
	return f
}
