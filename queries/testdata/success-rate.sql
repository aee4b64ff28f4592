-- Fixture for success-rate; the expected answer is worked out in golden_test.go.
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, lifecycle, canceled, infrastructure_fail, timedout, queued_at) VALUES
  ('github/acme/api', 1,  'test', 'main', 'success',             'success',             'finished', false, false, false, '2026-01-05 01:00:00'),
  ('github/acme/api', 2,  'test', 'main', 'fixed',               NULL,                  'finished', NULL,  NULL,  NULL,  '2026-01-05 02:00:00'),
  ('github/acme/api', 3,  'test', 'main', 'failed',              'failed',              'finished', false, false, false, '2026-01-06 01:00:00'),
  ('github/acme/api', 4,  'test', 'main', 'timedout',            'timedout',            'finished', false, false, true,  '2026-01-06 02:00:00'),
  ('github/acme/api', 5,  'test', 'main', 'canceled',            'canceled',            'finished', true,  false, false, '2026-01-07 01:00:00'),
  ('github/acme/api', 6,  'test', 'main', 'infrastructure_fail', 'infrastructure_fail', 'finished', false, true,  false, '2026-01-07 02:00:00'),
  ('github/acme/api', 7,  'test', 'main', 'not_run',             NULL,                  'not_run',  NULL,  NULL,  NULL,  '2026-01-08 01:00:00'),
  ('github/acme/api', 8,  'test', 'main', 'running',             NULL,                  'running',  NULL,  NULL,  NULL,  '2026-01-08 02:00:00'),
  ('github/acme/api', 9,  'test', 'main', 'retried',             'infrastructure_fail', 'finished', false, true,  false, '2026-01-09 01:00:00'),
  ('github/acme/api', 10, 'test', 'main', 'success',             'success',             'finished', false, false, false, '2026-01-12 01:00:00'),
  ('github/acme/api', 11, 'test', 'main', 'success',             'success',             'finished', false, false, false, '2026-01-13 01:00:00'),
  ('github/acme/api', 12, 'test', 'main', 'success',             'success',             'finished', false, false, false, '2026-01-14 01:00:00'),
  ('github/acme/api', 13, 'test', 'main', 'failed',              'failed',              'finished', false, false, false, '2026-01-18 23:00:00'),
  ('github/acme/web', 20, 'e2e',  'main', 'failed',              'failed',              'finished', false, false, false, '2026-01-12 01:00:00');
