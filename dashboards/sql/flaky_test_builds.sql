-- flaky_test_builds: for each flaky test (same rule and same key as the flaky-tests query: one
-- test_id, else classname::file::name, both passed and failed on the same project_slug +
-- vcs_revision in the window), the latest failing and the latest passing build on a flaky
-- revision, so the dashboard can link to CircleCI. The page joins it to flaky-tests on
-- project_slug + test_id: same-named tests in different files are different tests.
-- Parameters: $1 since, $2 until, $3 project_slug ('' = all), $4 branch ('' = all).
WITH runs AS (
    SELECT t.project_slug, coalesce(t.test_id, concat_ws('::', t.classname, t.file, t.name)) AS test_id,
           t.classname, t.name, t.file, b.vcs_revision, b.build_num, b.build_url, t.result,
           coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) AS at
    FROM tests t
    JOIN builds b ON b.project_slug = t.project_slug AND b.build_num = t.build_num
    WHERE coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) >= $1::TIMESTAMP
      AND coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) < $2::TIMESTAMP
      AND ($3 = '' OR b.project_slug = $3)
      AND ($4 = '' OR b.branch = $4)
      AND b.vcs_revision IS NOT NULL
      AND t.result IN ('success', 'failure', 'error')
), flaky AS (
    SELECT project_slug, test_id, vcs_revision
    FROM runs
    GROUP BY project_slug, test_id, vcs_revision
    HAVING bool_or(result = 'success') AND bool_or(result IN ('failure', 'error'))
)
SELECT r.project_slug, r.test_id,
       arg_max(r.classname, r.at) AS classname,
       arg_max(r.name, r.at) AS name,
       arg_max(r.file, r.at) AS file,
       arg_max(r.build_num, r.at) FILTER (WHERE r.result IN ('failure', 'error')) AS failed_build_num,
       arg_max(r.build_url, r.at) FILTER (WHERE r.result IN ('failure', 'error')) AS failed_build_url,
       arg_max(r.build_num, r.at) FILTER (WHERE r.result = 'success') AS passed_build_num,
       arg_max(r.build_url, r.at) FILTER (WHERE r.result = 'success') AS passed_build_url
FROM runs r
JOIN flaky f USING (project_slug, test_id, vcs_revision)
GROUP BY r.project_slug, r.test_id
ORDER BY r.project_slug, r.test_id
LIMIT 2000
