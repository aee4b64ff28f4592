-- Fixture for duration-trend; the expected answer is worked out in golden_test.go.
-- 2026-01-05 and 2026-01-12 are Mondays.
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, canceled, queued_at, start_time, stop_time, build_time_millis) VALUES
  ('github/acme/api', 1, 'build', 'main', 'success',  'success',  false, '2026-01-05 10:00:00', NULL, NULL, 60000),
  ('github/acme/api', 2, 'build', 'main', 'success',  'success',  false, '2026-01-06 10:00:00', NULL, NULL, 120000),
  ('github/acme/api', 3, 'build', 'main', 'fixed',    'success',  false, '2026-01-11 23:59:59', NULL, NULL, 180000),
  ('github/acme/api', 4, 'build', 'main', 'failed',   'failed',   false, '2026-01-07 10:00:00', NULL, NULL, 1000000),
  ('github/acme/api', 5, 'build', 'main', 'canceled', 'canceled', true,  '2026-01-07 11:00:00', NULL, NULL, 1000000),
  ('github/acme/api', 6, 'build', 'main', 'success',  'success',  false, '2026-01-08 10:00:00', NULL, NULL, -5),
  ('github/acme/api', 7, 'build', 'main', 'success',  'success',  false, '2026-01-12 00:00:00', NULL, NULL, 90000),
  ('github/acme/api', 8, 'build', 'main', 'success',  'success',  false, '2026-01-13 10:00:00', NULL, NULL, 150000),
  ('github/acme/api', 9, 'build', 'main', 'success',  'success',  false, '2026-01-14 10:00:00', '2026-01-14 10:00:00', '2026-01-14 10:04:00', NULL),
  ('github/acme/api', 10, 'lint', 'feature', 'success', 'success', false, '2026-01-15 10:00:00', NULL, NULL, 30000),
  ('github/acme/api', 11, 'build', 'main', 'success', 'success',  false, '2025-12-31 10:00:00', NULL, NULL, 999000);
-- Build 12 has status 'fixed' but no outcome and no canceled flag (NULLs): it passed.
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, canceled, queued_at, start_time, stop_time, build_time_millis) VALUES
  ('github/acme/api', 12, 'build', 'main', 'fixed', NULL, NULL, '2026-01-13 12:00:00', NULL, NULL, 200000);
