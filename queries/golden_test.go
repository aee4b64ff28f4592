package queries_test

import (
	"context"
	"testing"

	"github.com/buildlake/buildlake/queries"
)

// Each test below runs one query on testdata/<query>.sql. The wanted rows were worked out by hand
// from the fixture, as the comments show; they were not copied from the query's output.

func TestFlakyTests(t *testing.T) {
	header := []string{"project_slug", "classname", "name", "file", "flaky_revisions", "runs", "failures", "failure_rate", "last_flaky_at", "test_id"}
	// January window (build 6, 2025-12-20, is outside):
	//   A: r1 = b1 failure + b2 success -> flaky; r2 = success, success; r3 = b5 failure alone.
	//      runs 5 (b1..b5), failures 2 (b1, b5), rate 0.4; last flaky build b2 at 01-10 11:00
	//      (its usage_queued_at).
	//   B: fails on every run -> not flaky (broken, not flaky).
	//   C: b1 skipped (not a run); r1 = success only; r2 = b3 failure + b4 success -> flaky.
	//      runs 3, failures 1, rate 1/3 = 0.3333; last flaky build b4 at 01-11 11:00 (queued_at,
	//      no usage_queued_at).
	//   D: no test_id; r2 = b3 error + b4 success -> flaky; r3 = success. runs 3, failures 1.
	//   E (web): w1 = failure + success -> flaky. runs 2, failures 1, rate 0.5, last 01-15 12:00.
	// Order: failures descending (A has 2), then project, classname: A, C, D, E. test_id is the
	// stored one (tA, tC, tE), else classname::file::name (D).
	a := []string{"github/acme/api", "pkg.A", "TestA", "a_test.go", "1", "5", "2", "0.4", "2026-01-10T11:00:00Z", "tA"}
	c := []string{"github/acme/api", "pkg.C", "TestC", "c_test.go", "1", "3", "1", "0.3333", "2026-01-11T11:00:00Z", "tC"}
	d := []string{"github/acme/api", "pkg.D", "TestD", "d_test.go", "1", "3", "1", "0.3333", "2026-01-11T11:00:00Z", "pkg.D::d_test.go::TestD"}
	e := []string{"github/acme/web", "web.E", "renders", "e.spec.js", "1", "2", "1", "0.5", "2026-01-15T12:00:00Z", "tE"}
	// Default window for until 01-25 is the 14 days from 01-11 00:00: b1 and b2 drop out, so A
	// keeps r2 (pass, pass) and r3 (fail): not flaky. C keeps b3 failure + b4 success: runs 2,
	// failures 1, rate 0.5. D and E unchanged.
	c14 := []string{"github/acme/api", "pkg.C", "TestC", "c_test.go", "1", "2", "1", "0.5", "2026-01-11T11:00:00Z", "tC"}
	runGolden(t, "flaky-tests", header, []goldenCase{
		{"january", january, [][]string{a, c, d, e}},
		{"default 14 days", queries.Params{Until: day("2026-01-25")}, [][]string{c14, d, e}},
		{"project", with(func(p *queries.Params) { p.Project = "github/acme/api" }), [][]string{a, c, d}},
		{"branch", with(func(p *queries.Params) { p.Branch = "feature" }), nil},
		{"limit", with(func(p *queries.Params) { p.Limit = 1 }), [][]string{a}},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
		{"injection in branch", with(func(p *queries.Params) { p.Branch = injection }), nil},
	})
}

func TestFlakyJobs(t *testing.T) {
	header := []string{"project_slug", "job_name", "flaky_revisions", "runs", "failures", "passed_on_retry", "last_flaky_at"}
	// api/test: r1 = 20 failed, 21 success (a retry) -> flaky, passed after a failure.
	//   r2 = 22 failed, 23 canceled (not counted), 24 failed -> only failures, not flaky.
	//   r3 = 25 success, 26 status fixed (pass), 27 infrastructure_fail (not counted) -> not flaky.
	//   r4 = 28 success, 29 timedout (a failure) -> flaky, but the pass came first.
	//   flaky_revisions 2, runs = 20,21,22,24,25,26,28,29 = 8, failures = 20,22,24,29 = 4,
	//   passed_on_retry 1 (r1), last flaky build 29 at 09:00.
	// api/build: fails on every run of r1 -> not flaky. api/deploy: infra fail then success ->
	//   the infra fail does not count, so not flaky.
	// web/test: w1 = 40 success, 41 failed, 42 success -> flaky, passed on retry (42 > 41);
	//   runs 3, failures 1, last 42 at 01-12 02:00.
	api := []string{"github/acme/api", "test", "2", "8", "4", "1", "2026-01-10T09:00:00Z"}
	web := []string{"github/acme/web", "test", "1", "3", "1", "1", "2026-01-12T02:00:00Z"}
	runGolden(t, "flaky-jobs", header, []goldenCase{
		{"january", january, [][]string{api, web}},
		{"project", with(func(p *queries.Params) { p.Project = "github/acme/web" }), [][]string{web}},
		// Default window for until 01-25 is from 01-11: only web's builds remain.
		{"default 14 days", queries.Params{Until: day("2026-01-25")}, [][]string{web}},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
	})
}

func TestDurationTrend(t *testing.T) {
	header := []string{"project_slug", "job_name", "period_start", "builds", "p50_seconds", "p95_seconds", "change_pct"}
	// Passing builds only; 4 (failed) and 5 (canceled) are out, 6 has a negative duration, 11 is
	// before the window.
	// build, week of Mon 01-05: 60, 120, 180 s (build 3 is Sunday 23:59:59, status fixed).
	//   p50 120; p95 = 120 + 0.9 * (180 - 120) = 174 (linear interpolation at 0.95 * 2 = 1.9).
	// build, week of 01-12: 90, 150, build 9 with no build_time_millis but 4 minutes between
	//   start and stop = 240 s, and build 12 (status fixed, outcome and canceled NULL: it passed,
	//   as success-rate counts it) 200 s. Sorted 90, 150, 200, 240: p50 = (150+200)/2 = 175;
	//   p95 at 0.95 * 3 = 2.85 -> 200 + 0.85 * 40 = 234; change = (175-120)/120 = 45.83 -> 45.8%.
	// lint, week of 01-12 (branch feature): one build, 30 s.
	// By month: build = 60, 90, 120, 150, 180, 200, 240: p50 = 150 (the 4th of 7),
	//   p95 at 0.95 * 6 = 5.7 -> 200 + 0.7 * 40 = 228.
	lint := []string{"github/acme/api", "lint", "2026-01-12", "1", "30", "30", ""}
	runGolden(t, "duration-trend", header, []goldenCase{
		{"weekly", january, [][]string{
			{"github/acme/api", "build", "2026-01-05", "3", "120", "174", ""},
			{"github/acme/api", "build", "2026-01-12", "4", "175", "234", "45.8"},
			lint,
		}},
		{"monthly", with(func(p *queries.Params) { p.Period = "month" }), [][]string{
			{"github/acme/api", "build", "2026-01-01", "7", "150", "228", ""},
			{"github/acme/api", "lint", "2026-01-01", "1", "30", "30", ""},
		}},
		{"branch", with(func(p *queries.Params) { p.Branch = "feature" }), [][]string{lint}},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
	})
}

func TestQueueTimeTrend(t *testing.T) {
	header := []string{"project_slug", "resource_class", "period_start", "builds", "p50_queue_seconds", "p95_queue_seconds", "p50_usage_queue_seconds", "p50_run_queue_seconds"}
	// Daily. medium 01-10: builds 1-4 (any outcome, 3 is canceled). queue 10, 20, 30 s (4's is
	//   negative -> left out): p50 20, p95 = 20 + 0.9 * 10 = 29. usage 4, 5, 1 (3's NULL): p50 4.
	//   run 6, 15, 30 (4's NULL): p50 15. Build 4 still counts in builds: it has a usage queue.
	// medium 01-11: build 6 alone: 100, 100, 20, 80.
	// large 01-10: build 7 has no queue data at all (not run) -> not counted; build 8: 5, 5, 0, 5.
	// NULL resource class, 01-10: build 9: 2, 2, 1, 1; sorted last.
	// Weekly (01-10 and 01-11 are Sat and Sun of the week of 01-05): medium = queue 10, 20, 30,
	//   100: p50 25, p95 at 2.85 -> 30 + 0.85 * 70 = 89.5; usage 1, 4, 5, 20: 4.5; run 6, 15,
	//   30, 80: 22.5; builds 5.
	runGolden(t, "queue-time-trend", header, []goldenCase{
		{"daily", with(func(p *queries.Params) { p.Period = "day" }), [][]string{
			{"github/acme/api", "large", "2026-01-10", "1", "5", "5", "0", "5"},
			{"github/acme/api", "medium", "2026-01-10", "4", "20", "29", "4", "15"},
			{"github/acme/api", "medium", "2026-01-11", "1", "100", "100", "20", "80"},
			{"github/acme/api", "", "2026-01-10", "1", "2", "2", "1", "1"},
		}},
		{"weekly", january, [][]string{
			{"github/acme/api", "large", "2026-01-05", "1", "5", "5", "0", "5"},
			{"github/acme/api", "medium", "2026-01-05", "5", "25", "89.5", "4.5", "22.5"},
			{"github/acme/api", "", "2026-01-05", "1", "2", "2", "1", "1"},
		}},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
	})
}

func TestSuccessRate(t *testing.T) {
	header := []string{"project_slug", "job_name", "period_start", "runs", "successes", "failures", "success_rate", "excluded"}
	// api/test week of 01-05: pass = 1 (success), 2 (status fixed, no outcome); fail = 3
	//   (failed), 4 (timedout); excluded = 5 (canceled), 6 (infrastructure_fail), 7 (not_run),
	//   9 (status retried, outcome infrastructure_fail); 8 is still running: ignored.
	//   runs 4, rate 2/4 = 0.5, excluded 4.
	// api/test week of 01-12: 10, 11, 12 pass, 13 (Sunday 01-18 23:00) fails: 4 runs, 0.75.
	// web/e2e week of 01-12: one failure: rate 0.
	runGolden(t, "success-rate", header, []goldenCase{
		{"weekly", january, [][]string{
			{"github/acme/api", "test", "2026-01-05", "4", "2", "2", "0.5", "4"},
			{"github/acme/api", "test", "2026-01-12", "4", "3", "1", "0.75", "0"},
			{"github/acme/web", "e2e", "2026-01-12", "1", "0", "1", "0", "0"},
		}},
		// until is exclusive: 01-18 23:00 (build 13) is outside [.., 01-18 00:00).
		{"until", with(func(p *queries.Params) { p.Until = day("2026-01-18"); p.Project = "github/acme/api" }), [][]string{
			{"github/acme/api", "test", "2026-01-05", "4", "2", "2", "0.5", "4"},
			{"github/acme/api", "test", "2026-01-12", "3", "3", "0", "1", "0"},
		}},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
	})
}

func TestSlowestSteps(t *testing.T) {
	header := []string{"project_slug", "job_name", "step_name", "runs", "p50_seconds", "p95_seconds", "total_hours"}
	// Build 4 (with the 9999 s step) is before the window. Background "Services" and "Weird"
	// (negative run time, no start/end) are left out.
	// test/Run tests: 100, 200 (two nodes of build 1), 300 (build 2, failed: still counts):
	//   p50 200, p95 = 200 + 0.9 * 100 = 290, total 600 s = 0.1667 h -> 0.167.
	// lint/Lint: 60 s: 60, 60, 0.0167 h -> 0.017.
	// test/Spin up: 5, 7: p50 6, p95 = 5 + 0.95 * 2 = 6.9, 12 s = 0.00333 h -> 0.003.
	// test/Upload: no run time, end - start = 3 s: 3, 3, 0.00083 h -> 0.001.
	// lint/Spin up: 2 s: 2, 2, 0.00056 h -> 0.001.
	all := [][]string{
		{"github/acme/api", "test", "Run tests", "3", "200", "290", "0.167"},
		{"github/acme/api", "lint", "Lint", "1", "60", "60", "0.017"},
		{"github/acme/api", "test", "Spin up", "2", "6", "6.9", "0.003"},
		{"github/acme/api", "test", "Upload", "1", "3", "3", "0.001"},
		{"github/acme/api", "lint", "Spin up", "1", "2", "2", "0.001"},
	}
	runGolden(t, "slowest-steps", header, []goldenCase{
		{"january", january, all},
		{"limit", with(func(p *queries.Params) { p.Limit = 2 }), all[:2]},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
	})
}

func TestMTTR(t *testing.T) {
	header := []string{"project_slug", "incidents", "median_recovery_hours", "mean_recovery_hours", "open_incidents"}
	// api, default branch main. build job: 1 pass; 2 fails after a pass -> incident, failed at
	//   01:10; 3 fails again (same incident); 4 canceled (skipped); 5 passes, done 04:10 -> 3 h.
	//   6 fails -> incident at 00:10, 7 passes done 01:40 -> 1.5 h. 8 is on feature (ignored).
	//   9 fails -> incident never recovered (open).
	//   deploy job: 10 fails (first build: an incident) done 05:20, 11 passes done 05:50 -> 0.5 h.
	//   incidents 4, recovered 3, 1.5, 0.5: median 1.5, mean 5/3 = 1.667, open 1.
	// web, default branch unknown -> main or master: 20 fails done 10:00, 21 passes done 16:00 ->
	//   6 h. 22 on develop ignored.
	// --branch feature: api build 8 fails, no later pass on feature: 1 open incident.
	runGolden(t, "mttr", header, []goldenCase{
		{"default branch", january, [][]string{
			{"github/acme/api", "4", "1.5", "1.667", "1"},
			{"github/acme/web", "1", "6", "6", "0"},
		}},
		{"branch override", with(func(p *queries.Params) { p.Branch = "feature" }), [][]string{
			{"github/acme/api", "1", "", "", "1"},
		}},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
		{"injection in branch", with(func(p *queries.Params) { p.Branch = injection }), nil},
	})
}

func TestWastedTime(t *testing.T) {
	header := []string{"project_slug", "period_start", "builds", "wasted_builds", "failed_hours", "canceled_hours", "infrastructure_hours", "retried_hours", "wasted_hours", "total_hours", "wasted_pct"}
	// api week of 01-05 (machine hours = duration x parallelism):
	//   1 success 1 h x 2 = 2 h (not wasted); 2 failed 0.5 h x 2 = 1 h failed; 3 canceled 0.5 h;
	//   4 not_run 0 h (canceled bucket, still a wasted build); 5 infrastructure_fail, no
	//   build_time, 30 min between start and stop = 0.5 h; 6 success 1 h but retried by 7 ->
	//   1 h retried; 7 success 1 h; 8 negative duration = 0 h.
	//   builds 8, wasted 2,3,4,5,6 = 5; wasted 1 + 0.5 + 0.5 + 1 = 3 h of 6 h = 50%.
	// api week of 01-12: 9 timed out, 1 h failed: 100%.
	// web: 20 status retried with outcome infrastructure_fail: infrastructure first, 0.2 h.
	runGolden(t, "wasted-time", header, []goldenCase{
		{"weekly", january, [][]string{
			{"github/acme/api", "2026-01-05", "8", "5", "1", "0.5", "0.5", "1", "3", "6", "50"},
			{"github/acme/api", "2026-01-12", "1", "1", "1", "0", "0", "0", "1", "1", "100"},
			{"github/acme/web", "2026-01-05", "1", "1", "0", "0", "0.2", "0", "0.2", "0.2", "100"},
		}},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
	})
}

func TestDurationRegressions(t *testing.T) {
	header := []string{"project_slug", "job_name", "step_name", "baseline_p50_seconds", "recent_p50_seconds", "change_pct", "changed_on"}
	// Candidates need 3 days each side: days 4..8. test/Run tests daily p50 = 100 x5, then 180 x5
	// (day 7: median of 170 and 190). Mean ratio after/before: day 5 -> (100+180*5)/6 / 100 =
	// 1.67; day 6 -> 180/100 = 1.8; day 7 -> 180 / ((100*5+180)/6) = 1.59. Best: day 6 (01-06).
	// Baseline median 100, recent 180: +80%.
	// test job (step NULL): 110 -> 190 the same way: +72.7% (190/110 = 1.7273), since 01-06.
	// test/Setup: 10 every day: ratio 1, not listed. The failed build 50 (1010 s, its 1000 s step)
	// is not measured. lint: 100 -> 110 is +10%: only listed with a threshold below 10.
	// deploy: status fixed with no outcome, so passing. Six days, the only candidate with 3 days
	// each side is day 4 (01-04): baseline median 100, recent 150: +50%, since 01-04.
	runTests := []string{"github/acme/api", "test", "Run tests", "100", "180", "80", "2026-01-06"}
	testJob := []string{"github/acme/api", "test", "", "110", "190", "72.7", "2026-01-06"}
	deploy := []string{"github/acme/api", "deploy", "", "100", "150", "50", "2026-01-04"}
	lint := []string{"github/acme/api", "lint", "", "100", "110", "10", "2026-01-06"}
	runGolden(t, "duration-regressions", header, []goldenCase{
		{"default threshold", january, [][]string{runTests, testJob, deploy}},
		{"threshold 5", with(func(p *queries.Params) { p.Threshold = 5 }), [][]string{runTests, testJob, deploy, lint}},
		{"threshold 75", with(func(p *queries.Params) { p.Threshold = 75 }), [][]string{runTests}},
		// A threshold set to 0 lists every rise: the same four rows as 5 (lint's +10% included).
		// Unset, 0 is the default 20.
		{"threshold 0", with(func(p *queries.Params) { p.Threshold, p.ThresholdSet = 0, true }), [][]string{runTests, testJob, deploy, lint}},
		{"threshold unset", with(func(p *queries.Params) { p.Threshold = 0 }), [][]string{runTests, testJob, deploy}},
		{"injection", with(func(p *queries.Params) { p.Project = injection }), nil},
	})
}

// TestRunAllIgnoresLimit: RunAll returns every row whatever the limit (the weekly duration-trend
// of the fixture has 3 rows, see TestDurationTrend); Run keeps to it.
func TestRunAllIgnoresLimit(t *testing.T) {
	db := openFixture(t, "duration-trend")
	p := with(func(p *queries.Params) { p.Limit = 1 })
	all, err := queries.RunAll(context.Background(), db, "duration-trend", p)
	if err != nil {
		t.Fatal(err)
	}
	one, err := queries.Run(context.Background(), db, "duration-trend", p)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Rows) != 3 || len(one.Rows) != 1 {
		t.Errorf("RunAll %d rows, Run %d rows; want 3 and 1", len(all.Rows), len(one.Rows))
	}
}
