-- name: flaky-tests
-- description: Tests that both passed and failed on the same revision (default window 14 days).
-- params: since, until, project, branch, limit
-- definition: A test (test_id, else classname::file::name) is flaky when, among the builds of one
--   project_slug + vcs_revision queued in [since, until), it has at least one passing and at least
--   one failing result (retries on the same revision included), as CircleCI Insights counts it.
--   A test that fails on every run of its revision is broken, not flaky, and is not listed.
-- pass/fail: test result 'success' passes; 'failure' and 'error' fail; 'skipped' and anything
--   else is neither and is not counted in runs. The build's own outcome does not matter.
-- columns: flaky_revisions = revisions on which the test flaked; runs and failures count every
--   pass/fail result of the test in the window (all revisions); failure_rate = failures / runs;
--   last_flaky_at = time of the latest build of a flaky revision; test_id = the key the test is
--   counted by (same-named tests in different files are different tests). Ordered by
--   flaky_revisions, then failures, descending.
WITH b AS (
    SELECT project_slug, build_num, vcs_revision,
           coalesce(usage_queued_at, queued_at, start_time, stop_time) AS build_at
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $since
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $until
      AND ($project = '' OR project_slug = $project)
      AND ($branch = '' OR branch = $branch)
),
runs AS (
    SELECT t.project_slug,
           coalesce(t.test_id, concat_ws('::', t.classname, t.file, t.name)) AS test_key,
           t.classname, t.name, t.file, b.vcs_revision, b.build_at,
           t.result IN ('failure', 'error') AS failed
    FROM tests t
    JOIN b USING (project_slug, build_num)
    WHERE t.result IN ('success', 'failure', 'error')
),
per_revision AS (
    SELECT project_slug, test_key, vcs_revision, max(build_at) AS last_at
    FROM runs
    WHERE vcs_revision IS NOT NULL
    GROUP BY project_slug, test_key, vcs_revision
    HAVING bool_or(failed) AND bool_or(NOT failed)
),
flaky AS (
    SELECT project_slug, test_key, count(*) AS flaky_revisions, max(last_at) AS last_flaky_at
    FROM per_revision
    GROUP BY project_slug, test_key
)
SELECT r.project_slug,
       arg_max(r.classname, r.build_at) AS classname,
       arg_max(r.name, r.build_at) AS name,
       arg_max(r.file, r.build_at) AS file,
       f.flaky_revisions,
       count(*) AS runs,
       count(*) FILTER (WHERE r.failed) AS failures,
       round(count(*) FILTER (WHERE r.failed) / count(*), 4) AS failure_rate,
       f.last_flaky_at,
       r.test_key AS test_id
FROM runs r
JOIN flaky f USING (project_slug, test_key)
GROUP BY r.project_slug, r.test_key, f.flaky_revisions, f.last_flaky_at
ORDER BY flaky_revisions DESC, failures DESC, project_slug, classname, name, test_id
LIMIT $limit
