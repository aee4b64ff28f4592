package queries_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/pipeline"
	"github.com/buildlake/buildlake/queries"
)

// TestScoreAgainstSimulatorTruth syncs a generated account (several projects, three months) from
// the simulator and scores the canned queries against its ground truth: flaky tests and jobs by
// precision and recall, the injected duration regression by job, step and date, and the queue
// crunch by its p95 against normal windows. It prints the scores. 2000 builds per project put
// about 10 builds of each resource class into the 36 h crunch: enough for a p95 per series.
func TestScoreAgainstSimulatorTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs a simulated account")
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	srv := circlecitest.NewServer(circlecitest.Options{Seed: 21, Projects: 4, BuildsPerProject: 2000, Days: 90, TestsPerJob: 20, Now: now})
	defer srv.Close()
	st, err := load.Open(ctx, filepath.Join(t.TempDir(), "score.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := pipeline.Sync(ctx, st, pipeline.Options{
		Host: srv.URL, Token: srv.Token, Now: srv.Now, Since: now.AddDate(0, 0, -100), Rate: 5000, Concurrency: 16,
	}); err != nil {
		t.Fatal(err)
	}
	truth := srv.Truth()
	db := st.DB()

	run := func(name string, p queries.Params) *queries.Result {
		t.Helper()
		p.Until = now.Add(time.Minute)
		r, err := queries.Run(ctx, db, name, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}

	// flaky-tests: (project_slug, classname, name) sets.
	var wantTests []string
	for _, f := range truth.FlakyTests {
		wantTests = append(wantTests, f.ProjectSlug+"|"+f.Classname+"|"+f.Name)
	}
	gotTests := keys(t, run("flaky-tests", queries.Params{Limit: queries.MaxLimit}), "project_slug", "classname", "name")
	p, r := score(gotTests, wantTests)
	t.Logf("flaky-tests: %d found, %d true; precision %.2f recall %.2f", len(gotTests), len(wantTests), p, r)
	if len(wantTests) == 0 || p < 0.95 || r < 0.95 {
		t.Errorf("flaky-tests precision %.2f recall %.2f (want ≥ 0.95 each, with a non-empty truth)", p, r)
	}

	var wantJobs []string
	for _, f := range truth.FlakyJobs {
		wantJobs = append(wantJobs, f.ProjectSlug+"|"+f.JobName)
	}
	gotJobs := keys(t, run("flaky-jobs", queries.Params{Limit: queries.MaxLimit}), "project_slug", "job_name")
	p, r = score(gotJobs, wantJobs)
	t.Logf("flaky-jobs: %d found, %d true; precision %.2f recall %.2f", len(gotJobs), len(wantJobs), p, r)
	if len(wantJobs) == 0 || p < 0.95 || r < 0.95 {
		t.Errorf("flaky-jobs precision %.2f recall %.2f (want ≥ 0.95 each)", p, r)
	}

	// duration-regressions: the injected step, dated within a day.
	reg := truth.Regression
	want, err := time.Parse(time.DateOnly, reg.Date)
	if err != nil {
		t.Fatalf("truth regression date %q: %v", reg.Date, err)
	}
	res := run("duration-regressions", queries.Params{Since: now.AddDate(0, 0, -90), Limit: queries.MaxLimit})
	found := false
	for _, row := range rows(res) {
		if row["project_slug"] == reg.ProjectSlug && row["job_name"] == reg.JobName && row["step_name"] == reg.StepName {
			on, ok := row["changed_on"].(time.Time)
			if !ok {
				t.Fatalf("changed_on is %T", row["changed_on"])
			}
			off := math.Abs(on.Sub(want).Hours() / 24)
			t.Logf("duration-regressions: %s %s %q changed on %s (truth %s, factor %.2f), %.0f day(s) off, change %v%%",
				reg.ProjectSlug, reg.JobName, reg.StepName, on.Format(time.DateOnly), reg.Date, reg.Factor, off, row["change_pct"])
			found = off <= 1
		}
	}
	if !found {
		t.Errorf("duration-regressions did not date the injected regression %+v within a day; rows: %v", reg, res.Rows)
	}

	// queue-time-trend: the crunch window's p95 against normal, per project and resource class.
	// Daily buckets hold 1-5 builds of a series and the crunch starts and ends mid-day, so each
	// window is asked for as one bucket instead: since/until = the 36 h crunch window itself,
	// against windows of the same length and time of day, whole weeks before and after (same
	// weekday, same hours of the daily queue pattern). normal = the median of those windows' p95.
	start, err1 := time.Parse(time.RFC3339, truth.QueueCrunch.Start)
	end, err2 := time.Parse(time.RFC3339, truth.QueueCrunch.End)
	if err1 != nil || err2 != nil {
		t.Fatalf("truth crunch window %+v", truth.QueueCrunch)
	}
	windowP95 := func(from, to time.Time) map[string]queueWindow {
		t.Helper()
		r, err := queries.Run(ctx, db, "queue-time-trend", queries.Params{Since: from, Until: to, Period: "month", Limit: queries.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]queueWindow{}
		for _, row := range rows(r) {
			series := fmt.Sprint(row["project_slug"], "|", row["resource_class"])
			if _, dup := out[series]; dup {
				t.Fatalf("window %s - %s spans two months: pick another seed or clock", from, to)
			}
			p95, _ := row["p95_queue_seconds"].(float64)
			n, _ := row["builds"].(int64)
			out[series] = queueWindow{p95: p95, builds: n}
		}
		return out
	}
	crunch := windowP95(start, end)
	normal := map[string][]float64{}
	historyStart := now.AddDate(0, 0, -90)
	for k := -12; k <= 12; k++ {
		from, to := start.AddDate(0, 0, 7*k), end.AddDate(0, 0, 7*k)
		if k == 0 || from.Before(historyStart) || to.After(now) {
			continue
		}
		for series, w := range windowP95(from, to) {
			normal[series] = append(normal[series], w.p95)
		}
	}
	// Every series with enough builds in the crunch to have a meaningful p95 must show it; and
	// every project must have such a series, so that the check cannot pass by excluding all.
	const minBuilds, minWindows = 5, 4
	checked := map[string]bool{}
	names := slices.Sorted(maps.Keys(crunch))
	for _, series := range names {
		c, n := crunch[series], normal[series]
		if len(n) == 0 {
			t.Logf("queue-time-trend: %s: %d crunch builds, no normal window", series, c.builds)
			continue
		}
		ratio := c.p95 / median(n)
		t.Logf("queue-time-trend: %s: crunch p95 %.0f s over %d builds = %.1fx the normal p95 %.0f s (median of %d windows)",
			series, c.p95, c.builds, ratio, median(n), len(n))
		if c.builds < minBuilds || len(n) < minWindows {
			continue
		}
		checked[series[:strings.Index(series, "|")]] = true
		if ratio < 3 {
			t.Errorf("queue crunch %s: p95 %.1fx the normal, want ≥ 3x", series, ratio)
		}
	}
	if len(checked) < 4 {
		t.Errorf("queue crunch checked in %d of 4 projects (series with ≥ %d builds in the crunch and %d normal windows)", len(checked), minBuilds, minWindows)
	}
}

// queueWindow is one series' answer of queue-time-trend over one window.
type queueWindow struct {
	p95    float64
	builds int64
}

// keys returns "a|b|…" of the named columns for every row.
func keys(t *testing.T, r *queries.Result, cols ...string) []string {
	t.Helper()
	var out []string
	for _, row := range rows(r) {
		k := ""
		for i, c := range cols {
			v, ok := row[c]
			if !ok {
				t.Fatalf("no column %q in %v", c, r.Columns)
			}
			if i > 0 {
				k += "|"
			}
			if v != nil {
				k += fmt.Sprint(v)
			}
		}
		out = append(out, k)
	}
	return out
}

func rows(r *queries.Result) []map[string]any {
	var out []map[string]any
	for _, row := range r.Rows {
		m := map[string]any{}
		for i, c := range r.Columns {
			m[c] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// score is precision and recall of got against want.
func score(got, want []string) (precision, recall float64) {
	w := map[string]bool{}
	for _, k := range want {
		w[k] = true
	}
	hit := 0
	for _, k := range got {
		if w[k] {
			hit++
		}
	}
	if len(got) > 0 {
		precision = float64(hit) / float64(len(got))
	}
	if len(want) > 0 {
		recall = float64(hit) / float64(len(want))
	}
	return precision, recall
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	return s[len(s)/2]
}
