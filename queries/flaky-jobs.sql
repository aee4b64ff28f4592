-- name: flaky-jobs
-- description: Jobs that both passed and failed on the same revision (default window 14 days).
-- params: since, until, project, branch, limit
-- definition: A job (project_slug + job_name) is flaky when, among its builds of one vcs_revision
--   queued in [since, until), at least one passed and at least one failed. Retries and reruns on
--   the same revision are included: they are how flakiness shows.
-- pass/fail: outcome 'success' or status 'success'/'fixed' passes; outcome or status
--   'failed'/'timedout' fails; canceled, infrastructure_fail and not_run builds are neither and
--   are not counted (a canceled run proves nothing about the job).
-- columns: flaky_revisions = revisions on which the job flaked; runs and failures count every
--   pass/fail build of the job in the window; passed_on_retry = flaky revisions where a build
--   passed after (higher build_num than) a failed one; last_flaky_at = latest build time on a
--   flaky revision. Ordered by flaky_revisions, then failures, descending.
WITH b AS (
    SELECT project_slug, build_num, coalesce(job_name, 'build') AS job_name, vcs_revision,
           coalesce(usage_queued_at, queued_at, start_time, stop_time) AS build_at,
           CASE
               WHEN outcome IN ('canceled', 'infrastructure_fail')
                 OR status IN ('canceled', 'infrastructure_fail', 'not_run')
                 OR canceled OR infrastructure_fail THEN NULL
               WHEN outcome = 'success' OR status IN ('success', 'fixed') THEN false
               WHEN outcome IN ('failed', 'timedout') OR status IN ('failed', 'timedout') OR timedout THEN true
           END AS failed
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $since
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $until
      AND ($project = '' OR project_slug = $project)
      AND ($branch = '' OR branch = $branch)
),
runs AS (
    SELECT * FROM b WHERE failed IS NOT NULL
),
per_revision AS (
    SELECT project_slug, job_name, vcs_revision, max(build_at) AS last_at,
           max(build_num) FILTER (WHERE NOT failed) > min(build_num) FILTER (WHERE failed) AS passed_on_retry
    FROM runs
    WHERE vcs_revision IS NOT NULL
    GROUP BY project_slug, job_name, vcs_revision
    HAVING bool_or(failed) AND bool_or(NOT failed)
),
flaky AS (
    SELECT project_slug, job_name, count(*) AS flaky_revisions,
           count(*) FILTER (WHERE passed_on_retry) AS passed_on_retry,
           max(last_at) AS last_flaky_at
    FROM per_revision
    GROUP BY project_slug, job_name
)
SELECT r.project_slug,
       r.job_name,
       f.flaky_revisions,
       count(*) AS runs,
       count(*) FILTER (WHERE r.failed) AS failures,
       f.passed_on_retry,
       f.last_flaky_at
FROM runs r
JOIN flaky f USING (project_slug, job_name)
GROUP BY r.project_slug, r.job_name, f.flaky_revisions, f.passed_on_retry, f.last_flaky_at
ORDER BY flaky_revisions DESC, failures DESC, project_slug, job_name
LIMIT $limit
