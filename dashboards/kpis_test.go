package dashboards

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/buildlake/buildlake/load"
)

// kpiFixture is a closed database, relative to fixtureNow (2026-03-01 12:00):
//
//	builds 1-3 passed 3 days ago: 60 s, 120 s, and build 2 with no build_time_millis but 3
//	  minutes between start and stop (180 s, as duration-trend measures it); build 4 failed
//	  (1000 s, not a passing build). Median duration of passing builds: 60, 120, 180 -> 120 s.
//	test old: failed in build 5 and passed in build 6 on revision r-old, 20 days ago: flaky in a
//	  30-day window, not in the flaky panels' default 14 days.
//	test new: failed in build 7, passed in build 8 on r-new, 2 days ago: flaky in both.
//
// Builds 5-8 have no duration, so they leave the median alone.
func kpiFixture(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kpis.duckdb")
	store, err := load.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.DB().ExecContext(ctx, `
INSERT INTO builds (project_slug, build_num, vcs_revision, status, outcome, queued_at, start_time, stop_time, build_time_millis) VALUES
  ('github/acme/api', 1, 'r1', 'success', 'success', '2026-02-26 10:00:00', NULL, NULL, 60000),
  ('github/acme/api', 2, 'r1', 'success', 'success', '2026-02-26 11:00:00', '2026-02-26 11:00:10', '2026-02-26 11:03:10', NULL),
  ('github/acme/api', 3, 'r1', 'success', 'success', '2026-02-26 12:00:00', NULL, NULL, 120000),
  ('github/acme/api', 4, 'r1', 'failed', 'failed', '2026-02-26 13:00:00', NULL, NULL, 1000000),
  ('github/acme/api', 5, 'r-old', 'failed', 'failed', '2026-02-09 10:00:00', NULL, NULL, NULL),
  ('github/acme/api', 6, 'r-old', 'success', 'success', '2026-02-09 11:00:00', NULL, NULL, NULL),
  ('github/acme/api', 7, 'r-new', 'failed', 'failed', '2026-02-27 10:00:00', NULL, NULL, NULL),
  ('github/acme/api', 8, 'r-new', 'success', 'success', '2026-02-27 11:00:00', NULL, NULL, NULL);
INSERT INTO tests (project_slug, build_num, test_index, test_id, classname, file, name, result) VALUES
  ('github/acme/api', 5, 0, 'old', 'K', 'k.py', 'test_old', 'failure'),
  ('github/acme/api', 6, 0, 'old', 'K', 'k.py', 'test_old', 'success'),
  ('github/acme/api', 7, 0, 'new', 'K', 'k.py', 'test_new', 'failure'),
  ('github/acme/api', 8, 0, 'new', 'K', 'k.py', 'test_new', 'success');`)
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestKPIMedianDurationFallsBackToStopMinusStart: the KPI measures duration as duration-trend
// does, so a build without build_time_millis still counts (median 120 s, not 90 s).
func TestKPIMedianDurationFallsBackToStopMinusStart(t *testing.T) {
	srv := newTestServer(t, kpiFixture(t))
	status, v := getJSON(t, srv, "/api/kpis")
	k, _ := v["kpis"].(map[string]any)
	if status != 200 || k == nil {
		t.Fatalf("GET /api/kpis: %d %v", status, v)
	}
	if got := k["median_duration_seconds"]; got != 120.0 {
		t.Errorf("median_duration_seconds %v, want 120 (60, 120 and build 2's stop - start 180)", got)
	}
}

// TestFlakyPanelsUseFourteenDays: without since the page's window is 30 days but the flaky
// panels (KPI, tables, links) count 14, as the CLI and CircleCI Insights do, and say so; a
// chosen since applies to them too.
func TestFlakyPanelsUseFourteenDays(t *testing.T) {
	srv := newTestServer(t, kpiFixture(t))
	wantSince := fixtureNow.Add(-14 * 24 * time.Hour).Format(time.RFC3339)
	_, v := getJSON(t, srv, "/api/kpis")
	k := v["kpis"].(map[string]any)
	if k["flaky_tests"] != 1.0 || k["flaky_since"] != wantSince {
		t.Errorf("default KPIs: flaky_tests %v since %v, want 1 (test_new) since %s", k["flaky_tests"], k["flaky_since"], wantSince)
	}
	if p := v["params"].(map[string]any); p["since"] != fixtureNow.Add(-defaultWindow).Format(time.RFC3339) {
		t.Errorf("page window since %v, want the 30-day default", p["since"])
	}
	for _, path := range []string{"/api/query/flaky-tests", "/api/flaky-test-builds"} {
		_, v := getJSON(t, srv, path)
		if n := rowCount(t, v); n != 1 || v["params"].(map[string]any)["since"] != wantSince {
			t.Errorf("%s: %d rows since %v, want 1 since %s", path, n, v["params"].(map[string]any)["since"], wantSince)
		}
	}
	_, v = getJSON(t, srv, "/api/kpis?since=30d")
	if k := v["kpis"].(map[string]any); k["flaky_tests"] != 2.0 {
		t.Errorf("since=30d: flaky_tests %v, want 2 (test_old too)", k["flaky_tests"])
	}
	_, v = getJSON(t, srv, "/api/query/flaky-tests?since=30d")
	if n := rowCount(t, v); n != 2 {
		t.Errorf("flaky-tests since=30d: %d rows, want 2", n)
	}
}
