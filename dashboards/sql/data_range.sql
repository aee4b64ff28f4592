-- data_range: the queue times of the first and the last build, so the page can say what the
-- database holds. No parameters.
SELECT min(coalesce(usage_queued_at, queued_at, start_time, stop_time)) AS first_build_at,
       max(coalesce(usage_queued_at, queued_at, start_time, stop_time)) AS last_build_at
FROM builds
