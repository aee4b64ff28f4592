-- name: slowest-steps
-- description: Steps with the highest median duration, per project and job.
-- params: since, until, project, branch, limit
-- definition: Every step action (one per parallel node) of builds queued in [since, until),
--   grouped by project, job and step name. Duration is run_time_millis, else end_time -
--   start_time; NULL or negative durations are left out. Background steps are left out: they run
--   beside the others and would count wall time twice. runs = actions with a duration;
--   total_hours = their summed duration. Ordered by p50 descending.
-- pass/fail: steps of every build count, whatever its outcome: time spent is time spent.
WITH b AS (
    SELECT project_slug, build_num, coalesce(job_name, 'build') AS job_name
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $since
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $until
      AND ($project = '' OR project_slug = $project)
      AND ($branch = '' OR branch = $branch)
),
s AS (
    SELECT s.project_slug, b.job_name, s.name AS step_name,
           CASE
               WHEN s.run_time_millis >= 0 THEN s.run_time_millis
               WHEN s.end_time >= s.start_time THEN epoch_ms(s.end_time) - epoch_ms(s.start_time)
           END / 1000.0 AS seconds
    FROM steps s
    JOIN b USING (project_slug, build_num)
    WHERE NOT coalesce(s.background, false)
)
SELECT project_slug, job_name, step_name,
       count(*) AS runs,
       -- One list quantile sorts each group once for both percentiles.
       round(quantile_cont(seconds, [0.5, 0.95])[1], 3) AS p50_seconds,
       round(quantile_cont(seconds, [0.5, 0.95])[2], 3) AS p95_seconds,
       round(sum(seconds) / 3600, 3) AS total_hours
FROM s
WHERE seconds IS NOT NULL
GROUP BY project_slug, job_name, step_name
ORDER BY p50_seconds DESC, total_hours DESC, project_slug, job_name, step_name
LIMIT $limit
