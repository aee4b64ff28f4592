-- Fixture for duration-regressions; the expected answer is worked out in golden_test.go.
-- Ten days, 2026-01-01 .. 2026-01-10, one passing 'test' and one passing 'lint' build a day.
-- test: step Setup 10 s every day; step Run tests 100 s on days 1-5, 180 s on days 6-10;
--   job duration = their sum, 110 s then 190 s. Day 7 runs Run tests on two nodes: 170 s and
--   190 s (p50 180 s). A failed build on day 2 runs 1000 s (not measured), a step with a
--   negative run time on day 3 is ignored.
-- lint: 100 s on days 1-5, 110 s on days 6-10 (a 10% rise), no steps.
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, queued_at, build_time_millis)
SELECT 'github/acme/api', d, 'test', 'main', 'success', 'success',
       TIMESTAMP '2025-12-31 12:00:00' + to_days(d::INTEGER), CASE WHEN d <= 5 THEN 110000 ELSE 190000 END
FROM range(1, 11) t(d);
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, queued_at, build_time_millis)
SELECT 'github/acme/api', 100 + d, 'lint', 'main', 'success', 'success',
       TIMESTAMP '2025-12-31 13:00:00' + to_days(d::INTEGER), CASE WHEN d <= 5 THEN 100000 ELSE 110000 END
FROM range(1, 11) t(d);
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, queued_at, build_time_millis) VALUES
  ('github/acme/api', 50, 'test', 'main', 'failed', 'failed', '2026-01-02 18:00:00', 1010000);
INSERT INTO steps (project_slug, build_num, step_index, node_index, name, run_time_millis)
SELECT 'github/acme/api', d, 0, 0, 'Setup', 10000 FROM range(1, 11) t(d);
INSERT INTO steps (project_slug, build_num, step_index, node_index, name, run_time_millis)
SELECT 'github/acme/api', d, 1, 0, 'Run tests', CASE WHEN d <= 5 THEN 100000 WHEN d = 7 THEN 170000 ELSE 180000 END
FROM range(1, 11) t(d);
INSERT INTO steps (project_slug, build_num, step_index, node_index, name, run_time_millis) VALUES
  ('github/acme/api', 7,  1, 1, 'Run tests', 190000),
  ('github/acme/api', 3,  2, 0, 'Setup', -1),
  ('github/acme/api', 50, 0, 0, 'Setup', 10000),
  ('github/acme/api', 50, 1, 0, 'Run tests', 1000000);
-- deploy: six builds with status 'fixed' and no outcome (NULL), all passing: 100 s on days 1-3,
--   150 s on days 4-6.
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, queued_at, build_time_millis)
SELECT 'github/acme/api', 200 + d, 'deploy', 'main', 'fixed', NULL,
       TIMESTAMP '2025-12-31 14:00:00' + to_days(d::INTEGER), CASE WHEN d <= 3 THEN 100000 ELSE 150000 END
FROM range(1, 7) t(d);
