package schedules

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
)

// simConfig writes the simulator's token to a file and returns the config's connection lines.
func simConfig(t *testing.T, sim *circlecitest.Server) string {
	t.Helper()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(sim.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("host: %s\ntoken_file: %s\nlisten: 127.0.0.1:0\n", sim.URL, tokenFile)
}

// Two @every 1s jobs against the simulator with the real pipeline: runs happen and are recorded
// with their triggers, never overlap, export Parquet, and /metrics and /healthz reflect them.
func TestJobsRunAgainstSimulator(t *testing.T) {
	sim := circlecitest.NewServer(circlecitest.Options{Seed: 1, Projects: 2, BuildsPerProject: 30})
	defer sim.Close()
	parquet := filepath.Join(t.TempDir(), "parquet")
	st := startScheduler(t, simConfig(t, sim)+"parquet_dir: "+parquet+`
jobs:
  - {name: inc, cron: '@every 1s', max_age: 1h, rate: 1000}
  - {name: full, cron: '@every 1s', full: true, since: 60d, no_artifacts: true, rate: 1000}
`, nil)
	waitFor(t, 30*time.Second, "two incremental and one full successful run", func() bool {
		return countRuns(t, st, "schedule:inc", "success") >= 2 && countRuns(t, st, "schedule:full", "success") >= 1
	})
	st.stop(t)
	db := st.store.DB()

	// Every run finished successfully, and no two overlapped: the store has one writer.
	var all []runRow
	for _, job := range []string{"inc", "full"} {
		for _, r := range runsOf(t, db, "schedule:"+job) {
			if r.status != "success" {
				t.Errorf("%s run %s: status %s (%s)", job, r.runID, r.status, r.summary)
			}
			all = append(all, r)
		}
	}
	for i, a := range all {
		for _, b := range all[i+1:] {
			if a.started.Time.Before(b.finished.Time) && b.started.Time.Before(a.finished.Time) {
				t.Errorf("runs %s and %s overlap", a.runID, b.runID)
			}
		}
	}
	var builds int
	if err := db.QueryRow(`SELECT count(*) FROM builds`).Scan(&builds); err != nil {
		t.Fatal(err)
	}
	if builds != 60 {
		t.Errorf("builds = %d, want the simulator's 2×30", builds)
	}
	if files, _ := filepath.Glob(filepath.Join(parquet, "builds", "date=*", "*.parquet")); len(files) == 0 {
		t.Errorf("no Parquet export under %s", parquet)
	}

	// /metrics agrees with sync_runs.
	fams := scrape(t, st.http.URL)
	var sum struct{ builds, steps, tests, requests, retries, rateLimited float64 }
	if err := db.QueryRow(`SELECT sum(builds_upserted), sum(steps), sum(tests), sum(requests), sum(retries), sum(rate_limited)
		FROM sync_runs`).Scan(&sum.builds, &sum.steps, &sum.tests, &sum.requests, &sum.retries, &sum.rateLimited); err != nil {
		t.Fatal(err)
	}
	for _, job := range []string{"inc", "full"} {
		n := float64(len(runsOf(t, db, "schedule:"+job)))
		if v := mustValue(t, fams, "buildlake_runs_total", "job", job, "status", "success"); v != n {
			t.Errorf("runs_total{%s,success} = %v, sync_runs has %v", job, v, n)
		}
		if v := mustValue(t, fams, "buildlake_run_duration_seconds", "job", job); v != n {
			t.Errorf("run_duration_seconds{%s} count = %v, want %v", job, v, n)
		}
		if v := mustValue(t, fams, "buildlake_runs_total", "job", job, "status", "failed"); v != 0 {
			t.Errorf("runs_total{%s,failed} = %v", job, v)
		}
	}
	for table, want := range map[string]float64{"builds": sum.builds, "steps": sum.steps, "tests": sum.tests} {
		if v := mustValue(t, fams, "buildlake_rows_upserted_total", "table", table); v != want || v == 0 {
			t.Errorf("rows_upserted_total{%s} = %v, sync_runs sums to %v", table, v, want)
		}
	}
	var requests float64
	for _, m := range fams["buildlake_api_requests_total"].GetMetric() {
		requests += m.GetCounter().GetValue()
	}
	if ok := mustValue(t, fams, "buildlake_api_requests_total", "code", "200"); ok == 0 || requests != sum.requests {
		t.Errorf("api_requests_total: 200 = %v, all codes %v; sync_runs requests %v", ok, requests, sum.requests)
	}
	if v := mustValue(t, fams, "buildlake_api_retries_total"); v != sum.retries {
		t.Errorf("retries = %v, want %v", v, sum.retries)
	}
	if v := mustValue(t, fams, "buildlake_api_rate_limited_total"); v != sum.rateLimited {
		t.Errorf("rate limited = %v, want %v", v, sum.rateLimited)
	}
	var last time.Time
	if err := db.QueryRow(`SELECT max(finished_at) FROM sync_runs WHERE trigger = 'schedule:inc'`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if v := mustValue(t, fams, "buildlake_last_success_timestamp_seconds", "job", "inc"); math.Abs(v-float64(last.UnixMilli())/1000) > 0.002 {
		t.Errorf("last success = %v, sync_runs says %v", v, last)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if fams[name] == nil {
			t.Errorf("%s missing: Go and process collectors not registered", name)
		}
	}

	resp, err := http.Get(st.http.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h healthReport
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(h.Jobs) != 1 || h.Jobs[0].Job != "inc" || h.Jobs[0].LastSuccess == nil ||
		!h.Jobs[0].LastSuccess.Truncate(time.Microsecond).Equal(last) {
		t.Fatalf("/healthz = %d %+v", resp.StatusCode, h)
	}
}

// explodingProgress panics inside the pipeline, after it has recorded its run as running.
type explodingProgress struct{ token string }

func (p explodingProgress) Update(pipeline.ProgressState) {
	panic("progress exploded near " + p.token)
}

// A panic inside the real pipeline is recovered: the run's own sync_runs row becomes failed
// (not left running), the token is redacted, and the next runs still happen.
func TestPanicInsidePipelineIsRecordedAsFailed(t *testing.T) {
	sim := circlecitest.NewServer(circlecitest.Options{Seed: 2, Projects: 1, BuildsPerProject: 5})
	defer sim.Close()
	st := startScheduler(t, simConfig(t, sim)+"jobs:\n  - {name: boom, cron: '@every 1s'}\n", func(s *Scheduler) {
		s.sync = func(ctx context.Context, store *load.Store, o pipeline.Options) (pipeline.Result, error) {
			o.Progress = explodingProgress{token: sim.Token}
			return pipeline.Sync(ctx, store, o)
		}
	})
	waitFor(t, 15*time.Second, "two failed runs", func() bool { return countRuns(t, st, "schedule:boom", "failed") >= 2 })
	st.stop(t)
	runs := runsOf(t, st.store.DB(), "schedule:boom")
	for _, r := range runs {
		if r.status != "failed" || r.summary != "panic: progress exploded near REDACTED" || !r.finished.Valid {
			t.Errorf("run %+v", r)
		}
	}
	fams := scrape(t, st.http.URL)
	if v := mustValue(t, fams, "buildlake_runs_total", "job", "boom", "status", "failed"); int(v) != len(runs) {
		t.Errorf("runs_total{failed} = %v, sync_runs has %d rows (one per run, none inserted twice)", v, len(runs))
	}
	var anyRunning int
	if err := st.store.DB().QueryRow(`SELECT count(*) FROM sync_runs WHERE status = 'running'`).Scan(&anyRunning); err != nil || anyRunning != 0 {
		t.Fatalf("running rows left: %d (%v)", anyRunning, err)
	}
	if strings.Contains(fmt.Sprint(runs), sim.Token) {
		t.Fatal("token in sync_runs")
	}
}
