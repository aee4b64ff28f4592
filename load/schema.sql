-- buildlake DuckDB schema, version 1. Tables and columns follow ../shared/SPEC.md section 3.
-- Keys are natural keys (load.TableKeys). Only projects declares its key as a PRIMARY KEY: load
-- replaces a build's rows in builds, steps, artifacts and tests whole (delete, then append, in one
-- transaction by the single writer), so their keys stay unique by construction, and an ART index
-- on VARCHAR keys costs more on every write than it saves (see docs/benchmarks.md). Timestamps are UTC TIMESTAMP; durations are BIGINT milliseconds (*_millis).

CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS projects (
    project_slug   VARCHAR PRIMARY KEY,
    vcs_type       VARCHAR,
    username       VARCHAR,
    reponame       VARCHAR,
    vcs_url        VARCHAR,
    default_branch VARCHAR,
    oss            BOOLEAN,
    following      BOOLEAN,
    extracted_at   TIMESTAMP
);

CREATE TABLE IF NOT EXISTS builds (
    project_slug        VARCHAR NOT NULL,
    build_num           BIGINT  NOT NULL,
    vcs_type            VARCHAR,
    username            VARCHAR,
    reponame            VARCHAR,
    build_url           VARCHAR,
    vcs_url             VARCHAR,
    vcs_revision        VARCHAR,
    branch              VARCHAR,
    vcs_tag             VARCHAR,
    subject             VARCHAR,
    committer_name      VARCHAR,
    committer_email     VARCHAR,
    author_name         VARCHAR,
    author_email        VARCHAR,
    why                 VARCHAR,
    status              VARCHAR,
    outcome             VARCHAR,
    lifecycle           VARCHAR,
    platform            VARCHAR,
    parallel            INTEGER,
    job_name            VARCHAR,
    workflow_id         VARCHAR,
    workflow_name       VARCHAR,
    workflow_job_id     VARCHAR,
    resource_class      VARCHAR,
    executor            VARCHAR,
    retry_of            BIGINT,
    is_retry            BOOLEAN,
    user_login          VARCHAR,
    fail_reason         VARCHAR,
    canceled            BOOLEAN,
    timedout            BOOLEAN,
    infrastructure_fail BOOLEAN,
    has_artifacts       BOOLEAN,
    usage_queued_at     TIMESTAMP,
    queued_at           TIMESTAMP,
    start_time          TIMESTAMP,
    stop_time           TIMESTAMP,
    build_time_millis   BIGINT,
    usage_queue_millis  BIGINT,
    run_queue_millis    BIGINT,
    queue_millis        BIGINT,
    extracted_at        TIMESTAMP
);

CREATE TABLE IF NOT EXISTS steps (
    project_slug        VARCHAR NOT NULL,
    build_num           BIGINT  NOT NULL,
    step_index          INTEGER NOT NULL,
    node_index          INTEGER NOT NULL,
    step_number         INTEGER,
    name                VARCHAR,
    type                VARCHAR,
    status              VARCHAR,
    exit_code           INTEGER,
    start_time          TIMESTAMP,
    end_time            TIMESTAMP,
    run_time_millis     BIGINT,
    failed              BOOLEAN,
    timedout            BOOLEAN,
    canceled            BOOLEAN,
    infrastructure_fail BOOLEAN,
    background          BOOLEAN,
    has_output          BOOLEAN
);

CREATE TABLE IF NOT EXISTS artifacts (
    project_slug VARCHAR NOT NULL,
    build_num    BIGINT  NOT NULL,
    node_index   INTEGER NOT NULL,
    path         VARCHAR NOT NULL,
    pretty_path  VARCHAR,
    url          VARCHAR
);

CREATE TABLE IF NOT EXISTS tests (
    project_slug    VARCHAR NOT NULL,
    build_num       BIGINT  NOT NULL,
    test_index      INTEGER NOT NULL,
    test_id         VARCHAR,
    classname       VARCHAR,
    file            VARCHAR,
    name            VARCHAR,
    result          VARCHAR,
    run_time_millis BIGINT,
    message         VARCHAR,
    source          VARCHAR,
    source_type     VARCHAR
);

CREATE TABLE IF NOT EXISTS sync_runs (
    run_id          VARCHAR PRIMARY KEY,
    trigger         VARCHAR,
    started_at      TIMESTAMP,
    finished_at     TIMESTAMP,
    status          VARCHAR,   -- running | success | partial | failed | canceled
    projects        INTEGER,
    builds_upserted BIGINT,
    steps           BIGINT,
    artifacts       BIGINT,
    tests           BIGINT,
    requests        BIGINT,
    retries         BIGINT,
    rate_limited    BIGINT,
    errors          BIGINT,
    error_summary   VARCHAR
);

-- sync_state: per project, the high-water build_num (every build at or below it is loaded or
-- listed in pending_builds) and the builds to re-read next run: unfinished ones
-- (queued/running/not_running/scheduled) and ones whose fetch failed.
CREATE TABLE IF NOT EXISTS sync_state (
    project_slug         VARCHAR PRIMARY KEY,
    high_water_build_num BIGINT,
    pending_builds       BIGINT[],
    last_run_id          VARCHAR,
    updated_at           TIMESTAMP,
    -- every build queued at or after backfilled_since (and at or below the mark) is loaded or
    -- pending; a run whose horizon reaches further back reads the older builds too.
    backfilled_since     TIMESTAMP
);

-- sync_errors: which build or project failed in which run, and why (token-free text).
CREATE TABLE IF NOT EXISTS sync_errors (
    run_id       VARCHAR NOT NULL,
    project_slug VARCHAR,
    build_num    BIGINT,
    stage        VARCHAR,   -- list | details | tests | artifacts | decode | load
    error        VARCHAR,
    occurred_at  TIMESTAMP
);
