package pipeline

import (
	"slices"
	"time"
)

// tracker keeps one project's sync state while its builds arrive in any order, so that every
// committed state is true of the rows committed with it: the high-water mark only moves past a
// build once that build is loaded or recorded as pending.
type tracker struct {
	slug     string
	hw0      int64          // high-water mark at the start of the run
	hw       int64          // current mark: every new target at or below it has arrived
	targets  []int64        // new builds above hw0 (or all in the horizon with Full), ascending
	next     int            // targets[:next] have arrived
	pending0 []int64        // the previous state's pending builds: pending until they arrive finished
	arrived  map[int64]bool // build → finished (true) or still to re-read (false)

	// backfilled is the horizon earlier runs covered; reaching is this run's. Once every target
	// has arrived the project is covered back to the earlier of the two.
	backfilled, reaching time.Time
}

func newTracker(slug string, hw0 int64, targets, pending []int64) *tracker {
	return &tracker{slug: slug, hw0: hw0, hw: hw0, targets: targets, pending0: pending, arrived: map[int64]bool{}}
}

// covered returns the horizon the project's loaded history now reaches back to.
func (t *tracker) covered() time.Time {
	if t.reaching.IsZero() {
		return t.backfilled
	}
	if t.hw0 == 0 && (t.backfilled.IsZero() || t.reaching.Before(t.backfilled)) {
		// A first run's targets are every build back to its horizon, read oldest first, and the
		// mark only passes arrived ones: whatever mark is committed, the history at or below it
		// reaches back to the horizon, even if the run stops before every target arrives.
		return t.reaching
	}
	if t.next < len(t.targets) {
		return t.backfilled
	}
	if t.backfilled.IsZero() && t.hw0 > 0 {
		return t.backfilled // history before this run's targets is of unknown extent
	}
	if t.backfilled.IsZero() || t.reaching.Before(t.backfilled) {
		return t.reaching
	}
	return t.backfilled
}

// arrive records one build's outcome and advances the mark over every contiguous arrived target.
func (t *tracker) arrive(buildNum int64, finished bool) {
	t.arrived[buildNum] = finished
	for t.next < len(t.targets) {
		if _, ok := t.arrived[t.targets[t.next]]; !ok {
			break
		}
		t.hw = max(t.hw, t.targets[t.next])
		t.next++
	}
}

// state returns the mark and the builds still to re-read: the previous state's pending ones until
// they arrive finished (whether or not this run lists them as targets: a --full run re-reads them
// as targets, and an interrupted run must not forget them), and the builds at or below the mark
// that arrived unfinished.
func (t *tracker) state() (int64, []int64) {
	var pending []int64
	for _, n := range t.pending0 {
		if fin, ok := t.arrived[n]; !ok || !fin {
			pending = append(pending, n)
		}
	}
	for n, fin := range t.arrived {
		if !fin && n <= t.hw {
			pending = append(pending, n)
		}
	}
	slices.Sort(pending)
	return t.hw, slices.Compact(pending)
}
