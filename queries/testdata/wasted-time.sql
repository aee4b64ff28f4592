-- Fixture for wasted-time; the expected answer is worked out in golden_test.go.
-- 3600000 ms = 1 hour. 2026-01-05 and 2026-01-12 are Mondays.
INSERT INTO builds (project_slug, build_num, branch, status, outcome, canceled, retry_of, parallel, queued_at, start_time, stop_time, build_time_millis) VALUES
  ('github/acme/api', 1, 'main', 'success',             'success',             false, NULL, 2,    '2026-01-05 01:00:00', NULL, NULL, 3600000),
  ('github/acme/api', 2, 'main', 'failed',              'failed',              false, NULL, 2,    '2026-01-05 02:00:00', NULL, NULL, 1800000),
  ('github/acme/api', 3, 'main', 'canceled',            'canceled',            true,  NULL, 1,    '2026-01-05 03:00:00', NULL, NULL, 1800000),
  ('github/acme/api', 4, 'main', 'not_run',             NULL,                  NULL,  NULL, NULL, '2026-01-05 04:00:00', NULL, NULL, 0),
  ('github/acme/api', 5, 'main', 'infrastructure_fail', 'infrastructure_fail', false, NULL, 1,    '2026-01-06 01:00:00', '2026-01-06 01:00:00', '2026-01-06 01:30:00', NULL),
  ('github/acme/api', 6, 'main', 'success',             'success',             false, NULL, NULL, '2026-01-06 02:00:00', NULL, NULL, 3600000),
  ('github/acme/api', 7, 'main', 'success',             'success',             false, 6,    1,    '2026-01-06 03:00:00', NULL, NULL, 3600000),
  ('github/acme/api', 8, 'main', 'success',             'success',             false, NULL, 1,    '2026-01-07 01:00:00', NULL, NULL, -5),
  ('github/acme/api', 9, 'main', 'timedout',            'timedout',            false, NULL, 1,    '2026-01-12 01:00:00', NULL, NULL, 3600000),
  ('github/acme/web', 20, 'main', 'retried',            'infrastructure_fail', false, NULL, 1,    '2026-01-07 01:00:00', NULL, NULL, 720000);
