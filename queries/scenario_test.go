package queries_test

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/buildlake/buildlake/queries"
)

// TestScenarioFindsGroundTruth runs the queries the simulator will be scored on against
// testdata/scenario.sql, a history built like the simulator's ground truth, and prints the scores
// the acceptance asks for: flaky-tests precision and recall (the broken test must not count),
// the regression's step and date within a day, and the queue crunch's p95 against normal.
func TestScenarioFindsGroundTruth(t *testing.T) {
	db := openFixture(t, "scenario")
	ctx := context.Background()
	window := queries.Params{Since: day("2026-03-01"), Until: day("2026-05-01")}
	run := func(name string, p queries.Params) *queries.Result {
		t.Helper()
		res, err := queries.Run(ctx, db, name, p)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	col := func(res *queries.Result, name string) int {
		i := slices.Index(res.Columns, name)
		if i < 0 {
			t.Fatalf("no column %s in %v", name, res.Columns)
		}
		return i
	}

	// flaky-tests: truth = T0, T1, T2 in each project; T3 is broken, not flaky.
	p := window
	p.Limit = 100
	ft := run("flaky-tests", p)
	truth := map[string]bool{}
	for _, proj := range []string{"p0", "p1", "p2"} {
		for _, name := range []string{"T0", "T1", "T2"} {
			truth["github/sim/"+proj+" "+name] = true
		}
	}
	hits := 0
	for _, row := range ft.Rows {
		key := row[col(ft, "project_slug")].(string) + " " + row[col(ft, "name")].(string)
		if truth[key] {
			hits++
		} else {
			t.Errorf("flaky-tests lists %s, which is not flaky", key)
		}
	}
	precision := float64(hits) / float64(max(len(ft.Rows), 1))
	recall := float64(hits) / float64(len(truth))
	t.Logf("flaky-tests: precision %.2f recall %.2f (%d listed, %d true)", precision, recall, len(ft.Rows), len(truth))
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("flaky-tests precision %.2f recall %.2f, want >= 0.95", precision, recall)
	}
	// Flaky tests fail on about 20% of their runs.
	for _, row := range ft.Rows {
		if rate := row[col(ft, "failure_rate")].(float64); rate < 0.1 || rate > 0.3 {
			t.Errorf("failure_rate %v out of 10-30%%: %v", rate, row)
		}
	}

	// flaky-jobs: the flaky tests make job 'test' flaky in every project.
	fj := run("flaky-jobs", window)
	if len(fj.Rows) != 3 {
		t.Errorf("flaky-jobs: %d rows, want test in 3 projects: %v", len(fj.Rows), fj.Rows)
	}

	// duration-regressions: p0 test / Run tests, 1.7x from 2026-04-10.
	dr := run("duration-regressions", window)
	var found bool
	for _, row := range dr.Rows {
		if row[0] != "github/sim/p0" {
			t.Errorf("false regression: %v", row)
			continue
		}
		changed := row[col(dr, "changed_on")].(time.Time)
		off := changed.Sub(day("2026-04-10")).Hours() / 24
		t.Logf("duration-regressions: %v step %v changed_on %s (%+.0f days) change %v%%", row[1], row[2], changed.Format(time.DateOnly), off, row[col(dr, "change_pct")])
		if row[2] == "Run tests" {
			found = true
		}
		if off < -1 || off > 1 {
			t.Errorf("changed_on %s, want 2026-04-10 within a day", changed.Format(time.DateOnly))
		}
	}
	if !found {
		t.Errorf("regression of Run tests not found: %v", dr.Rows)
	}

	// queue-time-trend by day: crunch days' p95 against the median of the other days' p95.
	qp := window
	qp.Period = "day"
	qt := run("queue-time-trend", qp)
	var normal, crunch []float64
	for _, row := range qt.Rows {
		d := row[col(qt, "period_start")].(time.Time)
		v := row[col(qt, "p95_queue_seconds")].(float64)
		if !d.Before(day("2026-03-21")) && d.Before(day("2026-03-24")) {
			crunch = append(crunch, v)
		} else {
			normal = append(normal, v)
		}
	}
	sort.Float64s(normal)
	if len(crunch) == 0 || len(normal) == 0 {
		t.Fatalf("queue-time-trend: %d crunch, %d normal rows", len(crunch), len(normal))
	}
	median := normal[len(normal)/2]
	for _, v := range crunch {
		t.Logf("queue-time-trend: crunch p95 %s s = %.1fx the normal %s s", strconv.FormatFloat(v, 'f', 1, 64), v/median, strconv.FormatFloat(median, 'f', 1, 64))
		if v < 3*median {
			t.Errorf("crunch p95 %v < 3x normal %v", v, median)
		}
	}
}
