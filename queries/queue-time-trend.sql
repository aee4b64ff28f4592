-- name: queue-time-trend
-- description: Queue time percentiles (plan concurrency vs machine wait) per resource class and period.
-- params: since, until, project, branch, period, limit
-- definition: Every build queued in [since, until) with a known queue time, whatever its outcome
--   (waiting happens before the outcome is known), bucketed by date_trunc(period) of its queue time
--   (UTC). queue = start_time - usage_queued_at; usage queue = queued_at - usage_queued_at (waiting
--   for plan concurrency); run queue = start_time - queued_at (waiting for a machine). NULL or
--   negative parts are left out of their own percentile only.
-- pass/fail: not used; canceled and failed builds waited too.
WITH b AS (
    SELECT project_slug, resource_class,
           date_trunc($period, coalesce(usage_queued_at, queued_at, start_time, stop_time))::DATE AS period_start,
           CASE WHEN queue_millis >= 0 THEN queue_millis / 1000.0 END AS queue_s,
           CASE WHEN usage_queue_millis >= 0 THEN usage_queue_millis / 1000.0 END AS usage_s,
           CASE WHEN run_queue_millis >= 0 THEN run_queue_millis / 1000.0 END AS run_s
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $since
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $until
      AND ($project = '' OR project_slug = $project)
      AND ($branch = '' OR branch = $branch)
)
SELECT project_slug, resource_class, period_start,
       count(*) AS builds,
       -- One list quantile sorts each group once for both percentiles.
       round(quantile_cont(queue_s, [0.5, 0.95])[1], 3) AS p50_queue_seconds,
       round(quantile_cont(queue_s, [0.5, 0.95])[2], 3) AS p95_queue_seconds,
       round(quantile_cont(usage_s, 0.5), 3) AS p50_usage_queue_seconds,
       round(quantile_cont(run_s, 0.5), 3) AS p50_run_queue_seconds
FROM b
WHERE queue_s IS NOT NULL OR usage_s IS NOT NULL OR run_s IS NOT NULL
GROUP BY project_slug, resource_class, period_start
ORDER BY project_slug, resource_class NULLS LAST, period_start
LIMIT $limit
