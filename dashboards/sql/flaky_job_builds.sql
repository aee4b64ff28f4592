-- flaky_job_builds: for each flaky job (same rule as the flaky-jobs query: success and failed
-- outcomes for the same project_slug + vcs_revision + job_name, retries included), the latest
-- failed and the latest successful build on a flaky revision, for links to CircleCI.
-- Parameters: $1 since, $2 until, $3 project_slug ('' = all), $4 branch ('' = all).
WITH runs AS (
    SELECT project_slug, coalesce(job_name, 'build') AS job_name, vcs_revision, build_num, build_url, outcome, status,
           coalesce(usage_queued_at, queued_at, start_time, stop_time) AS at
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $1::TIMESTAMP
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $2::TIMESTAMP
      AND ($3 = '' OR project_slug = $3)
      AND ($4 = '' OR branch = $4)
      AND vcs_revision IS NOT NULL
), flaky AS (
    SELECT project_slug, job_name, vcs_revision
    FROM runs
    GROUP BY project_slug, job_name, vcs_revision
    HAVING bool_or(outcome = 'success' OR status IN ('success', 'fixed'))
       AND bool_or(outcome IN ('failed', 'timedout') OR status IN ('failed', 'timedout'))
)
SELECT r.project_slug, r.job_name,
       arg_max(r.build_num, r.at) FILTER (WHERE r.outcome IN ('failed', 'timedout') OR r.status IN ('failed', 'timedout')) AS failed_build_num,
       arg_max(r.build_url, r.at) FILTER (WHERE r.outcome IN ('failed', 'timedout') OR r.status IN ('failed', 'timedout')) AS failed_build_url,
       arg_max(r.build_num, r.at) FILTER (WHERE r.outcome = 'success' OR r.status IN ('success', 'fixed')) AS passed_build_num,
       arg_max(r.build_url, r.at) FILTER (WHERE r.outcome = 'success' OR r.status IN ('success', 'fixed')) AS passed_build_url
FROM runs r
JOIN flaky f USING (project_slug, job_name, vcs_revision)
GROUP BY r.project_slug, r.job_name
ORDER BY r.project_slug, r.job_name
LIMIT 2000
