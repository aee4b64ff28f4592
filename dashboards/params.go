package dashboards

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/buildlake/buildlake/queries"
)

var errBadParam = errors.New("could not accept parameter")

// defaultWindow is the time range of a page opened without since/until.
const defaultWindow = 30 * 24 * time.Hour

// flakyWindow is the window of the flaky panels (the flaky-tests KPI and the flaky tests and
// jobs tables) when the page gives no since: 14 days, as CircleCI Insights and `buildlake query
// flaky-tests` count, so the page and the CLI name the same tests.
const flakyWindow = 14 * 24 * time.Hour

// flakyParams is p for the flaky panels: unless since was given, the flakyWindow before until.
func flakyParams(p queries.Params, sinceGiven bool) queries.Params {
	if !sinceGiven {
		p.Since = p.Until.Add(-flakyWindow)
	}
	return p
}

// maxLimit bounds ?limit= so that one request cannot ask for an unbounded answer.
const maxLimit = 10000

// projectSlugRe is vcs_type/username/reponame as CircleCI spells them.
var projectSlugRe = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// parseParams turns a request's query string into query parameters. Anything it does not
// recognise is an error rather than ignored, so a typo never silently shows other data.
func parseParams(v url.Values, now time.Time) (queries.Params, error) {
	var p queries.Params
	for key, vals := range v {
		switch key {
		case "since", "until", "project", "branch", "period", "limit", "threshold":
		default:
			return p, fmt.Errorf("%w: unknown parameter %q", errBadParam, key)
		}
		if len(vals) != 1 {
			return p, fmt.Errorf("%w: %s given %d times", errBadParam, key, len(vals))
		}
	}
	var err error
	if p.Until, err = parseTime("until", v.Get("until"), now); err != nil {
		return p, err
	}
	if p.Until.IsZero() {
		p.Until = now
	}
	if p.Since, err = parseTime("since", v.Get("since"), now); err != nil {
		return p, err
	}
	if p.Since.IsZero() {
		p.Since = p.Until.Add(-defaultWindow)
	}
	if !p.Since.Before(p.Until) {
		return p, fmt.Errorf("%w: since must be before until", errBadParam)
	}
	if p.Project = v.Get("project"); p.Project != "" && (len(p.Project) > 300 || !projectSlugRe.MatchString(p.Project)) {
		return p, fmt.Errorf("%w: project must look like vcs/org/repo", errBadParam)
	}
	if p.Branch = v.Get("branch"); len(p.Branch) > 255 || strings.IndexFunc(p.Branch, unicode.IsControl) >= 0 {
		return p, fmt.Errorf("%w: branch must be at most 255 printable characters", errBadParam)
	}
	switch p.Period = v.Get("period"); p.Period {
	case "":
		p.Period = "day"
	case "day", "week", "month":
	default:
		return p, fmt.Errorf("%w: period must be day, week or month", errBadParam)
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return p, fmt.Errorf("%w: limit must be an integer from 1 to %d", errBadParam, maxLimit)
		}
		p.Limit = n
	}
	if s := v.Get("threshold"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return p, fmt.Errorf("%w: threshold must be a non-negative number", errBadParam)
		}
		p.Threshold, p.ThresholdSet = f, true
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("%w: %w", errBadParam, err)
	}
	return p, nil
}

// parseTime reads a window bound as the CLI does (queries.ParseTime): a date (UTC midnight), RFC
// 3339, "now", or an age such as 30d. until is exclusive: the page sends the day after its "To".
func parseTime(name, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) > 64 {
		return time.Time{}, fmt.Errorf("%w: %s is too long", errBadParam, name)
	}
	t, err := queries.ParseTime(s, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s must be YYYY-MM-DD, RFC 3339 or an age like 30d", errBadParam, name)
	}
	return t, nil
}

// paramsJSON is how the page and the static report see the parameters of an answer.
type paramsJSON struct {
	Since   string `json:"since"`
	Until   string `json:"until"`
	Project string `json:"project"`
	Branch  string `json:"branch"`
	Period  string `json:"period"`
	Limit   int    `json:"limit,omitempty"`
}

// sinceGiven says a request chose its window's start (else the defaults apply).
func sinceGiven(v url.Values) bool { return v.Get("since") != "" }

func toParamsJSON(p queries.Params) paramsJSON {
	return paramsJSON{Since: p.Since.UTC().Format(time.RFC3339), Until: p.Until.UTC().Format(time.RFC3339),
		Project: p.Project, Branch: p.Branch, Period: p.Period, Limit: p.Limit}
}
