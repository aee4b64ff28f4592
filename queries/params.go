package queries

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrBadParams marks parameters a caller got wrong (a usage error, not a failure of the database).
var ErrBadParams = errors.New("invalid query parameters")

// ErrUnknownQuery is returned by Run for a name List does not know.
var ErrUnknownQuery = errors.New("unknown query")

var (
	errViews = errors.New("could not create views")
	errRun   = errors.New("could not run query")
)

// Params are the parameters every canned query accepts; a query ignores those it does not use.
// A zero field takes the query's default:
//   - Until: now.
//   - Since: Until - 14 days for flaky-tests and flaky-jobs (as CircleCI Insights counts),
//     Until - 90 days for every other query.
//   - Period: "week" (weeks start on Monday, UTC).
//   - Limit: 50 for the ranked lists (flaky-tests, flaky-jobs, slowest-steps,
//     duration-regressions), 10000 (the maximum) for the per-period tables.
//   - Threshold: 20 (percent) for duration-regressions, unless ThresholdSet (then 0 is 0).
//
// Project and Branch, when empty, mean every project and every branch (mttr: the project's
// default branch).
type Params struct {
	Since, Until time.Time
	Project      string
	Branch       string
	Period       string
	Limit        int
	// Threshold is the minimum p50 rise, in percent, that duration-regressions reports.
	Threshold float64
	// ThresholdSet says Threshold was given, so that a zero Threshold means "any rise" instead of
	// the default. A non-zero Threshold is always used as given.
	ThresholdSet bool
}

// MaxLimit is the largest Limit accepted.
const MaxLimit = 10000

const (
	defaultPeriod    = "week"
	defaultThreshold = 20
	rankedLimit      = 50
)

// Periods are the accepted values of Params.Period.
var Periods = []string{"day", "week", "month"}

// Validate reports parameters that no query can run with, wrapping ErrBadParams.
func (p Params) Validate() error {
	var errs []error
	if p.Period != "" && !contains(Periods, p.Period) {
		errs = append(errs, fmt.Errorf("period %q: want one of %s", p.Period, strings.Join(Periods, ", ")))
	}
	if p.Limit < 0 || p.Limit > MaxLimit {
		errs = append(errs, fmt.Errorf("limit %d: want 1..%d", p.Limit, MaxLimit))
	}
	if !p.Since.IsZero() && !p.Until.IsZero() && !p.Since.Before(p.Until) {
		errs = append(errs, fmt.Errorf("since %s is not before until %s",
			p.Since.UTC().Format(time.RFC3339), p.Until.UTC().Format(time.RFC3339)))
	}
	if math.IsNaN(p.Threshold) || math.IsInf(p.Threshold, 0) || p.Threshold < 0 {
		errs = append(errs, fmt.Errorf("threshold %v: want a percentage >= 0", p.Threshold))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrBadParams, errors.Join(errs...))
	}
	return nil
}

// withDefaults fills the zero fields for the query called name.
func (p Params) withDefaults(name string, now time.Time) Params {
	if p.Until.IsZero() {
		p.Until = now
	}
	if p.Since.IsZero() {
		days := 90
		if strings.HasPrefix(name, "flaky-") {
			days = 14
		}
		p.Since = p.Until.AddDate(0, 0, -days)
	}
	if p.Period == "" {
		p.Period = defaultPeriod
	}
	if p.Limit == 0 {
		p.Limit = MaxLimit
		switch name {
		case "flaky-tests", "flaky-jobs", "slowest-steps", "duration-regressions":
			p.Limit = rankedLimit
		}
	}
	if p.Threshold == 0 && !p.ThresholdSet {
		p.Threshold = defaultThreshold
	}
	return p
}

// args binds the parameters a query names in its header, as $name.
func (p Params) args(names []string) []any {
	out := make([]any, 0, len(names))
	for _, n := range names {
		var v any
		switch n {
		case "since":
			v = p.Since.UTC()
		case "until":
			v = p.Until.UTC()
		case "project":
			v = p.Project
		case "branch":
			v = p.Branch
		case "period":
			v = p.Period
		case "limit":
			v = int64(p.Limit)
		case "threshold":
			v = p.Threshold
		default:
			continue
		}
		out = append(out, sql.Named(n, v))
	}
	return out
}

// ParseTime reads a time given as a date (2026-01-01, UTC midnight), an RFC 3339 timestamp (a
// timestamp without zone is UTC), "now", or an age before now such as 30d, 12h, 2w or 90m.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "now" {
		return now.UTC(), nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n := len(s); n >= 2 {
		if k, err := strconv.Atoi(s[:n-1]); err == nil && k >= 0 {
			switch s[n-1] {
			case 'd':
				return now.AddDate(0, 0, -k).UTC(), nil
			case 'w':
				return now.AddDate(0, 0, -7*k).UTC(), nil
			}
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%w: time %q: want 2026-01-01, RFC 3339, or an age like 30d, 12h", ErrBadParams, s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
