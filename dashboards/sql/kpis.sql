-- kpis: the headline numbers of the dashboard for one window.
-- Parameters: $1 since, $2 until (UTC timestamps as text; half-open window on the build's queue
-- time, as the canned queries count it), $3 project_slug ('' = every project), $4 branch ('' =
-- every branch).
-- pass/fail as in the success-rate query: outcome 'success' or status 'success'/'fixed' passes;
-- 'failed'/'timedout' fails; canceled, infrastructure_fail and not_run builds are neither.
-- success_rate = passes / (passes + failures); median duration is over passing builds and, as in
-- duration-trend, is build_time_millis, else stop_time − start_time; median queue is queue_millis
-- (start_time − usage_queued_at) over every build.
WITH b AS (
    SELECT queue_millis,
           CASE
               WHEN build_time_millis >= 0 THEN build_time_millis
               WHEN stop_time >= start_time THEN epoch_ms(stop_time) - epoch_ms(start_time)
           END AS duration_millis,
           CASE
               WHEN outcome IN ('canceled', 'infrastructure_fail')
                 OR status IN ('canceled', 'infrastructure_fail', 'not_run')
                 OR canceled OR infrastructure_fail THEN NULL
               WHEN outcome = 'success' OR status IN ('success', 'fixed') THEN false
               WHEN outcome IN ('failed', 'timedout') OR status IN ('failed', 'timedout') OR timedout THEN true
           END AS failed
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $1::TIMESTAMP
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $2::TIMESTAMP
      AND ($3 = '' OR project_slug = $3)
      AND ($4 = '' OR branch = $4)
)
SELECT
    count(*) AS builds,
    count(*) FILTER (WHERE failed = false) AS successes,
    count(*) FILTER (WHERE failed) AS failures,
    quantile_cont(duration_millis, 0.5) FILTER (WHERE failed = false) / 1000.0 AS median_duration_seconds,
    quantile_cont(queue_millis, 0.5) FILTER (WHERE queue_millis >= 0) / 1000.0 AS median_queue_seconds
FROM b
