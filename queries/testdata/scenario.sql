-- A simulated history shaped like the simulator's ground truth, for scenario_test.go.
-- 3 projects x 1200 revisions of job 'test' over 60 days from 2026-03-01 (20 a day); every
-- revision runs once, and again (a retry on the same revision) when the first run failed.
-- Tests per run: T0..T2 are flaky (each fails 20% of runs, independently); T3 is broken on
-- every 20th revision (fails on every run of it, passes elsewhere); T4..T9 always pass.
-- Steps: Setup ~30 s, Run tests ~300 s, +-10% noise; in github/sim/p0 Run tests is 1.7x slower
-- from 2026-04-10 (day 40) on. Queue: 10-30 s, 6x during 2026-03-21 .. 2026-03-23 (days 20-22).
CREATE TEMP TABLE first_runs AS
SELECT p, n, bool_or(
           (k < 3 AND hash(p, n, 0, k) % 100 < 20) OR (k = 3 AND hash(p, n, 'broken') % 20 = 0)
       ) AS failed
FROM range(3) a(p), range(1200) b(n), range(10) c(k)
GROUP BY p, n;

CREATE TEMP TABLE runs AS
SELECT p, n, 0 AS attempt FROM first_runs
UNION ALL
SELECT p, n, 1 FROM first_runs WHERE failed;

CREATE TEMP TABLE results AS
SELECT p, n, attempt, k,
       (k < 3 AND hash(p, n, attempt, k) % 100 < 20) OR (k = 3 AND hash(p, n, 'broken') % 20 = 0) AS failed
FROM runs, range(10) c(k);

CREATE TEMP TABLE sim_builds AS
SELECT r.p, r.n, r.attempt, p * 100000 + n * 2 + r.attempt AS build_num,
       TIMESTAMP '2026-03-01' + to_minutes((n * 72 + attempt * 30)::BIGINT) AS t0,
       bool_or(x.failed) AS failed,
       (30000 * (0.9 + (hash(r.p, r.n, r.attempt, 's') % 200) / 1000.0))::BIGINT AS setup_ms,
       (300000 * (0.9 + (hash(r.p, r.n, r.attempt, 'r') % 200) / 1000.0)
        * CASE WHEN r.p = 0 AND TIMESTAMP '2026-03-01' + to_minutes((n * 72 + attempt * 30)::BIGINT) >= TIMESTAMP '2026-04-10'
               THEN 1.7 ELSE 1 END)::BIGINT AS tests_ms,
       ((10000 + hash(r.p, r.n, r.attempt, 'q') % 20000)
        * CASE WHEN TIMESTAMP '2026-03-01' + to_minutes((n * 72 + attempt * 30)::BIGINT)
                    BETWEEN TIMESTAMP '2026-03-21' AND TIMESTAMP '2026-03-23 23:59:59' THEN 6 ELSE 1 END)::BIGINT AS queue_ms
FROM runs r
JOIN results x USING (p, n, attempt)
GROUP BY ALL;

INSERT INTO projects (project_slug, default_branch)
SELECT 'github/sim/p' || p, 'main' FROM range(3) t(p);

INSERT INTO builds (project_slug, build_num, job_name, vcs_revision, branch, status, outcome,
    retry_of, is_retry, resource_class, parallel, usage_queued_at, queued_at, start_time, stop_time,
    build_time_millis, queue_millis, usage_queue_millis, run_queue_millis)
SELECT 'github/sim/p' || p, build_num, 'test', 'rev' || n, 'main',
       CASE WHEN failed THEN 'failed' ELSE 'success' END,
       CASE WHEN failed THEN 'failed' ELSE 'success' END,
       CASE WHEN attempt = 1 THEN build_num - 1 END, attempt = 1, 'medium', 1,
       t0, t0, t0 + to_milliseconds(queue_ms), t0 + to_milliseconds(queue_ms + setup_ms + tests_ms),
       setup_ms + tests_ms, queue_ms, 0, queue_ms
FROM sim_builds;

INSERT INTO steps (project_slug, build_num, step_index, node_index, name, run_time_millis)
SELECT 'github/sim/p' || p, build_num, 0, 0, 'Setup', setup_ms FROM sim_builds
UNION ALL
SELECT 'github/sim/p' || p, build_num, 1, 0, 'Run tests', tests_ms FROM sim_builds;

INSERT INTO tests (project_slug, build_num, test_index, test_id, classname, file, name, result)
SELECT 'github/sim/p' || x.p, b.build_num, x.k, 'id' || x.k, 'sim.Suite', 'suite_test.go', 'T' || x.k,
       CASE WHEN x.failed THEN 'failure' ELSE 'success' END
FROM results x
JOIN sim_builds b USING (p, n, attempt);
