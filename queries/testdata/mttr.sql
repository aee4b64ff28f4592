-- Fixture for mttr; the expected answer is worked out in golden_test.go.
INSERT INTO projects (project_slug, default_branch) VALUES
  ('github/acme/api', 'main'),
  ('github/acme/web', NULL);
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, queued_at, stop_time) VALUES
  ('github/acme/api', 1,  'build',  'main',    'success',  'success',  '2026-01-10 00:00:00', '2026-01-10 00:10:00'),
  ('github/acme/api', 2,  'build',  'main',    'failed',   'failed',   '2026-01-10 01:00:00', '2026-01-10 01:10:00'),
  ('github/acme/api', 3,  'build',  'main',    'failed',   'failed',   '2026-01-10 02:00:00', '2026-01-10 02:10:00'),
  ('github/acme/api', 4,  'build',  'main',    'canceled', 'canceled', '2026-01-10 03:00:00', '2026-01-10 03:05:00'),
  ('github/acme/api', 5,  'build',  'main',    'success',  'success',  '2026-01-10 04:00:00', '2026-01-10 04:10:00'),
  ('github/acme/api', 6,  'build',  'main',    'failed',   'failed',   '2026-01-11 00:00:00', '2026-01-11 00:10:00'),
  ('github/acme/api', 7,  'build',  'main',    'success',  'success',  '2026-01-11 01:00:00', '2026-01-11 01:40:00'),
  ('github/acme/api', 8,  'build',  'feature', 'failed',   'failed',   '2026-01-11 02:00:00', '2026-01-11 02:10:00'),
  ('github/acme/api', 9,  'build',  'main',    'failed',   'failed',   '2026-01-12 00:00:00', '2026-01-12 00:30:00'),
  ('github/acme/api', 10, 'deploy', 'main',    'failed',   'failed',   '2026-01-10 05:00:00', '2026-01-10 05:20:00'),
  ('github/acme/api', 11, 'deploy', 'main',    'success',  'success',  '2026-01-10 05:30:00', '2026-01-10 05:50:00'),
  ('github/acme/web', 20, 'test',   'master',  'failed',   'failed',   '2026-01-15 09:50:00', '2026-01-15 10:00:00'),
  ('github/acme/web', 21, 'test',   'master',  'success',  'success',  '2026-01-15 15:00:00', '2026-01-15 16:00:00'),
  ('github/acme/web', 22, 'test',   'develop', 'failed',   'failed',   '2026-01-16 09:00:00', '2026-01-16 10:00:00');
