-- Migration 3: what a sync --parquet-dir must re-export after an earlier run stopped before its
-- export finished (cancelled, failed, killed): the touched partitions must survive the process.
-- export_marks: per Parquet directory and shard, when the last run whose export completed
-- started. Every build written since (builds.extracted_at >= marked_at) is in a partition the
-- next export of that directory rewrites; with no mark, the next export rewrites everything.
CREATE TABLE IF NOT EXISTS export_marks (
    dir       VARCHAR NOT NULL, -- absolute path of the Parquet directory
    shard     VARCHAR NOT NULL, -- 'K/N', or '' unsharded
    marked_at TIMESTAMP NOT NULL,
    run_id    VARCHAR,
    PRIMARY KEY (dir, shard)
);
-- export_left_dates: partition dates that re-written builds were in before their write, noted in
-- the write's transaction (a build whose partition date changed leaves rows behind in the old
-- partition, and extracted_at only names the new one). One row per date, the latest noted_at.
CREATE TABLE IF NOT EXISTS export_left_dates (
    date     VARCHAR PRIMARY KEY, -- YYYY-MM-DD
    noted_at TIMESTAMP NOT NULL
);
