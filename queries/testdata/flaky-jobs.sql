-- Fixture for flaky-jobs; the expected answer is worked out in golden_test.go.
INSERT INTO builds (project_slug, build_num, job_name, vcs_revision, branch, status, outcome, retry_of, is_retry, canceled, infrastructure_fail, timedout, queued_at) VALUES
  ('github/acme/api', 20, 'test',   'r1', 'main', 'failed',              'failed',              NULL, false, false, false, false, '2026-01-10 00:00:00'),
  ('github/acme/api', 21, 'test',   'r1', 'main', 'success',             'success',             20,   true,  false, false, false, '2026-01-10 01:00:00'),
  ('github/acme/api', 22, 'test',   'r2', 'main', 'failed',              'failed',              NULL, false, false, false, false, '2026-01-10 02:00:00'),
  ('github/acme/api', 23, 'test',   'r2', 'main', 'canceled',            'canceled',            NULL, false, true,  false, false, '2026-01-10 03:00:00'),
  ('github/acme/api', 24, 'test',   'r2', 'main', 'failed',              'failed',              22,   true,  false, false, false, '2026-01-10 04:00:00'),
  ('github/acme/api', 25, 'test',   'r3', 'main', 'success',             'success',             NULL, false, false, false, false, '2026-01-10 05:00:00'),
  ('github/acme/api', 26, 'test',   'r3', 'main', 'fixed',               NULL,                  NULL, false, NULL,  NULL,  NULL,  '2026-01-10 06:00:00'),
  ('github/acme/api', 27, 'test',   'r3', 'main', 'infrastructure_fail', 'infrastructure_fail', NULL, false, false, true,  false, '2026-01-10 07:00:00'),
  ('github/acme/api', 28, 'test',   'r4', 'main', 'success',             'success',             NULL, false, false, false, false, '2026-01-10 08:00:00'),
  ('github/acme/api', 29, 'test',   'r4', 'main', 'timedout',            'timedout',            NULL, false, false, false, true,  '2026-01-10 09:00:00'),
  ('github/acme/api', 30, 'build',  'r1', 'main', 'failed',              'failed',              NULL, false, false, false, false, '2026-01-10 10:00:00'),
  ('github/acme/api', 31, 'build',  'r1', 'main', 'failed',              'failed',              30,   true,  false, false, false, '2026-01-10 11:00:00'),
  ('github/acme/api', 32, 'deploy', 'r1', 'main', 'infrastructure_fail', 'infrastructure_fail', NULL, false, false, true,  false, '2026-01-10 12:00:00'),
  ('github/acme/api', 33, 'deploy', 'r1', 'main', 'success',             'success',             32,   true,  false, false, false, '2026-01-10 13:00:00'),
  ('github/acme/web', 40, 'test',   'w1', 'main', 'success',             'success',             NULL, false, false, false, false, '2026-01-12 00:00:00'),
  ('github/acme/web', 41, 'test',   'w1', 'main', 'failed',              'failed',              NULL, false, false, false, false, '2026-01-12 01:00:00'),
  ('github/acme/web', 42, 'test',   'w1', 'main', 'success',             'success',             41,   true,  false, false, false, '2026-01-12 02:00:00');
