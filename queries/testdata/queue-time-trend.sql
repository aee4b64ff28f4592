-- Fixture for queue-time-trend; the expected answer is worked out in golden_test.go.
INSERT INTO builds (project_slug, build_num, resource_class, branch, status, outcome, queued_at, queue_millis, usage_queue_millis, run_queue_millis) VALUES
  ('github/acme/api', 1, 'medium', 'main', 'success',  'success',  '2026-01-10 01:00:00', 10000,  4000,  6000),
  ('github/acme/api', 2, 'medium', 'main', 'failed',   'failed',   '2026-01-10 02:00:00', 20000,  5000,  15000),
  ('github/acme/api', 3, 'medium', 'main', 'canceled', 'canceled', '2026-01-10 03:00:00', 30000,  NULL,  30000),
  ('github/acme/api', 4, 'medium', 'main', 'success',  'success',  '2026-01-10 04:00:00', -100,   1000,  NULL),
  ('github/acme/api', 6, 'medium', 'main', 'success',  'success',  '2026-01-11 01:00:00', 100000, 20000, 80000),
  ('github/acme/api', 7, 'large',  'main', 'not_run',  NULL,       '2026-01-10 01:00:00', NULL,   NULL,  NULL),
  ('github/acme/api', 8, 'large',  'main', 'success',  'success',  '2026-01-10 05:00:00', 5000,   0,     5000),
  ('github/acme/api', 9, NULL,     'main', 'success',  'success',  '2026-01-10 06:00:00', 2000,   1000,  1000);
