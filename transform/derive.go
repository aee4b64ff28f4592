package transform

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/buildlake/buildlake/extract"
)

// MaxMessageBytes is the longest tests.message kept; longer messages are cut at a rune boundary.
const MaxMessageBytes = 4096

// ProjectSlug returns the project_slug "vcs_type/username/reponame". The v2 short forms gh and bb
// are spelled out so that one project has one slug whichever API produced it.
func ProjectSlug(vcsType, username, reponame string) string {
	switch vcsType {
	case "gh":
		vcsType = "github"
	case "bb":
		vcsType = "bitbucket"
	}
	return vcsType + "/" + username + "/" + reponame
}

// JobName returns the build's job name: workflows.job_name, else build_parameters.CIRCLE_JOB
// (1.0 and API-triggered builds), else "build" (CircleCI's default job name).
func JobName(b extract.Build) string {
	if b.Workflows != nil && b.Workflows.JobName.Valid && b.Workflows.JobName.V != "" {
		return b.Workflows.JobName.V
	}
	if s, ok := b.BuildParameters["CIRCLE_JOB"].(string); ok && s != "" {
		return s
	}
	return "build"
}

// TestID returns the stable identity of a test across builds: the first 16 bytes of
// SHA-256(classname NUL file NUL name), as 32 lowercase hex digits. A NULL part counts as "".
// The NUL separator keeps ("a b", "") and ("a", "b") apart.
func TestID(classname, file, name string) string {
	h := sha256.New()
	h.Write([]byte(classname))
	h.Write([]byte{0})
	h.Write([]byte(file))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// span returns to − from in milliseconds; NULL when either end is missing or the result is
// negative (clock skew or a re-queued build: a negative wait is not a wait).
func span(from, to extract.OptTime) extract.OptInt {
	if !from.Valid || !to.Valid {
		return extract.OptInt{}
	}
	d := to.V.Sub(from.V)
	if d < 0 {
		return extract.OptInt{}
	}
	return extract.Int(d.Milliseconds())
}

// nonNegative keeps a reported duration, dropping negative ones as malformed.
func nonNegative(o extract.OptInt) extract.OptInt {
	if o.Valid && o.V < 0 {
		return extract.OptInt{}
	}
	return o
}

// IsRetry reports whether a build re-runs another: retry_of is set, or why is retry/auto-retry.
func IsRetry(b extract.Build) bool {
	return b.RetryOf.Valid || b.Why.V == "retry" || b.Why.V == "auto-retry"
}

// FailReason says why a build did not succeed, in one groupable word or name:
//   - outcome failed or timedout: the name of the first step (in steps[] order) with an action that
//     failed or timed out (failed/timedout true, or status failed/timedout); the outcome itself
//     when the steps are unknown or none is marked;
//   - outcome infrastructure_fail or canceled: the outcome;
//   - any other outcome (success, no_tests, unfinished): "" (NULL).
func FailReason(b extract.Build) string {
	switch o := b.Outcome.V; {
	case !b.Outcome.Valid:
		return ""
	case o == "failed" || o == "timedout":
		for _, s := range b.Steps {
			for _, a := range s.Actions {
				if a.Failed.V || a.Timedout.V || a.Status.V == "failed" || a.Status.V == "timedout" {
					if s.Name.Valid && s.Name.V != "" {
						return s.Name.V
					}
					if a.Name.Valid && a.Name.V != "" {
						return a.Name.V
					}
					return o
				}
			}
		}
		return o
	case o == "infrastructure_fail" || o == "canceled":
		return o
	}
	return ""
}

// truncateMessage cuts s to at most MaxMessageBytes of valid UTF-8 (invalid bytes become U+FFFD
// first, so the result is always valid text for DuckDB's VARCHAR).
func truncateMessage(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= MaxMessageBytes {
		return s
	}
	cut := MaxMessageBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// validText replaces invalid UTF-8 so that any API string can be stored as VARCHAR.
func validText(o extract.OptString) extract.OptString {
	if o.Valid && !utf8.ValidString(o.V) {
		o.V = strings.ToValidUTF8(o.V, "\uFFFD")
	}
	return o
}

// runTimeMillis converts a test's run_time in seconds to rounded milliseconds; NULL when missing,
// negative or not finite.
func runTimeMillis(o extract.OptFloat) extract.OptInt {
	if !o.Valid || math.IsNaN(o.V) || math.IsInf(o.V, 0) || o.V < 0 || o.V*1000 > math.MaxInt64/2 {
		return extract.OptInt{}
	}
	return extract.Int(int64(math.Round(o.V * 1000)))
}

// StripToken removes every circle-token query parameter from an artifact URL (artifact downloads
// accept the token that way, and it must never be stored). Other parameters keep their order.
func StripToken(raw string) string {
	q := strings.IndexByte(raw, '?')
	if q < 0 {
		return raw
	}
	base, rest := raw[:q], raw[q+1:]
	frag := ""
	if h := strings.IndexByte(rest, '#'); h >= 0 {
		rest, frag = rest[:h], rest[h:]
	}
	var kept []string
	for _, p := range strings.Split(rest, "&") {
		k, _, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if strings.EqualFold(strings.TrimSpace(k), "circle-token") {
			continue
		}
		kept = append(kept, p)
	}
	if len(kept) == 0 {
		return base + frag
	}
	return base + "?" + strings.Join(kept, "&") + frag
}
