package dashboards

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/queries"
)

// manyProjects is a closed database of 120 projects (github/o/p000 … p119) with jobs a, b and
// c, one passing 60 s build per job and day for the 30 days before fixtureNow (11:00 UTC, so
// 30 daily buckets in the default window), except p118 with 2 builds and p119 with 3 per job
// and day. Every build waited 10 s for concurrency and 5 s for a machine. That is 10,800 rows
// of daily duration-trend, more than a query's 10,000-row limit, ordered by project: a capped
// answer would lose the last projects, the busiest ones.
func manyProjects(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "many.duckdb")
	store, err := load.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.DB().ExecContext(ctx, `
INSERT INTO builds (project_slug, build_num, job_name, status, outcome, resource_class, usage_queued_at, queued_at,
                    start_time, build_time_millis, usage_queue_millis, run_queue_millis, queue_millis)
SELECT printf('github/o/p%03d', p), d * 100 + j * 10 + k, ['a', 'b', 'c'][j + 1], 'success', 'success', 'medium',
       TIMESTAMP '2026-03-01 11:00:00' - to_days(d::INTEGER),
       TIMESTAMP '2026-03-01 11:00:10' - to_days(d::INTEGER),
       TIMESTAMP '2026-03-01 11:00:15' - to_days(d::INTEGER), 60000, 10000, 5000, 15000
FROM range(120) a(p), range(30) b(d), range(3) c(j), range(3) e(k)
WHERE k < CASE p WHEN 119 THEN 3 WHEN 118 THEN 2 ELSE 1 END`)
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTrendsKeepEveryProject: the charts' data is reduced on the server instead of cut at a
// row limit, says what it left out, and stays small whatever the number of projects.
func TestTrendsKeepEveryProject(t *testing.T) {
	path := manyProjects(t)
	srv := newTestServer(t, path)

	// Every project: 360 (project, job) series; the 6 busiest are p119's (90 builds each)
	// and p118's (60 each), 30 days each = 180 rows.
	_, v := getJSON(t, srv, "/api/trend/duration-trend")
	if v["series_total"] != 360.0 || v["series_shown"] != 6.0 || v["truncated"] != true {
		t.Errorf("duration trend: series %v of %v, truncated %v; want 6 of 360, true", v["series_shown"], v["series_total"], v["truncated"])
	}
	if n := rowCount(t, v); n != 180 {
		t.Errorf("duration trend: %d rows, want 180", n)
	}
	for _, r := range v["rows"].([]any) {
		if p := r.([]any)[0]; p != "github/o/p119" && p != "github/o/p118" {
			t.Fatalf("duration trend row of %v, want only the busiest projects p118 and p119", p)
		}
	}

	// One project: its 3 jobs, nothing left out.
	_, v = getJSON(t, srv, "/api/trend/success-rate?project=github/o/p000")
	if v["series_total"] != 3.0 || v["truncated"] != false || rowCount(t, v) != 90 {
		t.Errorf("success rate of p000: %v series, truncated %v, %d rows; want 3, false, 90", v["series_total"], v["truncated"], rowCount(t, v))
	}

	// Queue: one row per day over all 120 projects: 118 x 3 + 2 x 3 + 3 x 3 = 369 builds a day,
	// usage queue 10 s, run queue 5 s.
	_, v = getJSON(t, srv, "/api/trend/queue-time-trend")
	if v["series_total"] != 120.0 || v["truncated"] != false || rowCount(t, v) != 30 {
		t.Errorf("queue trend: %v series, truncated %v, %d rows; want 120, false, 30", v["series_total"], v["truncated"], rowCount(t, v))
	}
	if r := v["rows"].([]any)[0].([]any); r[1] != 369.0 || r[2] != 10.0 || r[3] != 5.0 {
		t.Errorf("queue trend first day %v, want 369 builds, 10 s usage, 5 s run queue", r)
	}

	// A table cut at its limit says so.
	_, v = getJSON(t, srv, "/api/query/duration-trend?limit=10000")
	if rowCount(t, v) != 10000 || v["truncated"] != true {
		t.Errorf("duration-trend at limit 10000: %d rows, truncated %v; want 10000, true", rowCount(t, v), v["truncated"])
	}
	if status, v := getJSON(t, srv, "/api/trend/flaky-tests"); status != 404 {
		t.Errorf("/api/trend/flaky-tests: %d %v, want 404", status, v)
	}

	// The static report holds every project's charts (its project filter works offline).
	ro := &readOnlyDB{path: path}
	db, release, err := ro.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	p := queries.Params{Since: fixtureNow.Add(-defaultWindow), Until: fixtureNow, Period: "day"}
	d, err := collectStatic(context.Background(), db, p, flakyParams(p, false), fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range trendQueries {
		if got := len(d.Trends[name]); got != 121 {
			t.Errorf("static %s: %d projects, want 120 and all", name, got)
		}
		last := d.Trends[name]["github/o/p000"]
		if len(last.Rows) == 0 || last.Truncated {
			t.Errorf("static %s of p000: %d rows, truncated %v", name, len(last.Rows), last.Truncated)
		}
	}
	if !d.Trends["duration-trend"][""].Truncated || len(d.Trends["duration-trend"]["github/o/p000"].Rows) != 90 {
		t.Errorf("static duration trend: all projects not flagged, or p000 lacks its 90 rows")
	}
	b, _ := json.Marshal(d)
	t.Logf("static report data for 120 projects: %d KiB", len(b)/1024)
	if strings.Count(string(b), `"truncated":true`) == 0 {
		t.Errorf("static data flags nothing as truncated")
	}
}
