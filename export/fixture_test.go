package export

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/buildlake/buildlake/load"
)

// fixtureSQL fills every exported table: 6 projects, 40 builds each over about 10 days (some
// with NULL timestamps and text), 3 steps × 2 nodes per build, artifacts, tests; plus a build
// never queued (dated by extracted_at) and one with no timestamp at all (dated 1970-01-01).
var fixtureSQL = []string{
	`INSERT INTO projects SELECT 'github/acme/p' || i, 'github', 'acme', 'p' || i,
		'https://github.com/acme/p' || i, CASE WHEN i % 2 = 0 THEN 'main' END, i % 3 = 0, TRUE,
		TIMESTAMP '2026-03-01 12:00:00.123456' FROM range(6) r(i)`,
	`INSERT INTO builds (project_slug, build_num, vcs_type, username, reponame, branch, subject, status,
		outcome, parallel, job_name, retry_of, is_retry, canceled, usage_queued_at, queued_at,
		start_time, stop_time, build_time_millis, queue_millis, extracted_at)
	SELECT 'github/acme/p' || p, n, 'github', 'acme', 'p' || p,
		CASE WHEN n % 5 = 0 THEN NULL ELSE 'feature-' || (n % 4) END,
		'it''s build ' || n || ' ünïcode', CASE WHEN n % 7 = 0 THEN 'failed' ELSE 'success' END,
		CASE WHEN n % 7 = 0 THEN 'failed' ELSE 'success' END, 1 + n % 3, 'job-' || (n % 2),
		CASE WHEN n % 9 = 0 THEN n - 1 END, n % 9 = 0, CASE WHEN n % 11 = 0 THEN NULL ELSE FALSE END,
		CASE WHEN n % 6 = 0 THEN NULL ELSE TIMESTAMP '2026-02-01 00:00:00' + to_microseconds(n * 6 * 3600 * 1000000 + p * 1000 + 7) END,
		TIMESTAMP '2026-02-01 00:00:05' + to_microseconds(n * 6 * 3600 * 1000000 + p),
		TIMESTAMP '2026-02-01 00:01:00' + to_hours(n * 6),
		CASE WHEN n % 13 = 0 THEN NULL ELSE TIMESTAMP '2026-02-01 00:11:00' + to_hours(n * 6) END,
		600000 + n, CASE WHEN n % 6 = 0 THEN NULL ELSE 60000 END,
		TIMESTAMP '2026-03-01 12:00:00'
	FROM range(6) a(p), range(1, 41) b(n)`,
	`INSERT INTO builds (project_slug, build_num, status, extracted_at) VALUES
		('github/acme/p1', 900, 'not_run', TIMESTAMP '2026-02-20 23:59:59.999999'),
		('github/acme/p2', 901, NULL, NULL)`,
	`INSERT INTO steps SELECT b.project_slug, b.build_num, s, node, s + 100, 'step ' || s,
		CASE WHEN s = 0 THEN 'test' END, 'success', CASE WHEN s = 2 THEN b.build_num % 3 END,
		b.start_time + to_seconds(s * 10), b.start_time + to_seconds(s * 10 + 5), 5000, s = 2 AND node = 1,
		FALSE, NULL, FALSE, s = 1, TRUE
	FROM builds b, range(3) x(s), range(2) y(node)`,
	`INSERT INTO artifacts SELECT project_slug, build_num, 0, 'out/' || build_num || '.txt', 'out.txt',
		'https://example.test/' || build_num FROM builds WHERE build_num % 4 = 0`,
	`INSERT INTO tests SELECT b.project_slug, b.build_num, t, md5(t::VARCHAR), 'pkg.Class' || t, NULL,
		'test_' || t, CASE WHEN t = 3 AND b.build_num % 7 = 0 THEN 'failure' ELSE 'success' END, t * 10,
		CASE WHEN t = 3 THEN repeat('x', 50) END, 'junit', 'xml'
	FROM builds b, range(4) x(t)`,
}

// newFixtureDB creates a DuckDB file filled by fixtureSQL and returns its path and open store.
func newFixtureDB(t *testing.T) (string, *load.Store) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "buildlake.duckdb")
	s, err := load.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	execAll(t, s.DB(), fixtureSQL...)
	return path, s
}

func execAll(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
}
