-- name: duration-trend
-- description: p50/p95 duration of successful builds per project, job and period.
-- params: since, until, project, branch, period, limit
-- definition: Builds queued in [since, until) that passed, bucketed by date_trunc(period) of their
--   queue time (UTC; weeks start on Monday). Duration is build_time_millis, else stop_time -
--   start_time; a NULL or negative duration is left out. change_pct is the p50 change against the
--   previous period that had builds of the same job (NULL for the first).
-- pass/fail: only passing builds are measured, classified as success-rate does (outcome
--   'success' or status 'success'/'fixed', also with no outcome; never canceled,
--   infrastructure_fail or not_run): a failed or canceled build stops early and would make the
--   job look faster.
WITH b AS (
    SELECT project_slug, coalesce(job_name, 'build') AS job_name,
           date_trunc($period, coalesce(usage_queued_at, queued_at, start_time, stop_time))::DATE AS period_start,
           CASE
               WHEN build_time_millis >= 0 THEN build_time_millis
               WHEN stop_time >= start_time THEN epoch_ms(stop_time) - epoch_ms(start_time)
           END / 1000.0 AS seconds
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $since
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $until
      AND ($project = '' OR project_slug = $project)
      AND ($branch = '' OR branch = $branch)
      -- The pass/fail classification of success-rate; a CASE, not NOT (… OR …), so that a NULL
      -- outcome (status 'fixed' with no outcome) still passes.
      AND CASE
              WHEN outcome IN ('canceled', 'infrastructure_fail')
                OR status IN ('canceled', 'infrastructure_fail', 'not_run')
                OR canceled OR infrastructure_fail THEN false
              WHEN outcome = 'success' OR status IN ('success', 'fixed') THEN true
              ELSE false
          END
),
agg AS (
    SELECT project_slug, job_name, period_start, count(*) AS builds,
           -- One list quantile sorts each group once for both percentiles.
           quantile_cont(seconds, [0.5, 0.95])[1] AS p50,
           quantile_cont(seconds, [0.5, 0.95])[2] AS p95
    FROM b
    WHERE seconds IS NOT NULL
    GROUP BY project_slug, job_name, period_start
)
SELECT project_slug, job_name, period_start, builds,
       round(p50, 3) AS p50_seconds,
       round(p95, 3) AS p95_seconds,
       round(100 * (p50 - lag(p50) OVER w) / nullif(lag(p50) OVER w, 0), 1) AS change_pct
FROM agg
WINDOW w AS (PARTITION BY project_slug, job_name ORDER BY period_start)
ORDER BY project_slug, job_name, period_start
LIMIT $limit
