package pipeline_test

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/pipeline"
)

var buildPath = regexp.MustCompile(`/[0-9]+(/tests|/artifacts)?$`)

// serverLimit is the simulator's rate limit (requests/s, token bucket with burst serverLimit).
const serverLimit = 40

// rateRun syncs from a simulator limited to serverLimit requests/s with the client's Rate set to
// rate (0 = adaptive) and returns the share of 429s and the admitted requests/s, measured on the
// client's wire from the first build request to the last response: before it, a sync lists
// projects and pages (a few sequential requests, a database write) and paces nothing.
func rateRun(t *testing.T, rate float64) (share429, throughput float64) {
	t.Helper()
	// About 330 requests: eight seconds of work at the limit, long enough for the adaptive pacer to
	// get past its start (slow start overshoots, the first 429s pause everyone for Retry-After).
	srv := newSim(t, circlecitest.Options{Seed: 3, Projects: 2, BuildsPerProject: 53, Parallelism: 1, TestsPerJob: 2, RateLimit: serverLimit})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	w := newWire()
	res := syncOnce(t, st, srv, func(o *pipeline.Options) {
		o.HTTPClient = w.client()
		o.Rate = rate
	})
	if res.Status != pipeline.StatusSuccess {
		t.Fatalf("status %q: %+v", res.Status, res.Failures)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	total, admitted := len(w.sent), len(w.admitted)
	share429 = float64(total-admitted) / float64(total)
	first := slices.IndexFunc(w.sent, func(s sentAt) bool { return buildPath.MatchString(s.path) })
	if first < 0 {
		t.Fatal("no build request on the wire")
	}
	// Sustained: the last 60% of the fetch phase. Earlier, the server's bucket still holds its
	// initial burst of serverLimit requests and the adaptive pacer is still in slow start.
	end := w.admitted[admitted-1]
	start := w.sent[first].at
	start = start.Add(end.Sub(start) * 4 / 10)
	n := 0
	for _, at := range w.admitted {
		if !at.Before(start) {
			n++
		}
	}
	span := end.Sub(start)
	throughput = float64(n) / span.Seconds()
	t.Logf("rate %g against a limit of %d/s: %d requests, %d answered 429 (%.1f%%); sustained %.1f admitted requests/s over the last %s (%.0f%% of the limit)",
		rate, serverLimit, total, total-admitted, 100*share429, throughput, span.Round(time.Millisecond), 100*throughput/serverLimit)
	if int64(total) != res.Requests || int64(total-admitted) != res.RateLimited {
		t.Errorf("the run recorded %d requests and %d rate-limited; the wire saw %d and %d", res.Requests, res.RateLimited, total, total-admitted)
	}
	return share429, throughput
}

// TestAdaptiveRateFindsServerLimit: with no --rate, the pacer must find the server's limit:
// under 5% of requests rejected and at least 80% of the limit sustained.
func TestAdaptiveRateFindsServerLimit(t *testing.T) {
	t.Parallel()
	share, tput := rateRun(t, 0)
	if share >= 0.05 {
		t.Errorf("adaptive: %.1f%% of requests got 429, want < 5%%", 100*share)
	}
	if tput < 0.8*serverLimit {
		t.Errorf("adaptive: %.1f requests/s admitted, want ≥ %.0f (80%% of %d)", tput, 0.8*serverLimit, serverLimit)
	}
}

// TestFixedRateMeetsServerLimit: --rate R at the server's limit R must run at 90% of R or more
// with under 1% of requests rejected.
func TestFixedRateMeetsServerLimit(t *testing.T) {
	t.Parallel()
	share, tput := rateRun(t, serverLimit)
	if share >= 0.01 {
		t.Errorf("fixed: %.1f%% of requests got 429, want < 1%%", 100*share)
	}
	if tput < 0.9*serverLimit {
		t.Errorf("fixed: %.1f requests/s admitted, want ≥ %.0f (90%% of %d)", tput, 0.9*serverLimit, serverLimit)
	}
}

// TestAdaptiveRateResumesAcrossRuns: a run saves where its adaptive pacer ended in sync_pace; the
// next run against the same host starts there, near the server's limit, with no slow start, while a --rate run neither uses nor changes it.
func TestAdaptiveRateResumesAcrossRuns(t *testing.T) {
	t.Parallel()
	srv := newSim(t, circlecitest.Options{Seed: 3, Projects: 2, BuildsPerProject: 53, Parallelism: 1, TestsPerJob: 2, RateLimit: serverLimit})
	st := openStore(t, filepath.Join(t.TempDir(), "b.duckdb"))
	defer st.Close()
	adaptive := func(o *pipeline.Options) { o.Rate = 0 }
	first := syncOnce(t, st, srv, adaptive)
	if first.StartPace != (extract.Pace{}) {
		t.Fatalf("a new database's first run started from %+v, want slow start", first.StartPace)
	}
	saved, ok, err := st.Pace(context.Background(), srv.URL)
	if err != nil || !ok {
		t.Fatalf("no sync_pace row for %s after an adaptive run (err %v)", srv.URL, err)
	}
	// The ceiling probes upward while it does not bind (the writer paces the fetchers too), so it
	// may end somewhat above the limit: the next run's first 429s cut it back.
	if !saved.Throttled || saved.Rate < 0.5*serverLimit || saved.Rate > 2.5*serverLimit || saved.RunID != first.RunID {
		t.Fatalf("saved pace %+v after run %s against a %d/s limit; want a throttled rate near it", saved, first.RunID, serverLimit)
	}

	// A --rate run uses a fixed ceiling: it starts from nothing saved and leaves the row alone.
	fixed := syncOnce(t, st, srv, func(o *pipeline.Options) { o.Rate = serverLimit })
	if again, _, _ := st.Pace(context.Background(), srv.URL); fixed.StartPace != (extract.Pace{}) || again != saved {
		t.Fatalf("--rate run started from %+v and left %+v; want the zero Pace and %+v untouched", fixed.StartPace, again, saved)
	}

	// The next adaptive run re-reads everything (as a nightly --full does).
	w := newWire()
	second := syncOnce(t, st, srv, func(o *pipeline.Options) { o.Rate, o.Full, o.HTTPClient = 0, true, w.client() })
	if second.StartPace.Rate != saved.Rate || !second.StartPace.Throttled {
		t.Fatalf("second run started from %+v, want the saved %+v", second.StartPace, saved)
	}
	t.Logf("first run: %d requests, %d answered 429; the next, from %.1f req/s: %d requests, %d answered 429, ended at %.1f req/s",
		first.Requests, first.RateLimited, saved.Rate, second.Requests, second.RateLimited, second.EndPace.Rate)
	if share := float64(second.RateLimited) / float64(second.Requests); share >= 0.05 {
		t.Errorf("the run started from the saved pace had %.1f%% 429s, want under 5%%", 100*share)
	}
	if second.EndPace.Rate == 0 {
		t.Errorf("second run's EndPace is zero")
	}
}
