-- name: wasted-time
-- description: Machine hours spent in failed, canceled, infrastructure-failed and retried builds.
-- params: since, until, project, branch, period, limit
-- definition: Builds queued in [since, until), bucketed per project by date_trunc(period) of their
--   queue time (UTC). Machine time = duration (build_time_millis, else stop_time - start_time;
--   NULL or negative counts as 0) x parallelism (at least 1). Each build lands in one bucket, first
--   match wins: canceled (canceled or not_run), infrastructure (infrastructure_fail), failed
--   (failed/timedout), retried (any other build that was retried: another build's retry_of points
--   at it, or its status is 'retried'). wasted = the sum of the four; wasted_pct = wasted / total.
-- pass/fail: canceled, infrastructure_fail and not_run builds, excluded from pass/fail rates
--   elsewhere, are counted here; a passing build only when it was retried anyway.
WITH retried AS (
    SELECT DISTINCT project_slug, retry_of AS build_num
    FROM builds
    WHERE retry_of IS NOT NULL
),
b AS (
    SELECT b.project_slug,
           date_trunc($period, coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time))::DATE AS period_start,
           coalesce(CASE
               WHEN b.build_time_millis >= 0 THEN b.build_time_millis
               WHEN b.stop_time >= b.start_time THEN epoch_ms(b.stop_time) - epoch_ms(b.start_time)
           END, 0) * greatest(coalesce(b.parallel, 1), 1) / 3600000.0 AS hours,
           CASE
               WHEN b.outcome = 'canceled' OR b.status IN ('canceled', 'not_run') OR b.canceled THEN 'canceled'
               WHEN b.outcome = 'infrastructure_fail' OR b.status = 'infrastructure_fail' OR b.infrastructure_fail THEN 'infrastructure'
               WHEN b.outcome IN ('failed', 'timedout') OR b.status IN ('failed', 'timedout') OR b.timedout THEN 'failed'
               WHEN r.build_num IS NOT NULL OR b.status = 'retried' THEN 'retried'
           END AS waste
    FROM builds b
    LEFT JOIN retried r USING (project_slug, build_num)
    WHERE coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) >= $since
      AND coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) < $until
      AND ($project = '' OR b.project_slug = $project)
      AND ($branch = '' OR b.branch = $branch)
)
SELECT project_slug, period_start,
       count(*) AS builds,
       count(waste) AS wasted_builds,
       round(coalesce(sum(hours) FILTER (WHERE waste = 'failed'), 0), 3) AS failed_hours,
       round(coalesce(sum(hours) FILTER (WHERE waste = 'canceled'), 0), 3) AS canceled_hours,
       round(coalesce(sum(hours) FILTER (WHERE waste = 'infrastructure'), 0), 3) AS infrastructure_hours,
       round(coalesce(sum(hours) FILTER (WHERE waste = 'retried'), 0), 3) AS retried_hours,
       round(coalesce(sum(hours) FILTER (WHERE waste IS NOT NULL), 0), 3) AS wasted_hours,
       round(sum(hours), 3) AS total_hours,
       round(100 * coalesce(sum(hours) FILTER (WHERE waste IS NOT NULL), 0) / nullif(sum(hours), 0), 1) AS wasted_pct
FROM b
GROUP BY project_slug, period_start
ORDER BY project_slug, period_start
LIMIT $limit
