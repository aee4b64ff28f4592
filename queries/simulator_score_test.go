package queries_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
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
// crunch by its p95 against normal days. It prints the scores.
func TestScoreAgainstSimulatorTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs a simulated account")
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	srv := circlecitest.NewServer(circlecitest.Options{Seed: 21, Projects: 4, BuildsPerProject: 700, Days: 90, TestsPerJob: 20, Now: now})
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

	// queue-time-trend: the crunch window's p95 against normal days', per project and class.
	start, err1 := time.Parse(time.RFC3339, truth.QueueCrunch.Start)
	end, err2 := time.Parse(time.RFC3339, truth.QueueCrunch.End)
	if err1 != nil || err2 != nil {
		t.Fatalf("truth crunch window %+v", truth.QueueCrunch)
	}
	res = run("queue-time-trend", queries.Params{Since: now.AddDate(0, 0, -90), Period: "day", Limit: queries.MaxLimit})
	crunch, normal := map[string][]float64{}, map[string][]float64{}
	for _, row := range rows(res) {
		day, _ := row["period_start"].(time.Time)
		p95, ok := row["p95_queue_seconds"].(float64)
		if !ok {
			continue
		}
		series := fmt.Sprint(row["project_slug"], "|", row["resource_class"])
		if !day.Before(start.Truncate(24*time.Hour)) && day.Before(end) {
			crunch[series] = append(crunch[series], p95)
		} else {
			normal[series] = append(normal[series], p95)
		}
	}
	var ratios []float64
	for series, c := range crunch {
		if n := normal[series]; len(n) > 0 {
			ratios = append(ratios, mean(c)/median(n))
		}
	}
	slices.Sort(ratios)
	t.Logf("queue-time-trend: crunch p95 / normal p95 per series: %.1f", ratios)
	if len(ratios) == 0 || median(ratios) < 3 {
		t.Errorf("queue crunch p95 ratios %.1f: want a median ≥ 3", ratios)
	}
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
