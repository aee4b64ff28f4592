package extract

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors for errors.Is. Every error the Client returns for a non-2xx response wraps one
// of the status sentinels through *APIError.
var (
	ErrUnauthorized = errors.New("could not authenticate: 401 unauthorized (check the CircleCI token)")
	ErrForbidden    = errors.New("could not access: 403 forbidden (the token lacks permission)")
	ErrNotFound     = errors.New("could not find: 404 not found")
	ErrRateLimited  = errors.New("could not proceed: 429 rate limited")
	ErrServer       = errors.New("could not get an answer: server error (5xx)")
	ErrDecode       = errors.New("could not decode the response body")
	// ErrRetryBudget means the Client's total retry budget is spent: it fails fast from then on.
	ErrRetryBudget = errors.New("could not retry: the client's retry budget is exhausted")
)

// maxErrorBody bounds how much of an error response is read: bodies can be large HTML pages.
const maxErrorBody = 4 << 10

// APIError is a non-2xx response. URL is redacted; Message is the server's message (from a JSON
// {"message": …} body or the leading plain text), also redacted.
type APIError struct {
	StatusCode int
	Message    string
	Method     string
	URL        string

	retryAfter time.Duration // a 503's Retry-After, honoured by the retry loop
}

// Error implements error.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is maps the status code to the package sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500
	}
	return false
}

// RateLimitError is a 429 response. RetryAfter is the server's Retry-After (0 when absent).
type RateLimitError struct {
	APIError
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitError) Error() string {
	msg := e.APIError.Error()
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Unwrap exposes the embedded *APIError to errors.As.
func (e *RateLimitError) Unwrap() error { return &e.APIError }

// checkResponse turns a non-2xx response into *APIError or *RateLimitError. It reads at most
// maxErrorBody bytes and never decodes a 429 body as JSON (CircleCI sends plain text there).
// secrets are redacted from the message.
func checkResponse(resp *http.Response, now time.Time, secrets ...string) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	apiErr := APIError{
		StatusCode: resp.StatusCode,
		Method:     resp.Request.Method,
		URL:        Redact(resp.Request.URL.String(), secrets...),
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		apiErr.Message = Redact(plainMessage(body), secrets...)
		ra, _ := parseRetryAfter(resp.Header.Get("Retry-After"), now)
		return &RateLimitError{APIError: apiErr, RetryAfter: ra}
	}
	apiErr.Message = Redact(errorMessage(body), secrets...)
	apiErr.retryAfter, _ = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return &apiErr
}

// errorMessage extracts {"message": …} from a JSON error body, else the leading text.
func errorMessage(body []byte) string {
	var m struct {
		Message OptString `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil && m.Message.Valid {
		return plainMessage([]byte(m.Message.V))
	}
	return plainMessage(body)
}

// plainMessage keeps the first line of a text body, bounded, so an HTML page does not flood logs.
func plainMessage(body []byte) string {
	s := strings.TrimSpace(string(body))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// maxRetryAfter caps a server-sent Retry-After so a bogus date cannot park the sync for days.
const maxRetryAfter = 10 * time.Minute

// parseRetryAfter reads Retry-After as delta-seconds or an HTTP date. ok is false when absent or
// unparseable.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || secs != secs {
			return 0, false
		}
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

// Redact replaces every non-empty secret and any circle-token=… query value in s with
// "REDACTED", as well as URL user-info passwords. Use it on anything that may carry a URL or a
// server echo before it reaches a log or an error.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	s = tokenParam.ReplaceAllString(s, "${1}"+redacted)
	return userInfo.ReplaceAllString(s, "${1}"+redacted+"@")
}

const redacted = "REDACTED"

var (
	// tokenParam matches the deprecated query-parameter form of the token, raw or URL-encoded
	// (circle%2Dtoken), and also circle_token.
	tokenParam = regexp.MustCompile(`(?i)(circle(?:-|_|%2d)token(?:=|%3d))[^&\s"'#<>]*`)
	userInfo   = regexp.MustCompile(`(://)[^/@\s:]*(?::[^/@\s]*)?@`)
)
