-- Fixture for flaky-tests; the expected answer is worked out in golden_test.go.
INSERT INTO builds (project_slug, build_num, job_name, vcs_revision, branch, status, outcome, usage_queued_at, queued_at) VALUES
  ('github/acme/api', 1, 'test', 'r1', 'main', 'failed',  'failed',  '2026-01-10 10:00:00', '2026-01-10 10:00:05'),
  ('github/acme/api', 2, 'test', 'r1', 'main', 'success', 'success', '2026-01-10 11:00:00', '2026-01-10 11:00:05'),
  ('github/acme/api', 3, 'test', 'r2', 'main', 'failed',  'failed',  '2026-01-11 10:00:00', '2026-01-11 10:00:05'),
  ('github/acme/api', 4, 'test', 'r2', 'main', 'success', 'success', NULL,                  '2026-01-11 11:00:00'),
  ('github/acme/api', 5, 'test', 'r3', 'main', 'failed',  'failed',  '2026-01-12 10:00:00', '2026-01-12 10:00:05'),
  ('github/acme/api', 6, 'test', 'r1', 'main', 'success', 'success', '2025-12-20 10:00:00', '2025-12-20 10:00:05'),
  ('github/acme/web', 10, 'test', 'w1', 'main', 'failed',  'failed',  '2026-01-15 10:00:00', NULL),
  ('github/acme/web', 11, 'test', 'w1', 'main', 'success', 'success', '2026-01-15 12:00:00', NULL);

INSERT INTO tests (project_slug, build_num, test_index, test_id, classname, file, name, result) VALUES
  -- A: flaky on r1 (fail, pass); r2 passes twice; r3 fails once (alone on its revision).
  ('github/acme/api', 1, 0, 'tA', 'pkg.A', 'a_test.go', 'TestA', 'failure'),
  ('github/acme/api', 2, 0, 'tA', 'pkg.A', 'a_test.go', 'TestA', 'success'),
  ('github/acme/api', 3, 0, 'tA', 'pkg.A', 'a_test.go', 'TestA', 'success'),
  ('github/acme/api', 4, 0, 'tA', 'pkg.A', 'a_test.go', 'TestA', 'success'),
  ('github/acme/api', 5, 0, 'tA', 'pkg.A', 'a_test.go', 'TestA', 'failure'),
  ('github/acme/api', 6, 0, 'tA', 'pkg.A', 'a_test.go', 'TestA', 'failure'),
  -- B: broken, fails on every run of every revision: never flaky.
  ('github/acme/api', 1, 1, 'tB', 'pkg.B', 'b_test.go', 'TestB', 'failure'),
  ('github/acme/api', 2, 1, 'tB', 'pkg.B', 'b_test.go', 'TestB', 'failure'),
  ('github/acme/api', 3, 1, 'tB', 'pkg.B', 'b_test.go', 'TestB', 'error'),
  ('github/acme/api', 4, 1, 'tB', 'pkg.B', 'b_test.go', 'TestB', 'failure'),
  -- C: skipped on build 1 (neither pass nor fail), flaky on r2.
  ('github/acme/api', 1, 2, 'tC', 'pkg.C', 'c_test.go', 'TestC', 'skipped'),
  ('github/acme/api', 2, 2, 'tC', 'pkg.C', 'c_test.go', 'TestC', 'success'),
  ('github/acme/api', 3, 2, 'tC', 'pkg.C', 'c_test.go', 'TestC', 'failure'),
  ('github/acme/api', 4, 2, 'tC', 'pkg.C', 'c_test.go', 'TestC', 'success'),
  -- D: no test_id (keyed by classname::file::name), error then success on r2.
  ('github/acme/api', 3, 3, NULL, 'pkg.D', 'd_test.go', 'TestD', 'error'),
  ('github/acme/api', 4, 3, NULL, 'pkg.D', 'd_test.go', 'TestD', 'success'),
  ('github/acme/api', 5, 3, NULL, 'pkg.D', 'd_test.go', 'TestD', 'success'),
  -- E: another project, flaky on w1.
  ('github/acme/web', 10, 0, 'tE', 'web.E', 'e.spec.js', 'renders', 'failure'),
  ('github/acme/web', 11, 0, 'tE', 'web.E', 'e.spec.js', 'renders', 'success');
