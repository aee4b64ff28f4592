package schedules

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

// concurrency records how many syncs run at once, per job and over all jobs.
type concurrency struct {
	mu               sync.Mutex
	now, max         int
	perJob, maxPerJo map[string]int
	calls            atomic.Int64
}

func (c *concurrency) enter(job string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls.Add(1)
	c.now++
	c.max = max(c.max, c.now)
	c.perJob[job]++
	c.maxPerJo[job] = max(c.maxPerJo[job], c.perJob[job])
}

func (c *concurrency) leave(job string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now--
	c.perJob[job]--
}

// A job whose run outlasts its interval is skipped (and counted) instead of overlapping itself,
// runs of different jobs never overlap, and shutdown cancels the run in flight after the grace
// period. The sync is a slow stand-in: the real pipeline is not slow on purpose.
func TestSlowJobIsSkippedNotOverlapped(t *testing.T) {
	c := &concurrency{perJob: map[string]int{}, maxPerJo: map[string]int{}}
	slow := func(ctx context.Context, _ *load.Store, o pipeline.Options) (pipeline.Result, error) {
		job := o.Trigger
		c.enter(job)
		defer c.leave(job)
		d := 300 * time.Millisecond
		if job == "schedule:slow" {
			d = 2500 * time.Millisecond
		}
		select {
		case <-time.After(d):
			return pipeline.Result{Status: pipeline.StatusSuccess, StartedAt: o.Now(), FinishedAt: o.Now(), Builds: 1}, nil
		case <-ctx.Done():
			return pipeline.Result{Status: pipeline.StatusCanceled, FinishedAt: o.Now()}, ctx.Err()
		}
	}
	st := startScheduler(t, `
grace_period: 500ms
jobs:
  - {name: slow, cron: '@every 1s'}
  - {name: quick, cron: '@every 1s'}
`, func(s *Scheduler) { s.sync = slow })

	waitFor(t, 10*time.Second, "a skipped run of the slow job", func() bool {
		v, _ := value(scrape(t, st.http.URL), "buildlake_skipped_runs_total", "job", "slow")
		return v >= 1
	})
	waitFor(t, 10*time.Second, "the slow job to be syncing", func() bool {
		v, _ := value(scrape(t, st.http.URL), "buildlake_run_in_progress", "job", "slow")
		return v == 1
	})
	st.stop(t)

	fams := scrape(t, st.http.URL)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max != 1 {
		t.Errorf("%d syncs ran at once; the store has one writer", c.max)
	}
	for job, n := range c.maxPerJo {
		if n != 1 {
			t.Errorf("%s overlapped itself (%d at once)", job, n)
		}
	}
	if v := mustValue(t, fams, "buildlake_runs_total", "job", "slow", "status", "canceled"); v != 1 {
		t.Errorf("slow runs canceled at shutdown = %v, want 1 (the grace period is shorter than the run)", v)
	}
	var total float64
	for _, job := range []string{"slow", "quick"} {
		for _, status := range statuses {
			total += mustValue(t, fams, "buildlake_runs_total", "job", job, "status", status)
		}
		if v := mustValue(t, fams, "buildlake_run_in_progress", "job", job); v != 0 {
			t.Errorf("%s still in progress after shutdown", job)
		}
	}
	if total != float64(c.calls.Load()) {
		t.Errorf("runs_total sums to %v, syncs called %d", total, c.calls.Load())
	}
	if v := mustValue(t, fams, "buildlake_run_duration_seconds", "job", "slow"); v < 1 {
		t.Errorf("slow duration observations = %v", v)
	}
	if v := mustValue(t, fams, "buildlake_skipped_runs_total", "job", "quick"); v < 0 {
		t.Errorf("quick skipped = %v", v)
	}
}

// The same against the simulator with the real pipeline: a full sync made slow by the server's
// latency outlasts its @every 1s schedule, so firings are skipped and counted while a run is in
// flight; every run that did start is recorded, none overlap, and /healthz is green after one.
func TestSlowSimulatedSyncIsSkippedNotOverlapped(t *testing.T) {
	sim := circlecitest.NewServer(circlecitest.Options{Seed: 3, Projects: 1, BuildsPerProject: 15, Latency: 50 * time.Millisecond})
	defer sim.Close()
	// 1 list page + 15 builds × 3 requests, one at a time at 50 ms: about 2.3 s a run.
	st := startScheduler(t, simConfig(t, sim)+`
jobs:
  - {name: slow, cron: '@every 1s', full: true, concurrency: 1, rate: 1000, max_age: 1h}
`, nil)
	waitFor(t, 30*time.Second, "a successful run and a skipped firing", func() bool {
		v, _ := value(scrape(t, st.http.URL), "buildlake_skipped_runs_total", "job", "slow")
		return v >= 1 && countRuns(t, st, "schedule:slow", "success") >= 1
	})
	resp, err := http.Get(st.http.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz = %d after a successful run", resp.StatusCode)
	}
	st.stop(t)

	runs := runsOf(t, st.store.DB(), "schedule:slow")
	for i, a := range runs {
		if !a.finished.Valid {
			t.Errorf("run %s left unfinished", a.runID)
			continue
		}
		if a.finished.Time.Sub(a.started.Time) < time.Second {
			t.Errorf("run %s took %s: not slower than its schedule, the test proves nothing", a.runID, a.finished.Time.Sub(a.started.Time))
		}
		for _, b := range runs[i+1:] {
			if b.finished.Valid && a.started.Time.Before(b.finished.Time) && b.started.Time.Before(a.finished.Time) {
				t.Errorf("runs %s and %s overlap", a.runID, b.runID)
			}
		}
	}
	fams := scrape(t, st.http.URL)
	var total float64
	for _, status := range statuses {
		total += mustValue(t, fams, "buildlake_runs_total", "job", "slow", "status", status)
	}
	if int(total) != len(runs) {
		t.Errorf("runs_total = %v, sync_runs has %d runs", total, len(runs))
	}
}
