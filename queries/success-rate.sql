-- name: success-rate
-- description: Passed vs failed builds per project, job and period.
-- params: since, until, project, branch, period, limit
-- definition: Builds queued in [since, until), bucketed by date_trunc(period) of their queue time
--   (UTC). success_rate = successes / runs, where runs = successes + failures.
-- pass/fail: outcome 'success' or status 'success'/'fixed' passes; outcome or status
--   'failed'/'timedout' fails. canceled, infrastructure_fail and not_run builds are excluded from
--   runs and the rate (shown in the excluded column); unfinished and no_tests builds are ignored.
WITH b AS (
    SELECT project_slug, coalesce(job_name, 'build') AS job_name,
           date_trunc($period, coalesce(usage_queued_at, queued_at, start_time, stop_time))::DATE AS period_start,
           CASE
               WHEN outcome IN ('canceled', 'infrastructure_fail')
                 OR status IN ('canceled', 'infrastructure_fail', 'not_run')
                 OR canceled OR infrastructure_fail THEN 'excluded'
               WHEN outcome = 'success' OR status IN ('success', 'fixed') THEN 'pass'
               WHEN outcome IN ('failed', 'timedout') OR status IN ('failed', 'timedout') OR timedout THEN 'fail'
           END AS result_class
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $since
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $until
      AND ($project = '' OR project_slug = $project)
      AND ($branch = '' OR branch = $branch)
)
SELECT project_slug, job_name, period_start,
       count(*) FILTER (WHERE result_class IN ('pass', 'fail')) AS runs,
       count(*) FILTER (WHERE result_class = 'pass') AS successes,
       count(*) FILTER (WHERE result_class = 'fail') AS failures,
       round(count(*) FILTER (WHERE result_class = 'pass')
             / nullif(count(*) FILTER (WHERE result_class IN ('pass', 'fail')), 0), 4) AS success_rate,
       count(*) FILTER (WHERE result_class = 'excluded') AS excluded
FROM b
WHERE result_class IS NOT NULL
GROUP BY project_slug, job_name, period_start
ORDER BY project_slug, job_name, period_start
LIMIT $limit
