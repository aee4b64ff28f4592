package schedules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

var errDuration = errors.New("not a duration; use e.g. 30s, 15m, 1h30m or 14d")

// parseDuration accepts Go durations and whole days ("14d"), which crontab users expect.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, errDuration
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errDuration
	}
	if d < 0 {
		return 0, errors.New("must not be negative")
	}
	return d, nil
}

// since is a job's backfill horizon: a fixed date, or a duration back from each run's start.
type since struct {
	date time.Time
	ago  time.Duration
}

// parseSince accepts what `buildlake sync --since` accepts: 2026-01-01 or 30d (or a Go duration).
func parseSince(s string) (since, error) {
	if s == "" {
		return since{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return since{date: t}, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return since{}, fmt.Errorf("not a date or duration; use e.g. 2026-01-01 or 30d")
	}
	return since{ago: d}, nil
}

// at returns the horizon for a run starting at now; zero means the pipeline's default.
func (s since) at(now time.Time) time.Time {
	if s.ago > 0 {
		return now.Add(-s.ago)
	}
	return s.date
}
