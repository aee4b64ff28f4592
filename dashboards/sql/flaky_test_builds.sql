-- flaky_test_builds: for each flaky test (same rule as the flaky-tests query: one test both
-- passed and failed on the same project_slug + vcs_revision in the window), the latest failing
-- and the latest passing build on a flaky revision, so the dashboard can link to CircleCI.
-- Parameters: $1 since, $2 until, $3 project_slug ('' = all), $4 branch ('' = all).
WITH runs AS (
    SELECT t.project_slug, coalesce(t.classname, '') AS classname, coalesce(t.name, '') AS name,
           b.vcs_revision, b.build_num, b.build_url, t.result,
           coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) AS at
    FROM tests t
    JOIN builds b ON b.project_slug = t.project_slug AND b.build_num = t.build_num
    WHERE coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) >= $1::TIMESTAMP
      AND coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) < $2::TIMESTAMP
      AND ($3 = '' OR b.project_slug = $3)
      AND ($4 = '' OR b.branch = $4)
      AND b.vcs_revision IS NOT NULL
), flaky AS (
    SELECT project_slug, classname, name, vcs_revision
    FROM runs
    GROUP BY project_slug, classname, name, vcs_revision
    HAVING bool_or(result = 'success') AND bool_or(result IN ('failure', 'error'))
)
SELECT r.project_slug, r.classname, r.name,
       arg_max(r.build_num, r.at) FILTER (WHERE r.result IN ('failure', 'error')) AS failed_build_num,
       arg_max(r.build_url, r.at) FILTER (WHERE r.result IN ('failure', 'error')) AS failed_build_url,
       arg_max(r.build_num, r.at) FILTER (WHERE r.result = 'success') AS passed_build_num,
       arg_max(r.build_url, r.at) FILTER (WHERE r.result = 'success') AS passed_build_url
FROM runs r
JOIN flaky f USING (project_slug, classname, name, vcs_revision)
GROUP BY r.project_slug, r.classname, r.name
ORDER BY r.project_slug, r.classname, r.name
LIMIT 2000
