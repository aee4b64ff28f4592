-- Views for ad-hoc SQL (docs/queries.md). Created by queries.CreateViews after the schema
-- migrations; they hold no data, so re-creating them is cheap and always safe.
-- The canned queries do not depend on them (each query file is self-contained), so a database
-- created before a view changed still answers every canned query.

-- build_facts: one row per build with its project, pass/fail class and queue split in seconds.
-- result_class: 'pass' (success/fixed), 'fail' (failed/timedout), 'excluded'
-- (canceled/infrastructure_fail/not_run), NULL (unfinished, no_tests, unknown).
CREATE OR REPLACE VIEW build_facts AS
SELECT
    b.project_slug,
    b.build_num,
    coalesce(b.job_name, 'build') AS job_name,
    b.workflow_name,
    b.workflow_id,
    b.branch,
    b.vcs_revision,
    b.resource_class,
    p.default_branch,
    b.branch = p.default_branch AS on_default_branch,
    b.status,
    b.outcome,
    b.lifecycle,
    b.is_retry,
    b.retry_of,
    b.parallel,
    coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time) AS build_at,
    b.usage_queued_at,
    b.queued_at,
    b.start_time,
    b.stop_time,
    CASE
        WHEN b.outcome IN ('canceled', 'infrastructure_fail')
          OR b.status IN ('canceled', 'infrastructure_fail', 'not_run')
          OR b.canceled OR b.infrastructure_fail THEN 'excluded'
        WHEN b.outcome = 'success' OR b.status IN ('success', 'fixed') THEN 'pass'
        WHEN b.outcome IN ('failed', 'timedout') OR b.status IN ('failed', 'timedout') OR b.timedout THEN 'fail'
    END AS result_class,
    coalesce(result_class = 'pass', false) AS is_pass,
    coalesce(result_class = 'fail', false) AS is_fail,
    coalesce(result_class = 'excluded', false) AS is_excluded,
    CASE
        WHEN b.build_time_millis >= 0 THEN b.build_time_millis
        WHEN b.stop_time >= b.start_time THEN epoch_ms(b.stop_time) - epoch_ms(b.start_time)
    END / 1000.0 AS duration_seconds,
    duration_seconds * greatest(coalesce(b.parallel, 1), 1) AS machine_seconds,
    CASE WHEN b.queue_millis >= 0 THEN b.queue_millis / 1000.0 END AS queue_seconds,
    CASE WHEN b.usage_queue_millis >= 0 THEN b.usage_queue_millis / 1000.0 END AS usage_queue_seconds,
    CASE WHEN b.run_queue_millis >= 0 THEN b.run_queue_millis / 1000.0 END AS run_queue_seconds
FROM builds b
LEFT JOIN projects p USING (project_slug);

-- test_runs: one row per test result with its build's revision, branch, job and time.
-- is_pass: result 'success'; is_fail: 'failure' or 'error'; 'skipped' is neither.
CREATE OR REPLACE VIEW test_runs AS
SELECT
    t.project_slug,
    t.build_num,
    t.test_index,
    coalesce(t.test_id, concat_ws('::', t.classname, t.file, t.name)) AS test_id,
    t.classname,
    t.file,
    t.name,
    t.result,
    t.result = 'success' AS is_pass,
    coalesce(t.result IN ('failure', 'error'), false) AS is_fail,
    CASE WHEN t.run_time_millis >= 0 THEN t.run_time_millis / 1000.0 END AS run_time_seconds,
    t.message,
    f.vcs_revision,
    f.branch,
    f.job_name,
    f.build_at,
    f.is_retry,
    f.result_class AS build_result_class
FROM tests t
JOIN build_facts f USING (project_slug, build_num);

-- step_runs: one row per step action (a step runs once per parallel node) with its build's job,
-- branch and time. duration_seconds is NULL when unknown or negative.
CREATE OR REPLACE VIEW step_runs AS
SELECT
    s.project_slug,
    s.build_num,
    s.step_index,
    s.node_index,
    s.name AS step_name,
    s.type,
    s.status,
    s.exit_code,
    s.background,
    CASE
        WHEN s.run_time_millis >= 0 THEN s.run_time_millis
        WHEN s.end_time >= s.start_time THEN epoch_ms(s.end_time) - epoch_ms(s.start_time)
    END / 1000.0 AS duration_seconds,
    f.job_name,
    f.branch,
    f.vcs_revision,
    f.build_at,
    f.result_class AS build_result_class
FROM steps s
JOIN build_facts f USING (project_slug, build_num);
