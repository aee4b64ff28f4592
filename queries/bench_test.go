package queries_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/buildlake/buildlake/queries"
)

// benchEnd is the end of the synthetic history; it spans the 120 days before it.
var benchEnd = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// syntheticSQL fills the tables with N builds (20 steps and T tests each; the format verbs are
// N, T and the end time) across 10 projects, 6 jobs and 120 days, from range() and hash(): no
// Go loop, so a million builds take seconds. Revisions have 4 builds of one project and job each
// (so retries on one revision exist); outcomes are 85% success, 10% failed, 3% canceled, 2%
// infrastructure_fail.
const syntheticSQL = `
INSERT INTO projects (project_slug, default_branch)
SELECT 'github/org/p' || i, 'main' FROM range(10) t(i);

INSERT INTO builds (project_slug, build_num, job_name, vcs_revision, branch, status, outcome,
    resource_class, parallel, retry_of, usage_queued_at, queued_at, start_time, stop_time,
    build_time_millis, usage_queue_millis, run_queue_millis, queue_millis)
SELECT 'github/org/p' || (hash(b // 4, 'p') %% 10), b,
       'job' || (hash(b // 4, 'job') %% 6),
       'rev' || (b // 4),
       CASE WHEN hash(b // 4, 'branch') %% 10 < 7 THEN 'main' ELSE 'feature' || (hash(b // 4) %% 50) END,
       o, o,
       CASE WHEN hash(b, 'rc') %% 3 = 0 THEN 'large' ELSE 'medium' END,
       1 + hash(b, 'par') %% 4,
       CASE WHEN b %% 4 > 0 AND hash(b, 'retry') %% 10 = 0 THEN b - 1 END,
       t0, t0 + to_milliseconds(uq), t0 + to_milliseconds(uq + rq), t0 + to_milliseconds(uq + rq + bt),
       bt, uq, rq, uq + rq
FROM (
    SELECT b,
           TIMESTAMP '%[3]s' - to_days(120) + to_microseconds((b * (120 * 86400000000 // %[1]d))::BIGINT) AS t0,
           CASE WHEN hash(b, 'o') %% 100 < 85 THEN 'success'
                WHEN hash(b, 'o') %% 100 < 95 THEN 'failed'
                WHEN hash(b, 'o') %% 100 < 98 THEN 'canceled'
                ELSE 'infrastructure_fail' END AS o,
           (hash(b, 'uq') %% 20000)::BIGINT AS uq,
           (hash(b, 'rq') %% 60000)::BIGINT AS rq,
           (60000 + hash(b, 'bt') %% 540000)::BIGINT AS bt
    FROM range(%[1]d) t(b)
);

INSERT INTO steps (project_slug, build_num, step_index, node_index, name, run_time_millis, background)
SELECT 'github/org/p' || (hash((s // 20) // 4, 'p') %% 10), s // 20, s %% 20, 0,
       'step ' || (s %% 20), (hash(s) %% 30000)::BIGINT, s %% 20 = 19
FROM range(%[1]d * 20) t(s);

INSERT INTO tests (project_slug, build_num, test_index, test_id, classname, file, name, result, run_time_millis)
SELECT 'github/org/p' || (hash((x // %[2]d) // 4, 'p') %% 10), x // %[2]d, x %% %[2]d,
       'job' || (hash((x // %[2]d) // 4, 'job') %% 6) || '/t' || (x %% %[2]d),
       'pkg.T' || (x %% %[2]d), 't.go', 'Test' || (x %% %[2]d),
       CASE WHEN hash(x, 'r') %% 100 < 97 THEN 'success' WHEN hash(x, 'r') %% 100 < 99 THEN 'failure' ELSE 'skipped' END,
       (hash(x) %% 2000)::BIGINT
FROM range(%[1]d * %[2]d) t(x);
`

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkQueries runs every canned query over synthetic data. Size it with
// BUILDLAKE_BENCH_BUILDS (default 20000; the acceptance size is 1000000 = 20M steps) and
// BUILDLAKE_BENCH_TESTS (tests per build, default 5). BUILDLAKE_BENCH_DB keeps the generated
// database at that path and reuses it on the next run (generation dominates at full size).
func BenchmarkQueries(b *testing.B) {
	builds := envInt("BUILDLAKE_BENCH_BUILDS", 20000)
	tests := envInt("BUILDLAKE_BENCH_TESTS", 5)
	db := benchDB(b, builds, tests)
	ctx := context.Background()
	for _, q := range queries.List() {
		b.Run(q.Name, func(b *testing.B) {
			var rows int
			for b.Loop() {
				res, err := queries.Run(ctx, db, q.Name, queries.Params{Until: benchEnd})
				if err != nil {
					b.Fatal(err)
				}
				rows = len(res.Rows)
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

func benchDB(b *testing.B, builds, tests int) *sql.DB {
	b.Helper()
	path := os.Getenv("BUILDLAKE_BENCH_DB")
	if path != "" {
		if _, err := os.Stat(path); err == nil {
			db, err := sql.Open("duckdb", path)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		}
	}
	start := time.Now()
	var db *sql.DB
	if path == "" {
		db = openFixture(b, "")
	} else {
		db = openFixtureAt(b, path)
	}
	text := fmt.Sprintf(syntheticSQL, builds, tests, benchEnd.Format(time.DateTime))
	if _, err := db.ExecContext(context.Background(), text); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d builds, %d steps, %d tests in %v", builds, builds*20, builds*tests, time.Since(start).Round(time.Millisecond))
	return db
}
