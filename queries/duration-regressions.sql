-- name: duration-regressions
-- description: Jobs and steps whose median duration rose by more than a threshold, and since when.
-- params: since, until, project, branch, threshold, limit
-- definition: For every series - a job (step_name NULL: build duration of passing builds) or a
--   step of a job (each action of a non-background step of a passing build) - take the daily p50
--   (UTC days of the build's queue time) over [since, until). Every day with at least 3 days of
--   data on each side is a candidate change point; the one where the mean daily p50 from that day
--   on divided by the mean daily p50 before it is largest (earliest on ties) is changed_on. The
--   window before changed_on is the baseline, the window from it to until is the recent one;
--   baseline_p50_seconds and recent_p50_seconds are the medians of their daily p50s. A series is
--   listed when change_pct = recent / baseline - 1, in percent, exceeds threshold (default 20).
--   Largest change first.
-- pass/fail: only passing builds are measured, classified as success-rate does (outcome
--   'success' or status 'success'/'fixed', also with no outcome; never canceled,
--   infrastructure_fail or not_run): a failed build stops early and its steps are cut short.
WITH b AS (
    SELECT project_slug, build_num, coalesce(job_name, 'build') AS job_name,
           coalesce(usage_queued_at, queued_at, start_time, stop_time)::DATE AS day,
           CASE
               WHEN build_time_millis >= 0 THEN build_time_millis
               WHEN stop_time >= start_time THEN epoch_ms(stop_time) - epoch_ms(start_time)
           END / 1000.0 AS seconds
    FROM builds
    WHERE coalesce(usage_queued_at, queued_at, start_time, stop_time) >= $since
      AND coalesce(usage_queued_at, queued_at, start_time, stop_time) < $until
      AND ($project = '' OR project_slug = $project)
      AND ($branch = '' OR branch = $branch)
      -- The pass/fail classification of success-rate; a CASE, not NOT (… OR …), so that a NULL
      -- outcome (status 'fixed' with no outcome) still passes.
      AND CASE
              WHEN outcome IN ('canceled', 'infrastructure_fail')
                OR status IN ('canceled', 'infrastructure_fail', 'not_run')
                OR canceled OR infrastructure_fail THEN false
              WHEN outcome = 'success' OR status IN ('success', 'fixed') THEN true
              ELSE false
          END
),
samples AS (
    SELECT project_slug, job_name, NULL::VARCHAR AS step_name, day, seconds
    FROM b
    WHERE seconds IS NOT NULL
    UNION ALL
    SELECT s.project_slug, b.job_name, s.name, b.day,
           CASE
               WHEN s.run_time_millis >= 0 THEN s.run_time_millis
               WHEN s.end_time >= s.start_time THEN epoch_ms(s.end_time) - epoch_ms(s.start_time)
           END / 1000.0
    FROM steps s
    JOIN b USING (project_slug, build_num)
    WHERE NOT coalesce(s.background, false)
      AND s.name IS NOT NULL
),
daily AS (
    -- Grouping on a hash of the three names, not the names themselves, keeps this aggregate over
    -- every step action cheap; the names ride along with any_value.
    SELECT hash(project_slug, job_name, step_name) AS sid, day,
           quantile_cont(seconds, 0.5) AS p50,
           any_value(project_slug) AS project_slug, any_value(job_name) AS job_name,
           any_value(step_name) AS step_name
    FROM samples
    WHERE seconds IS NOT NULL
    GROUP BY sid, day
),
series AS (
    SELECT sid, day, p50 FROM daily
),
names AS (
    SELECT sid, any_value(project_slug) AS project_slug, any_value(job_name) AS job_name,
           any_value(step_name) AS step_name
    FROM daily
    GROUP BY sid
),
candidates AS (
    SELECT sid, day,
           avg(p50) OVER before_day AS mean_before,
           count(*) OVER before_day AS days_before,
           avg(p50) OVER from_day AS mean_after,
           count(*) OVER from_day AS days_after
    FROM series
    WINDOW before_day AS (PARTITION BY sid ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           from_day AS (PARTITION BY sid ORDER BY day ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
),
best AS (
    SELECT sid, day AS changed_on
    FROM candidates
    WHERE days_before >= 3 AND days_after >= 3 AND mean_before > 0
    QUALIFY row_number() OVER (PARTITION BY sid ORDER BY mean_after / mean_before DESC, day) = 1
),
split AS (
    SELECT s.sid, x.changed_on,
           median(s.p50) FILTER (WHERE s.day < x.changed_on) AS baseline,
           median(s.p50) FILTER (WHERE s.day >= x.changed_on) AS recent
    FROM series s
    JOIN best x USING (sid)
    GROUP BY s.sid, x.changed_on
)
SELECT project_slug, job_name, step_name,
       round(baseline, 3) AS baseline_p50_seconds,
       round(recent, 3) AS recent_p50_seconds,
       round(100 * (recent / baseline - 1), 1) AS change_pct,
       changed_on
FROM split
JOIN names USING (sid)
WHERE baseline > 0 AND 100 * (recent / baseline - 1) > $threshold
ORDER BY change_pct DESC, project_slug, job_name, step_name NULLS FIRST
LIMIT $limit
