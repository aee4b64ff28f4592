-- Migration 2: sync_pace keeps, per CircleCI host, the request rate the adaptive pacer ended a run
-- at, so that the next run starts there instead of at 20 requests/s (extract.Pace).
CREATE TABLE IF NOT EXISTS sync_pace (
    host            VARCHAR PRIMARY KEY,
    rate_per_second DOUBLE NOT NULL,
    throttled       BOOLEAN NOT NULL, -- the server throttled the run: the rate sits under its limit
    run_id          VARCHAR,
    updated_at      TIMESTAMP NOT NULL
);
