package dashboards

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/buildlake/buildlake/load"
	"github.com/buildlake/buildlake/queries"
)

// TestFlakyTestLinksUseTestID: the link query keys tests as flaky-tests does, by test_id, so
// same-named tests in different files neither merge nor borrow each other's builds.
//
//	rev r1: build 1 Same.test_x in a.py (id xa) fails, build 2 the one in b.py (id xb) passes:
//	        two different tests, neither flaky (by classname + name it would look flaky).
//	rev r2: build 3 Same.test_z in a.py (id za) fails, build 4 za passes -> flaky;
//	        build 5 (later) the one in b.py (id zb) fails and never passes: not flaky, and its
//	        failing build must not become za's link (the latest failure by name would be 5).
//
// So flaky-tests lists exactly za, and its links are failed #3, passed #4.
func TestFlakyTestLinksUseTestID(t *testing.T) {
	ctx := context.Background()
	store, err := load.Open(ctx, filepath.Join(t.TempDir(), "links.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db := store.DB()
	if _, err := db.ExecContext(ctx, `
INSERT INTO builds (project_slug, build_num, vcs_revision, branch, status, outcome, queued_at, build_url) VALUES
  ('github/acme/api', 1, 'r1', 'main', 'failed', 'failed', '2026-02-20 10:00:00', 'https://circleci.com/gh/acme/api/1'),
  ('github/acme/api', 2, 'r1', 'main', 'success', 'success', '2026-02-20 11:00:00', 'https://circleci.com/gh/acme/api/2'),
  ('github/acme/api', 3, 'r2', 'main', 'failed', 'failed', '2026-02-21 10:00:00', 'https://circleci.com/gh/acme/api/3'),
  ('github/acme/api', 4, 'r2', 'main', 'success', 'success', '2026-02-21 11:00:00', 'https://circleci.com/gh/acme/api/4'),
  ('github/acme/api', 5, 'r2', 'main', 'failed', 'failed', '2026-02-21 12:00:00', 'https://circleci.com/gh/acme/api/5');
INSERT INTO tests (project_slug, build_num, test_index, test_id, classname, file, name, result) VALUES
  ('github/acme/api', 1, 0, 'xa', 'Same', 'a.py', 'test_x', 'failure'),
  ('github/acme/api', 2, 0, 'xb', 'Same', 'b.py', 'test_x', 'success'),
  ('github/acme/api', 3, 0, 'za', 'Same', 'a.py', 'test_z', 'failure'),
  ('github/acme/api', 4, 0, 'za', 'Same', 'a.py', 'test_z', 'success'),
  ('github/acme/api', 5, 0, 'zb', 'Same', 'b.py', 'test_z', 'failure');`); err != nil {
		t.Fatal(err)
	}
	p := queries.Params{Since: fixtureNow.AddDate(0, 0, -14), Until: fixtureNow, Period: "day"}
	links, err := loadTable(ctx, db, "flaky_test_builds", p)
	if err != nil {
		t.Fatal(err)
	}
	flaky, err := runCanned(ctx, db, "flaky-tests", withLimit(p, 100))
	if err != nil {
		t.Fatal(err)
	}
	col := func(tb table, row int, name string) any {
		for i, c := range tb.Columns {
			if c == name {
				return tb.Rows[row][i]
			}
		}
		t.Fatalf("no column %s in %v", name, tb.Columns)
		return nil
	}
	if len(flaky.Rows) != 1 || col(flaky, 0, "test_id") != "za" {
		t.Fatalf("flaky-tests rows %v, want only za", flaky.Rows)
	}
	if len(links.Rows) != 1 {
		t.Fatalf("flaky_test_builds rows %v, want one (za)", links.Rows)
	}
	if col(links, 0, "test_id") != "za" || col(links, 0, "failed_build_num") != int64(3) || col(links, 0, "passed_build_num") != int64(4) {
		t.Errorf("links %v %v: want za, failed #3, passed #4", links.Columns, links.Rows[0])
	}
}
