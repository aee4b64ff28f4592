-- name: mttr
-- description: Mean/median time to recovery from a red default branch, per project.
-- params: since, until, project, branch, limit
-- definition: Builds on the project's default branch (projects.default_branch; 'main' or
--   'master' when unknown; --branch overrides it) queued in [since, until), taken per job in
--   queue order. An incident starts at a failed build whose previous pass/fail build of the same
--   job passed (or that has none); it is recovered when a later build of that job passes. Recovery
--   time = finish of the first later passing build to finish - finish of the failing build that
--   started the incident. incidents counts all, open_incidents those not recovered in the window
--   (they are left out of the median and mean).
-- pass/fail: outcome 'success' or status 'success'/'fixed' passes; outcome or status
--   'failed'/'timedout' fails; canceled, infrastructure_fail and not_run builds are skipped (they
--   neither start nor end an incident).
WITH b AS (
    SELECT b.project_slug, b.build_num, coalesce(b.job_name, 'build') AS job_name,
           coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) AS build_at,
           coalesce(b.stop_time, b.start_time, b.queued_at, b.usage_queued_at) AS done_at,
           CASE
               WHEN b.outcome IN ('canceled', 'infrastructure_fail')
                 OR b.status IN ('canceled', 'infrastructure_fail', 'not_run')
                 OR b.canceled OR b.infrastructure_fail THEN NULL
               WHEN b.outcome = 'success' OR b.status IN ('success', 'fixed') THEN false
               WHEN b.outcome IN ('failed', 'timedout') OR b.status IN ('failed', 'timedout') OR b.timedout THEN true
           END AS failed
    FROM builds b
    LEFT JOIN projects p USING (project_slug)
    WHERE coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) >= $since
      AND coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) < $until
      AND ($project = '' OR b.project_slug = $project)
      AND b.branch IN (coalesce(nullif($branch, ''), p.default_branch, 'main'),
                       coalesce(nullif($branch, ''), p.default_branch, 'master'))
),
seq AS (
    SELECT *,
           lag(failed) OVER (PARTITION BY project_slug, job_name ORDER BY build_at, build_num) AS prev_failed,
           min(CASE WHEN NOT failed THEN done_at END) OVER (
               PARTITION BY project_slug, job_name ORDER BY build_at, build_num
               ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS recovered_at
    FROM b
    WHERE failed IS NOT NULL
),
incidents AS (
    SELECT project_slug,
           -- greatest() skips NULLs, so an open incident needs its own branch to stay NULL.
           CASE WHEN recovered_at IS NOT NULL
                THEN greatest(epoch(recovered_at) - epoch(done_at), 0) / 3600.0 END AS recovery_hours
    FROM seq
    WHERE failed AND NOT coalesce(prev_failed, false)
)
SELECT project_slug,
       count(*) AS incidents,
       round(median(recovery_hours), 3) AS median_recovery_hours,
       round(avg(recovery_hours), 3) AS mean_recovery_hours,
       count(*) - count(recovery_hours) AS open_incidents
FROM incidents
GROUP BY project_slug
ORDER BY project_slug
LIMIT $limit
