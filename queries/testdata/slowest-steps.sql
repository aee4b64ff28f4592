-- Fixture for slowest-steps; the expected answer is worked out in golden_test.go.
INSERT INTO builds (project_slug, build_num, job_name, branch, status, outcome, queued_at) VALUES
  ('github/acme/api', 1, 'test', 'main', 'success', 'success', '2026-01-10 10:00:00'),
  ('github/acme/api', 2, 'test', 'main', 'failed',  'failed',  '2026-01-11 10:00:00'),
  ('github/acme/api', 3, 'lint', 'main', 'success', 'success', '2026-01-11 11:00:00'),
  ('github/acme/api', 4, 'test', 'main', 'success', 'success', '2025-11-01 10:00:00');
INSERT INTO steps (project_slug, build_num, step_index, node_index, name, background, run_time_millis, start_time, end_time) VALUES
  ('github/acme/api', 1, 0, 0, 'Spin up',   false, 5000,   NULL, NULL),
  ('github/acme/api', 1, 1, 0, 'Run tests', false, 100000, NULL, NULL),
  ('github/acme/api', 1, 1, 1, 'Run tests', false, 200000, NULL, NULL),
  ('github/acme/api', 1, 2, 0, 'Upload',    NULL,  NULL,   '2026-01-10 10:05:00', '2026-01-10 10:05:03'),
  ('github/acme/api', 1, 3, 0, 'Services',  true,  900000, NULL, NULL),
  ('github/acme/api', 1, 4, 0, 'Weird',     false, -10,    NULL, NULL),
  ('github/acme/api', 2, 0, 0, 'Spin up',   false, 7000,   NULL, NULL),
  ('github/acme/api', 2, 1, 0, 'Run tests', false, 300000, NULL, NULL),
  ('github/acme/api', 3, 0, 0, 'Spin up',   false, 2000,   NULL, NULL),
  ('github/acme/api', 3, 1, 0, 'Lint',      false, 60000,  NULL, NULL),
  ('github/acme/api', 4, 0, 0, 'Huge',      false, 9999000, NULL, NULL);
